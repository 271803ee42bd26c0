package vipgate.lb.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/** An upstream group's counters and its servers' metrics; its latencies are the merge of its servers'. */
public final class UpstreamMetrics {
    private final String name;
    private final Map<String, ServerMetrics> servers = new ConcurrentSkipListMap<>();
    private final LongAdder retries = new LongAdder();
    private final LongAdder unavailable = new LongAdder();

    UpstreamMetrics(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public ServerMetrics server(String address) {
        return servers.computeIfAbsent(address, a -> new ServerMetrics(name, a));
    }

    public List<ServerMetrics> servers() {
        return List.copyOf(servers.values());
    }

    void retainServers(java.util.Set<String> addresses) {
        servers.keySet().retainAll(addresses);
    }

    /** A request passed to the next server (nginx proxy_next_upstream). */
    public void retried() {
        retries.increment();
    }

    /** No server could be chosen (all down, failed or at max-conns). */
    public void noServerAvailable() {
        unavailable.increment();
    }

    public long retries() {
        return retries.sum();
    }

    public long unavailable() {
        return unavailable.sum();
    }
}
