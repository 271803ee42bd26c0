package vipgate.appliance.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import vipgate.lb.LbEngine;
import vipgate.lb.metrics.LbMetrics;
import vipgate.lb.metrics.ListenerMetrics;
import vipgate.lb.metrics.ServerMetrics;
import vipgate.lb.proxy.UpstreamGroup;
import vipgate.balance.Peer;
import vipgate.vrrp.engine.InstanceStatus;

/**
 * {@code vipgate status}: what an operator of nginx + keepalived + ipvsadm looks at, as aligned tables (in the
 * spirit of {@code ipvsadm -Ln} and nginx's upstream status page). Latency columns are percentiles over the last
 * metrics interval.
 */
public final class StatusText {
    private StatusText() {
    }

    public static String render(String node, String source, LbEngine lb, List<InstanceStatus> vrrp) {
        StringBuilder out = new StringBuilder();
        Map<String, LbMetrics.Distribution> latency = lb.metrics().distributions().stream()
                .collect(Collectors.toMap(LbMetrics.Distribution::name, Function.identity(), (a, b) -> a));
        out.append("vipgate node ").append(node).append(" (").append(source).append("), lb transport ")
                .append(lb.transports().kind().name().toLowerCase()).append('\n');

        Table listeners = new Table("Listener", "Conns", "Accepted", "2xx", "3xx", "4xx", "5xx", "In", "Out", "p50", "p99");
        for (ListenerMetrics l : lb.metrics().listeners()) {
            Histogram h = interval(latency, "listener." + l.address() + ".request");
            listeners.row(l.address(), l.connectionsActive(), l.connectionsAccepted(), l.responses().get(2), l.responses().get(3),
                    l.responses().get(4), l.responses().get(5), bytes(l.bytesIn()), bytes(l.bytesOut()), millis(h, 50), millis(h, 99));
        }
        out.append('\n').append(listeners);

        lb.context().routing().upstreams().values().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(g -> {
            out.append("\nUpstream ").append(g.name()).append(" (").append(g.spec().algorithm().name().toLowerCase().replace('_', '-'))
                    .append("), retries ").append(g.metrics().retries()).append(", no server available ")
                    .append(g.metrics().unavailable()).append('\n');
            out.append(servers(g, latency));
        });

        if (!vrrp.isEmpty()) {
            Table t = new Table("VRRP instance", "Interface", "VRID", "State", "Prio", "Effective", "Master", "Adverts rx/tx", "Dropped");
            for (InstanceStatus i : vrrp) {
                long dropped = i.dropped().values().stream().mapToLong(Long::longValue).sum();
                t.row(i.name(), i.iface(), i.vrid(), i.state().name(), i.configuredPriority(), i.effectivePriority(),
                        i.master().orElse("-"), i.advertsReceived() + "/" + i.advertsSent(), dropped);
            }
            out.append('\n').append(t);
        }
        return out.toString();
    }

    private static String servers(UpstreamGroup g, Map<String, LbMetrics.Distribution> latency) {
        Table t = new Table("  -> Server", "State", "Weight", "Effective", "Fails", "Active", "Open", "Idle", "2xx", "5xx", "Errors",
                "p50", "p99");
        long now = System.nanoTime();
        for (Peer p : g.peers()) {
            ServerMetrics m = g.metrics(p);
            Histogram h = interval(latency, "server." + g.name() + "." + p.name() + ".request");
            long errors = 0;
            for (vipgate.lb.metrics.UpstreamFailure f : vipgate.lb.metrics.UpstreamFailure.values()) {
                errors += m.failures(f);
            }
            String state = p.isDown() ? "down" : !p.isHealthy() ? "unhealthy" : p.isAvailable(now) ? "up" : "failed";
            t.row("  -> " + p.name() + (p.isBackup() ? " (backup)" : ""), state, p.weight(), p.effectiveWeight(), p.fails(),
                    p.conns(), m.openConnections(), m.idleConnections(), m.responses().get(2), m.responses().get(5), errors,
                    millis(h, 50), millis(h, 99));
        }
        return t.toString();
    }

    private static Histogram interval(Map<String, LbMetrics.Distribution> latency, String name) {
        LbMetrics.Distribution d = latency.get(name);
        return d == null ? null : d.interval();
    }

    private static String millis(Histogram h, double percentile) {
        if (h == null || h.getTotalCount() == 0) {
            return "-";
        }
        return String.format("%.2fms", h.getValueAtPercentile(percentile) / 1000.0);
    }

    private static String bytes(long n) {
        if (n < 10_000) {
            return n + "B";
        }
        String[] units = {"K", "M", "G", "T"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f%s", v, units[u]);
    }

    /** Left-aligned columns as wide as their widest cell. */
    private static final class Table {
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            rows.add(header);
        }

        void row(Object... cells) {
            String[] r = new String[cells.length];
            for (int i = 0; i < cells.length; i++) {
                r[i] = String.valueOf(cells[i]);
            }
            rows.add(r);
        }

        @Override
        public String toString() {
            int[] widths = new int[rows.get(0).length];
            for (String[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    widths[i] = Math.max(widths[i], r[i].length());
                }
            }
            StringBuilder b = new StringBuilder();
            for (String[] r : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < r.length; i++) {
                    line.append(r[i]);
                    if (i < r.length - 1) {
                        line.append(" ".repeat(widths[i] - r[i].length() + 2));
                    }
                }
                b.append(line.toString().stripTrailing()).append('\n');
            }
            return b.toString();
        }
    }
}
