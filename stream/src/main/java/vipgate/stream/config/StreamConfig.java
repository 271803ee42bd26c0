package vipgate.stream.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vipgate.balance.Algorithm;
import vipgate.config.HostPort;
import vipgate.config.Section;
import vipgate.transport.Transport;

/** The whole stream engine configuration, bound from {@code vipgate.stream}. Immutable; a reload builds a new one. */
public record StreamConfig(Transport transport, int eventLoops, Map<String, UpstreamSpec> upstreams,
        List<ListenerSpec> servers) {

    /**
     * Reads {@code vipgate.stream}; problems are recorded in the section's collector, never thrown, so every mistake
     * of a file is reported at once.
     */
    public static StreamConfig bind(Section stream, Config reference) {
        Config upstreamDefaults = Section.elementDefaults(reference, "vipgate-defaults.stream.upstream");
        Config peerDefaults = Section.elementDefaults(reference, "vipgate-defaults.stream.upstream-server");
        Config serverDefaults = Section.elementDefaults(reference, "vipgate-defaults.stream.server");

        Transport transport = stream.enumValue("transport", Transport.class);
        if (transport == Transport.EPOLL) {
            stream.problem("transport", "epoll is not offered to the stream engine: Netty 4.2.18's epoll transport drops a "
                    + "half-closed connection from its epoll set (epoll_ctl ENOENT), so the rest of a reply after the "
                    + "client's FIN is lost; write auto (io_uring, else nio), io_uring or nio");
            transport = Transport.AUTO;
        }
        int eventLoops = stream.integerOrAuto("event-loops");
        if (eventLoops < 0) {
            stream.problem("event-loops", "write auto or a positive number");
            eventLoops = 0;
        }
        Map<String, UpstreamSpec> upstreams = new LinkedHashMap<>();
        stream.namedObjects("upstreams", upstreamDefaults).forEach((name, u) ->
                upstreams.put(name, bindUpstream(name, u, peerDefaults)));
        List<ListenerSpec> servers = new ArrayList<>();
        Map<HostPort, String> listenedBy = new HashMap<>();
        for (Section s : stream.objectList("servers", serverDefaults)) {
            servers.add(bindServer(s, upstreams.keySet(), listenedBy));
        }
        return new StreamConfig(transport, eventLoops, Map.copyOf(upstreams), List.copyOf(servers));
    }

    private static UpstreamSpec bindUpstream(String name, Section u, Config peerDefaults) {
        Algorithm algorithm = u.enumValue("algorithm", Algorithm.class);
        KeyTemplate hashKey = KeyTemplate.parse("");
        try {
            hashKey = KeyTemplate.parse(u.string("hash-key"));
        } catch (IllegalArgumentException e) {
            u.problem("hash-key", e.getMessage());
        }
        List<PeerSpec> servers = new ArrayList<>();
        List<Section> entries = u.objectList("servers", peerDefaults);
        for (Section s : entries) {
            HostPort address = null;
            try {
                address = HostPort.parse(s.string("address"));
            } catch (IllegalArgumentException e) {
                s.problem("address", e.getMessage());
            }
            PeerSpec spec = new PeerSpec(address, s.integer("weight", 1, 1000), s.integer("max-fails", 0, 1000),
                    s.duration("fail-timeout"), s.bool("backup"), s.bool("down"), s.integer("max-conns", 0, 1_000_000));
            if (address != null) {
                servers.add(spec);
            }
        }
        if (entries.isEmpty()) {
            u.problem("servers", "upstream '" + name + "' has no servers; add servers = [ { address = \"host:port\" } ]");
        }
        if (!servers.isEmpty() && servers.stream().allMatch(PeerSpec::backup)) {
            u.problem("servers", "upstream '" + name + "' has only backup servers; mark at least one with backup = false");
        }
        // nginx refuses backup with these methods too ("balancing method does not support backup")
        if ((algorithm == Algorithm.HASH || algorithm == Algorithm.RANDOM_TWO) && servers.stream().anyMatch(PeerSpec::backup)) {
            u.problem("servers", "algorithm " + u.string("algorithm") + " does not support backup servers (nginx neither)");
        }
        return new UpstreamSpec(name, algorithm, hashKey, List.copyOf(servers));
    }

    private static ListenerSpec bindServer(Section s, Set<String> upstreamNames, Map<HostPort, String> listenedBy) {
        List<HostPort> listen = new ArrayList<>();
        List<String> written = s.stringOrList("listen");
        for (String l : written) {
            try {
                HostPort hp = HostPort.parse(l);
                String other = listenedBy.putIfAbsent(hp, s.path());
                if (other != null) {
                    s.problem("listen", hp + " is already a listen address of " + other);
                } else {
                    listen.add(hp);
                }
            } catch (IllegalArgumentException e) {
                s.problem("listen", e.getMessage());
            }
        }
        if (written.isEmpty()) {
            s.problem("listen", "a server needs at least one listen address such as \"0.0.0.0:6379\"");
        }
        String upstream = s.string("proxy-pass");
        if (!upstreamNames.contains(upstream)) {
            s.problem("proxy-pass", "no upstream named '" + upstream + "'; define vipgate.stream.upstreams." + upstream
                    + " or use one of " + upstreamNames);
        }
        Section n = s.section("next-upstream");
        NextUpstreamSpec next = new NextUpstreamSpec(n.bool("enabled"), n.integer("tries", 0, 1000), n.duration("timeout"));
        Duration connect = s.positiveDuration("connect-timeout");
        Duration timeout = s.positiveDuration("timeout");
        return new ListenerSpec(List.copyOf(listen), upstream, connect, timeout, next);
    }
}
