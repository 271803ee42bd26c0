package vipgate.stream.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stream engine's counters by listener and by upstream server, kept across reloads while the listener or server
 * stays in the configuration.
 */
public final class StreamMetrics {
    private final Map<String, ListenerMetrics> listeners = new ConcurrentHashMap<>();
    private final Map<List<String>, ServerMetrics> servers = new ConcurrentHashMap<>();

    public ListenerMetrics listener(String address) {
        return listeners.computeIfAbsent(address, ListenerMetrics::new);
    }

    public ServerMetrics server(String upstream, String server) {
        return servers.computeIfAbsent(List.of(upstream, server), k -> new ServerMetrics(upstream, server));
    }

    public List<ListenerMetrics> listeners() {
        List<ListenerMetrics> out = new ArrayList<>(listeners.values());
        out.sort((a, b) -> a.address().compareTo(b.address()));
        return out;
    }

    public List<ServerMetrics> servers() {
        List<ServerMetrics> out = new ArrayList<>(servers.values());
        out.sort((a, b) -> a.upstream().equals(b.upstream()) ? a.server().compareTo(b.server())
                : a.upstream().compareTo(b.upstream()));
        return out;
    }

    /** Drops the series of listeners and servers a reload removed; {@code servers} lists (upstream, server) pairs. */
    public void retain(Set<String> listenerAddresses, Set<List<String>> upstreamServers) {
        listeners.keySet().retainAll(listenerAddresses);
        servers.keySet().retainAll(upstreamServers);
    }
}
