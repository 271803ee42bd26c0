package vipgate.appliance.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import vipgate.lb.LbEngine;
import vipgate.lb.limit.LimitConnZone;
import vipgate.lb.limit.LimitZone;
import vipgate.lb.limit.LimitZones;
import vipgate.lb.log.AccessLog;
import vipgate.lb.metrics.LatencySeries;
import vipgate.lb.metrics.LbMetrics;
import vipgate.lb.metrics.ListenerMetrics;
import vipgate.lb.metrics.ServerMetrics;
import vipgate.lb.metrics.UpstreamFailure;
import vipgate.lb.metrics.UpstreamMetrics;
import vipgate.lb.proxy.UpstreamGroup;
import vipgate.stream.metrics.StreamMetrics;
import vipgate.vrrp.engine.InstanceStatus;
import vipgate.vrrp.state.State;
import vipgate.vrrp.wire.DropReason;

import static vipgate.appliance.metrics.PrometheusText.labels;

/**
 * The appliance's /metrics page. Latencies are classic cumulative Prometheus histograms (never reset, so
 * {@code rate()} and {@code histogram_quantile()} work across scrapes) plus gauges of the percentiles over the
 * last {@code vipgate.lb.metrics.interval}, read straight from HdrHistogram for a precise recent tail.
 */
public final class MetricsPage {
    /** Bucket upper bounds in seconds: from a loopback hop (100 µs) to a long upstream timeout (60 s). */
    static final double[] BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
        2.5, 5, 10, 30, 60};
    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999, 1.0};
    private static final double MICROS = 1e6;

    private MetricsPage() {
    }

    /**
     * Renders everything; {@code stream} is empty when the box runs no stream engine, {@code vrrp} when it runs no VRRP
     * instance, {@code ipvs} when it runs no ipvs engine (then the page has no {@code vipgate_stream_} or
     * {@code vipgate_ipvs_} lines at all).
     */
    public static String render(LbEngine lb, Optional<StreamMetrics> stream, List<InstanceStatus> vrrp,
            Optional<IpvsMetrics> ipvs) {
        PrometheusText p = new PrometheusText();
        LbMetrics m = lb.metrics();
        listeners(p, m.listeners());
        upstreams(p, m.upstreams(), lb.context().routing().upstreams());
        latencies(p, m.distributions());
        limits(p, lb.context().routing().limits());
        AccessLog log = lb.context().accessLog();
        p.family("vipgate_lb_access_log_lines_total", "counter", "Access log lines by outcome; dropped when the disk did not keep up");
        p.sample(labels("result", "written"), log.writtenLines());
        p.sample(labels("result", "dropped"), log.droppedLines());
        stream.ifPresent(s -> stream(p, s));
        vrrp(p, vrrp);
        ipvs.ifPresent(i -> i.render(p));
        process(p);
        return p.toString();
    }

    private static void listeners(PrometheusText p, List<ListenerMetrics> listeners) {
        p.family("vipgate_lb_connections_active", "gauge", "Client connections open now");
        listeners.forEach(l -> p.sample(labels("listener", l.address()), l.connectionsActive()));
        p.family("vipgate_lb_connections_accepted_total", "counter", "Client connections accepted");
        listeners.forEach(l -> p.sample(labels("listener", l.address()), l.connectionsAccepted()));
        p.family("vipgate_lb_received_bytes_total", "counter", "Bytes received from clients");
        listeners.forEach(l -> p.sample(labels("listener", l.address()), l.bytesIn()));
        p.family("vipgate_lb_sent_bytes_total", "counter", "Bytes sent to clients");
        listeners.forEach(l -> p.sample(labels("listener", l.address()), l.bytesOut()));
        p.family("vipgate_lb_tls_handshakes_total", "counter", "TLS handshakes completed, by whether the session was resumed");
        for (ListenerMetrics l : listeners) {
            p.sample(labels("listener", l.address(), "resumed", "yes"), l.tlsResumed());
            p.sample(labels("listener", l.address(), "resumed", "no"), l.tlsHandshakes() - l.tlsResumed());
        }
        p.family("vipgate_lb_tls_handshake_failures_total", "counter",
                "TLS handshakes that failed: timeout, no common protocol or suite, not TLS at all");
        listeners.forEach(l -> p.sample(labels("listener", l.address()), l.tlsHandshakeFailures()));
        p.family("vipgate_lb_proxy_protocol_refused_total", "counter",
                "Connections to a PROXY protocol socket closed: an untrusted sender, a missing or a malformed header");
        listeners.forEach(l -> p.sample(labels("listener", l.address()), l.proxyProtocolRefusals()));
        p.family("vipgate_lb_responses_total", "counter", "Responses sent to clients by status class, the proxy's own errors included");
        for (ListenerMetrics l : listeners) {
            for (int c = 1; c <= 5; c++) {
                p.sample(labels("listener", l.address(), "class", c + "xx"), l.responses().get(c));
            }
        }
    }

    private static void limits(PrometheusText p, LimitZones zones) {
        List<LimitZone> req = zones.req().values().stream().sorted(Comparator.comparing(LimitZone::name)).toList();
        List<LimitConnZone> conn = zones.conn().values().stream().sorted(Comparator.comparing(LimitConnZone::name)).toList();
        p.family("vipgate_limit_req_total", "counter", "Requests over a limit_req zone's rate: delayed (within the burst) or refused");
        for (LimitZone z : req) {
            p.sample(labels("zone", z.name(), "result", "delayed"), z.delayed());
            p.sample(labels("zone", z.name(), "result", "refused"), z.refused());
        }
        p.family("vipgate_limit_conn_refused_total", "counter", "Requests refused by a limit_conn zone: too many of one key at once, or the zone full");
        conn.forEach(z -> p.sample(labels("zone", z.name()), z.refused()));
        p.family("vipgate_limit_zone_keys", "gauge", "Keys a limit zone holds now");
        req.forEach(z -> p.sample(labels("zone", z.name(), "kind", "req"), z.keys()));
        conn.forEach(z -> p.sample(labels("zone", z.name(), "kind", "conn"), z.keys()));
    }

    private static void upstreams(PrometheusText p, List<UpstreamMetrics> upstreams, Map<String, UpstreamGroup> running) {
        p.family("vipgate_lb_upstream_retries_total", "counter", "Requests passed to the next server (next-upstream)");
        upstreams.forEach(u -> p.sample(labels("upstream", u.name()), u.retries()));
        p.family("vipgate_lb_upstream_unavailable_total", "counter", "Requests for which no server could be chosen");
        upstreams.forEach(u -> p.sample(labels("upstream", u.name()), u.unavailable()));
        List<ServerMetrics> servers = new ArrayList<>();
        upstreams.forEach(u -> servers.addAll(u.servers()));
        p.family("vipgate_lb_upstream_responses_total", "counter", "Responses received from upstream servers by status class");
        for (ServerMetrics s : servers) {
            for (int c = 1; c <= 5; c++) {
                p.sample(PrometheusText.with(server(s), "class", c + "xx"), s.responses().get(c));
            }
        }
        p.family("vipgate_lb_upstream_failures_total", "counter", "Failed attempts on upstream servers by reason");
        for (ServerMetrics s : servers) {
            for (UpstreamFailure f : UpstreamFailure.values()) {
                p.sample(PrometheusText.with(server(s), "reason", f.label()), s.failures(f));
            }
        }
        p.family("vipgate_lb_upstream_connections_open", "gauge", "Connections open to upstream servers, idle ones included");
        servers.forEach(s -> p.sample(server(s), s.openConnections()));
        p.family("vipgate_lb_upstream_connections_idle", "gauge", "Idle connections in the keep-alive pools");
        servers.forEach(s -> p.sample(server(s), s.idleConnections()));

        // an address listed twice in one upstream (nginx allows it, e.g. as primary and backup) is one series
        Map<Map<String, String>, long[]> peers = new LinkedHashMap<>();
        long now = System.nanoTime();
        running.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(g -> g.peers().forEach(peer -> {
            long[] v = peers.computeIfAbsent(labels("upstream", g.name(), "server", peer.name()), k -> new long[3]);
            v[0] = Math.max(v[0], !peer.isDown() && peer.isHealthy() && peer.isAvailable(now) ? 1 : 0);
            v[1] += peer.conns();
            v[2] += peer.effectiveWeight();
        }));
        p.family("vipgate_lb_upstream_server_up", "gauge", "1 when the server takes requests (not down, healthy, not resting after failures)");
        peers.forEach((labels, v) -> p.sample(labels, v[0]));
        p.family("vipgate_lb_upstream_requests_active", "gauge", "Requests in flight on the server");
        peers.forEach((labels, v) -> p.sample(labels, v[1]));
        p.family("vipgate_lb_upstream_effective_weight", "gauge", "The balancer's effective weight (lowered after failures)");
        peers.forEach((labels, v) -> p.sample(labels, v[2]));
    }

    private static Map<String, String> server(ServerMetrics s) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("upstream", s.upstream());
        labels.put("server", s.server());
        return labels;
    }

    private static void latencies(PrometheusText p, List<LbMetrics.Distribution> all) {
        Map<String, List<LbMetrics.Distribution>> byFamily = new LinkedHashMap<>();
        for (LbMetrics.Distribution d : all) {
            byFamily.computeIfAbsent(family(d.key()), f -> new ArrayList<>()).add(d);
        }
        byFamily.forEach((family, ds) -> {
            LatencySeries.Key key = ds.get(0).key();
            String what = describe(key);
            p.family(family, "histogram", what + ", since start");
            for (LbMetrics.Distribution d : ds) {
                histogram(p, d.key().labels(), d.total());
            }
            p.family(family.replace("_seconds", "_recent_seconds"), "gauge", what + ", percentiles over the last interval");
            for (LbMetrics.Distribution d : ds) {
                for (double q : QUANTILES) {
                    Histogram h = d.interval();
                    double v = h.getTotalCount() == 0 ? Double.NaN
                            : (q == 1.0 ? h.getMaxValue() : h.getValueAtPercentile(q * 100)) / MICROS;
                    p.sample(PrometheusText.with(d.key().labels(), "quantile", PrometheusText.number(q)), v);
                }
            }
        });
    }

    private static String family(LatencySeries.Key key) {
        String kind = key.kind().replace('-', '_');
        return switch (key.scope()) {
            case "listener" -> "vipgate_lb_" + kind + "_duration_seconds";
            case "upstream" -> "vipgate_lb_upstream_" + kind + "_duration_seconds";
            default -> "vipgate_lb_server_" + kind + "_duration_seconds";
        };
    }

    private static String describe(LatencySeries.Key key) {
        String what = switch (key.kind()) {
            case "request" -> "Whole request time, first request byte to last response byte";
            case "response" -> "Upstream response time, request sent to response headers";
            case "connect" -> "Upstream connect time of new connections";
            default -> "Active health-check probe time";
        };
        return what + (key.scope().equals("upstream") ? " (all servers of the upstream)" : "");
    }

    private static void histogram(PrometheusText p, Map<String, String> labels, Histogram h) {
        for (double bound : BUCKETS) {
            long micros = (long) Math.floor(bound * MICROS);
            // counts every value HdrHistogram cannot tell from one at or below the bound (1% precision)
            long count = h.getTotalCount() == 0 ? 0 : h.getCountBetweenValues(0, micros);
            p.sample("_bucket", PrometheusText.with(labels, "le", PrometheusText.number(bound)), count);
        }
        p.sample("_bucket", PrometheusText.with(labels, "le", "+Inf"), h.getTotalCount());
        p.sample("_sum", labels, h.getTotalCount() == 0 ? 0 : h.getMean() * h.getTotalCount() / MICROS);
        p.sample("_count", labels, h.getTotalCount());
    }

    private static void stream(PrometheusText p, StreamMetrics m) {
        var listeners = m.listeners();
        p.family("vipgate_stream_sessions_active", "gauge", "TCP sessions open now");
        listeners.forEach(l -> p.sample(labels("listener", l.address()), l.sessionsActive()));
        p.family("vipgate_stream_sessions_total", "counter", "TCP sessions accepted");
        listeners.forEach(l -> p.sample(labels("listener", l.address()), l.sessionsAccepted()));
        p.family("vipgate_stream_received_bytes_total", "counter", "Bytes received from stream clients");
        listeners.forEach(l -> p.sample(labels("listener", l.address()), l.bytesIn()));
        p.family("vipgate_stream_sent_bytes_total", "counter", "Bytes sent to stream clients");
        listeners.forEach(l -> p.sample(labels("listener", l.address()), l.bytesOut()));
        p.family("vipgate_stream_unavailable_total", "counter", "Sessions closed because no server could be chosen");
        listeners.forEach(l -> p.sample(labels("listener", l.address()), l.noServerAvailable()));
        var servers = m.servers();
        p.family("vipgate_stream_server_sessions_total", "counter", "Sessions connected to the server");
        servers.forEach(s -> p.sample(labels("upstream", s.upstream(), "server", s.server()), s.sessions()));
        p.family("vipgate_stream_server_connect_failures_total", "counter", "Connects to the server that failed or timed out");
        servers.forEach(s -> p.sample(labels("upstream", s.upstream(), "server", s.server()), s.connectFailures()));
        p.family("vipgate_stream_server_sent_bytes_total", "counter", "Bytes sent to the server");
        servers.forEach(s -> p.sample(labels("upstream", s.upstream(), "server", s.server()), s.bytesToServer()));
        p.family("vipgate_stream_server_received_bytes_total", "counter", "Bytes received from the server");
        servers.forEach(s -> p.sample(labels("upstream", s.upstream(), "server", s.server()), s.bytesFromServer()));
        p.family("vipgate_stream_server_connect_duration_seconds", "histogram", "Connect time to the server, since start");
        servers.forEach(s -> histogram(p, labels("upstream", s.upstream(), "server", s.server()), s.connectLatency()));
    }

    private static void vrrp(PrometheusText p, List<InstanceStatus> instances) {
        if (instances.isEmpty()) {
            return;
        }
        p.family("vipgate_vrrp_state", "gauge", "1 for the state the VRRP instance is in");
        for (InstanceStatus i : instances) {
            for (State s : State.values()) {
                p.sample(labels("instance", i.name(), "state", s.name().toLowerCase()), i.state() == s ? 1 : 0);
            }
        }
        p.family("vipgate_vrrp_priority", "gauge", "Configured priority");
        instances.forEach(i -> p.sample(labels("instance", i.name()), i.configuredPriority()));
        p.family("vipgate_vrrp_effective_priority", "gauge", "Priority after tracking (scripts, interfaces, lb)");
        instances.forEach(i -> p.sample(labels("instance", i.name()), i.effectivePriority()));
        p.family("vipgate_vrrp_transitions_total", "counter", "State changes by the state entered");
        for (InstanceStatus i : instances) {
            for (State s : State.values()) {
                p.sample(labels("instance", i.name(), "to", s.name().toLowerCase()), i.transitions().getOrDefault(s, 0L));
            }
        }
        p.family("vipgate_vrrp_adverts_sent_total", "counter", "Adverts sent");
        instances.forEach(i -> p.sample(labels("instance", i.name()), i.advertsSent()));
        p.family("vipgate_vrrp_adverts_received_total", "counter", "Adverts received for this instance");
        instances.forEach(i -> p.sample(labels("instance", i.name()), i.advertsReceived()));
        p.family("vipgate_vrrp_vips_restored_total", "counter", "VIPs put back after something else removed them from the master");
        instances.forEach(i -> p.sample(labels("instance", i.name()), i.vipsRestored()));
        p.family("vipgate_vrrp_adverts_dropped_total", "counter", "Adverts dropped, by reason (keepalived's checks)");
        for (InstanceStatus i : instances) {
            for (DropReason r : DropReason.values()) {
                p.sample(labels("instance", i.name(), "reason", r.name().toLowerCase()), i.dropped().getOrDefault(r, 0L));
            }
        }
    }

    private static void process(PrometheusText p) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            p.family("process_cpu_seconds_total", "counter", "CPU time of the vipgate process");
            p.sample(Map.of(), os.getProcessCpuTime() / (double) TimeUnit.SECONDS.toNanos(1));
        }
        p.family("process_start_time_seconds", "gauge", "Start time of the process since the epoch");
        p.sample(Map.of(), ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0);
        long rss = residentBytes();
        if (rss >= 0) {
            p.family("process_resident_memory_bytes", "gauge", "Resident memory of the process");
            p.sample(Map.of(), rss);
        }
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            long open = fds.count();
            p.family("process_open_fds", "gauge", "Open file descriptors");
            p.sample(Map.of(), open);
        } catch (IOException | UncheckedIOException e) {
            // not Linux: the family is left out rather than reported wrong
        }
        Runtime rt = Runtime.getRuntime();
        p.family("jvm_heap_used_bytes", "gauge", "Java heap in use");
        p.sample(Map.of(), rt.totalMemory() - rt.freeMemory());
    }

    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }
}
