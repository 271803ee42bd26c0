package vipgate.appliance.metrics;

import static vipgate.appliance.metrics.PrometheusText.labels;
import static vipgate.appliance.metrics.PrometheusText.with;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import vipgate.ipvs.netlink.AddressFamily;
import vipgate.ipvs.netlink.Addresses;
import vipgate.ipvs.netlink.DestinationEntry;
import vipgate.ipvs.netlink.IpvsException;
import vipgate.ipvs.netlink.KernelService;
import vipgate.ipvs.netlink.ServiceKey;
import vipgate.ipvs.netlink.Stats;

/**
 * The kernel's IPVS counters on /metrics, what {@code ipvsadm -Ln --stats} shows: every service of the kernel table,
 * vipgate's or anyone else's (as the node exporter's ipvs collector reads them), read once per scrape. Only totals
 * are exported; the kernel's rate estimates are what {@code rate()} computes from them. A table that cannot be read
 * leaves its families out of that scrape and counts in {@code vipgate_ipvs_scrape_errors_total}; the page itself is
 * still served.
 */
public final class IpvsMetrics {
    private static final Logger LOG = Logger.getLogger(IpvsMetrics.class.getName());

    /** One read of the kernel table: {@code IpvsKernel::table} of the ipvs engine's client, a fixed list in tests. */
    @FunctionalInterface
    public interface Table {
        List<KernelService> read() throws IpvsException;
    }

    private final Table table;
    private final AtomicLong scrapeErrors = new AtomicLong();
    /** Whether the last read failed: a failing kernel is logged once as a warning, not on every scrape. */
    private final AtomicBoolean failing = new AtomicBoolean();

    public IpvsMetrics(Table table) {
        this.table = table;
    }

    /** Reads the table and writes its families, then the error counter. */
    void render(PrometheusText p) {
        List<KernelService> services = read();
        if (services != null) {
            write(p, services);
        }
        p.family("vipgate_ipvs_scrape_errors_total", "counter",
                "Scrapes on which the kernel's IPVS table could not be read; the vipgate_ipvs_ families are left out of those");
        p.sample(Map.of(), scrapeErrors.get());
    }

    private List<KernelService> read() {
        try {
            List<KernelService> services = table.read();
            if (failing.getAndSet(false)) {
                LOG.info("IPVS table readable again for /metrics");
            }
            return services;
        } catch (IpvsException | RuntimeException e) {
            scrapeErrors.incrementAndGet();
            LOG.log(failing.getAndSet(true) ? Level.FINE : Level.WARNING,
                    "IPVS table not readable for /metrics, its counters are left out: " + e.getMessage(), e);
            return null;
        }
    }

    private record Row(Map<String, String> labels, Stats stats, DestinationEntry destination) {
    }

    private static void write(PrometheusText p, List<KernelService> table) {
        List<Row> services = new ArrayList<>();
        List<Row> realServers = new ArrayList<>();
        for (KernelService k : table) {
            Map<String, String> service = labels("service", serviceLabel(k.service().key()));
            services.add(new Row(service, k.entry().stats(), null));
            for (DestinationEntry d : k.destinations()) {
                realServers.add(new Row(with(service, "real_server",
                        Addresses.withPort(d.destination().address(), d.destination().port())), d.stats(), d));
            }
        }
        // the kernel dumps in hash order; a stable order keeps scrapes comparable
        Comparator<Row> order = Comparator.comparing(r -> String.join("\n", r.labels().values()));
        services.sort(order);
        realServers.sort(order);

        p.family("vipgate_ipvs_connections_total", "counter", "Connections scheduled by the IPVS virtual service");
        services.forEach(r -> p.sample(r.labels(), unsigned(r.stats().connections())));
        traffic(p, "vipgate_ipvs", "the IPVS virtual service", services);

        p.family("vipgate_ipvs_real_server_connections_total", "counter", "Connections scheduled to the IPVS real server");
        realServers.forEach(r -> p.sample(r.labels(), unsigned(r.stats().connections())));
        traffic(p, "vipgate_ipvs_real_server", "the IPVS real server", realServers);
        gauge(p, "vipgate_ipvs_real_server_weight", "Weight of the IPVS real server (0: no new connections)", realServers,
                d -> d.destination().weight());
        gauge(p, "vipgate_ipvs_real_server_connections_active", "Established connections on the IPVS real server (ActiveConn)",
                realServers, d -> Integer.toUnsignedLong(d.activeConnections()));
        gauge(p, "vipgate_ipvs_real_server_connections_inactive",
                "Connections in any other state, e.g. TIME_WAIT, on the IPVS real server (InActConn)", realServers,
                d -> Integer.toUnsignedLong(d.inactiveConnections()));
        gauge(p, "vipgate_ipvs_real_server_connections_persistent",
                "Persistence templates pointing at the IPVS real server (PersistConn)", realServers,
                d -> Integer.toUnsignedLong(d.persistentConnections()));
    }

    private static void traffic(PrometheusText p, String prefix, String what, List<Row> rows) {
        String directions = "; in: from clients, out: replies (only NAT replies pass the director)";
        p.family(prefix + "_packets_total", "counter", "Packets through " + what + directions);
        for (Row r : rows) {
            p.sample(with(r.labels(), "direction", "in"), unsigned(r.stats().inPackets()));
            p.sample(with(r.labels(), "direction", "out"), unsigned(r.stats().outPackets()));
        }
        p.family(prefix + "_bytes_total", "counter", "Bytes through " + what + directions);
        for (Row r : rows) {
            p.sample(with(r.labels(), "direction", "in"), unsigned(r.stats().inBytes()));
            p.sample(with(r.labels(), "direction", "out"), unsigned(r.stats().outBytes()));
        }
    }

    private static void gauge(PrometheusText p, String name, String help, List<Row> rows, ToLongFunction<DestinationEntry> value) {
        p.family(name, "gauge", help);
        rows.forEach(r -> p.sample(r.labels(), value.applyAsLong(r.destination())));
    }

    /**
     * ipvsadm's service name without its column padding and cut: {@code TCP 192.0.2.130:80},
     * {@code UDP [2001:db8::1]:53}, {@code FWM 1}, {@code FWM 1 IPv6}.
     */
    static String serviceLabel(ServiceKey key) {
        if (key instanceof ServiceKey.Fwmark f) {
            return "FWM " + Integer.toUnsignedString(f.mark()) + (f.family() == AddressFamily.INET6 ? " IPv6" : "");
        }
        ServiceKey.Address a = (ServiceKey.Address) key;
        return a.protocol().name() + " " + Addresses.withPort(a.address(), a.port());
    }

    /** The kernel's counters are u64: a Java long below zero is a count of 2^63 or more. */
    static double unsigned(long v) {
        return v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2.0;
    }
}
