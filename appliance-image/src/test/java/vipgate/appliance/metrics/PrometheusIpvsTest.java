package vipgate.appliance.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import vipgate.ipvs.netlink.AddressFamily;
import vipgate.ipvs.netlink.Destination;
import vipgate.ipvs.netlink.DestinationEntry;
import vipgate.ipvs.netlink.Forwarding;
import vipgate.ipvs.netlink.IpvsException;
import vipgate.ipvs.netlink.KernelService;
import vipgate.ipvs.netlink.Protocol;
import vipgate.ipvs.netlink.Service;
import vipgate.ipvs.netlink.ServiceKey;
import vipgate.ipvs.netlink.ServiceEntry;
import vipgate.ipvs.netlink.Stats;

/** The ipvs section of /metrics, from a table as a kernel dump returns it (no IPVS needed on the host). */
class PrometheusIpvsTest {
    private static final ServiceKey WEB = ServiceKey.of(Protocol.TCP, ip("192.0.2.130"), 80);
    private static final ServiceKey DNS6 = ServiceKey.of(Protocol.UDP, ip("2001:db8::1"), 53);
    private static final ServiceKey MARK6 = ServiceKey.fwmark(1, AddressFamily.INET6);

    /** In the kernel's hash order, not sorted; counters and rates all different, so a mixed-up column shows. */
    private static List<KernelService> table() {
        return List.of(
                new KernelService(new ServiceEntry(Service.of(DNS6, "rr"), Stats.ZERO), List.of()),
                new KernelService(new ServiceEntry(Service.of(WEB, "wlc"), stats(12, 340, 0, 20400, 0)), List.of(
                        new DestinationEntry(Destination.of(ip("192.0.2.202"), 80, Forwarding.DIRECT_ROUTE, 0), 0, 2, 0,
                                stats(5, 140, 0, 8400, 0)),
                        new DestinationEntry(Destination.of(ip("192.0.2.201"), 80, Forwarding.DIRECT_ROUTE, 3), 4, 3, 1,
                                stats(7, 200, 0, 12000, 0)))),
                new KernelService(new ServiceEntry(Service.of(MARK6, "sh"), stats(9, 30, 27, 4100, 39000)), List.of(
                        new DestinationEntry(Destination.of(ip("2001:db8::10"), 443, Forwarding.MASQ, 1), 6, 1, 0,
                                stats(9, 30, 27, 4100, 39000)))));
    }

    @Test
    void exportsEveryServiceAndRealServerOfTheTableSorted() {
        PrometheusText p = new PrometheusText();
        new IpvsMetrics(PrometheusIpvsTest::table).render(p);
        String page = p.toString();

        String in = "; in: from clients, out: replies (only NAT replies pass the director)";
        assertThat(page).isEqualTo("""
                # HELP vipgate_ipvs_connections_total Connections scheduled by the IPVS virtual service
                # TYPE vipgate_ipvs_connections_total counter
                vipgate_ipvs_connections_total{service="FWM 1 IPv6"} 9
                vipgate_ipvs_connections_total{service="TCP 192.0.2.130:80"} 12
                vipgate_ipvs_connections_total{service="UDP [2001:db8::1]:53"} 0
                # HELP vipgate_ipvs_packets_total Packets through the IPVS virtual service%1$s
                # TYPE vipgate_ipvs_packets_total counter
                vipgate_ipvs_packets_total{service="FWM 1 IPv6",direction="in"} 30
                vipgate_ipvs_packets_total{service="FWM 1 IPv6",direction="out"} 27
                vipgate_ipvs_packets_total{service="TCP 192.0.2.130:80",direction="in"} 340
                vipgate_ipvs_packets_total{service="TCP 192.0.2.130:80",direction="out"} 0
                vipgate_ipvs_packets_total{service="UDP [2001:db8::1]:53",direction="in"} 0
                vipgate_ipvs_packets_total{service="UDP [2001:db8::1]:53",direction="out"} 0
                # HELP vipgate_ipvs_bytes_total Bytes through the IPVS virtual service%1$s
                # TYPE vipgate_ipvs_bytes_total counter
                vipgate_ipvs_bytes_total{service="FWM 1 IPv6",direction="in"} 4100
                vipgate_ipvs_bytes_total{service="FWM 1 IPv6",direction="out"} 39000
                vipgate_ipvs_bytes_total{service="TCP 192.0.2.130:80",direction="in"} 20400
                vipgate_ipvs_bytes_total{service="TCP 192.0.2.130:80",direction="out"} 0
                vipgate_ipvs_bytes_total{service="UDP [2001:db8::1]:53",direction="in"} 0
                vipgate_ipvs_bytes_total{service="UDP [2001:db8::1]:53",direction="out"} 0
                # HELP vipgate_ipvs_real_server_connections_total Connections scheduled to the IPVS real server
                # TYPE vipgate_ipvs_real_server_connections_total counter
                vipgate_ipvs_real_server_connections_total{service="FWM 1 IPv6",real_server="[2001:db8::10]:443"} 9
                vipgate_ipvs_real_server_connections_total{service="TCP 192.0.2.130:80",real_server="192.0.2.201:80"} 7
                vipgate_ipvs_real_server_connections_total{service="TCP 192.0.2.130:80",real_server="192.0.2.202:80"} 5
                # HELP vipgate_ipvs_real_server_packets_total Packets through the IPVS real server%1$s
                # TYPE vipgate_ipvs_real_server_packets_total counter
                vipgate_ipvs_real_server_packets_total{service="FWM 1 IPv6",real_server="[2001:db8::10]:443",direction="in"} 30
                vipgate_ipvs_real_server_packets_total{service="FWM 1 IPv6",real_server="[2001:db8::10]:443",direction="out"} 27
                vipgate_ipvs_real_server_packets_total{service="TCP 192.0.2.130:80",real_server="192.0.2.201:80",direction="in"} 200
                vipgate_ipvs_real_server_packets_total{service="TCP 192.0.2.130:80",real_server="192.0.2.201:80",direction="out"} 0
                vipgate_ipvs_real_server_packets_total{service="TCP 192.0.2.130:80",real_server="192.0.2.202:80",direction="in"} 140
                vipgate_ipvs_real_server_packets_total{service="TCP 192.0.2.130:80",real_server="192.0.2.202:80",direction="out"} 0
                # HELP vipgate_ipvs_real_server_bytes_total Bytes through the IPVS real server%1$s
                # TYPE vipgate_ipvs_real_server_bytes_total counter
                vipgate_ipvs_real_server_bytes_total{service="FWM 1 IPv6",real_server="[2001:db8::10]:443",direction="in"} 4100
                vipgate_ipvs_real_server_bytes_total{service="FWM 1 IPv6",real_server="[2001:db8::10]:443",direction="out"} 39000
                vipgate_ipvs_real_server_bytes_total{service="TCP 192.0.2.130:80",real_server="192.0.2.201:80",direction="in"} 12000
                vipgate_ipvs_real_server_bytes_total{service="TCP 192.0.2.130:80",real_server="192.0.2.201:80",direction="out"} 0
                vipgate_ipvs_real_server_bytes_total{service="TCP 192.0.2.130:80",real_server="192.0.2.202:80",direction="in"} 8400
                vipgate_ipvs_real_server_bytes_total{service="TCP 192.0.2.130:80",real_server="192.0.2.202:80",direction="out"} 0
                # HELP vipgate_ipvs_real_server_weight Weight of the IPVS real server (0: no new connections)
                # TYPE vipgate_ipvs_real_server_weight gauge
                vipgate_ipvs_real_server_weight{service="FWM 1 IPv6",real_server="[2001:db8::10]:443"} 1
                vipgate_ipvs_real_server_weight{service="TCP 192.0.2.130:80",real_server="192.0.2.201:80"} 3
                vipgate_ipvs_real_server_weight{service="TCP 192.0.2.130:80",real_server="192.0.2.202:80"} 0
                # HELP vipgate_ipvs_real_server_connections_active Established connections on the IPVS real server (ActiveConn)
                # TYPE vipgate_ipvs_real_server_connections_active gauge
                vipgate_ipvs_real_server_connections_active{service="FWM 1 IPv6",real_server="[2001:db8::10]:443"} 6
                vipgate_ipvs_real_server_connections_active{service="TCP 192.0.2.130:80",real_server="192.0.2.201:80"} 4
                vipgate_ipvs_real_server_connections_active{service="TCP 192.0.2.130:80",real_server="192.0.2.202:80"} 0
                # HELP vipgate_ipvs_real_server_connections_inactive Connections in any other state, e.g. TIME_WAIT, on the IPVS real server (InActConn)
                # TYPE vipgate_ipvs_real_server_connections_inactive gauge
                vipgate_ipvs_real_server_connections_inactive{service="FWM 1 IPv6",real_server="[2001:db8::10]:443"} 1
                vipgate_ipvs_real_server_connections_inactive{service="TCP 192.0.2.130:80",real_server="192.0.2.201:80"} 3
                vipgate_ipvs_real_server_connections_inactive{service="TCP 192.0.2.130:80",real_server="192.0.2.202:80"} 2
                # HELP vipgate_ipvs_real_server_connections_persistent Persistence templates pointing at the IPVS real server (PersistConn)
                # TYPE vipgate_ipvs_real_server_connections_persistent gauge
                vipgate_ipvs_real_server_connections_persistent{service="FWM 1 IPv6",real_server="[2001:db8::10]:443"} 0
                vipgate_ipvs_real_server_connections_persistent{service="TCP 192.0.2.130:80",real_server="192.0.2.201:80"} 1
                vipgate_ipvs_real_server_connections_persistent{service="TCP 192.0.2.130:80",real_server="192.0.2.202:80"} 0
                # HELP vipgate_ipvs_scrape_errors_total Scrapes on which the kernel's IPVS table could not be read; the vipgate_ipvs_ families are left out of those
                # TYPE vipgate_ipvs_scrape_errors_total counter
                vipgate_ipvs_scrape_errors_total 0
                """.formatted(in));

        PrometheusExposition read = PrometheusExposition.parse(page);
        assertThat(read.family("vipgate_ipvs_real_server_connections_total").type()).isEqualTo(PrometheusExposition.Type.COUNTER);
        assertThat(read.family("vipgate_ipvs_real_server_weight").type()).isEqualTo(PrometheusExposition.Type.GAUGE);
        assertThat(read.value("vipgate_ipvs_real_server_bytes_total", "service", "FWM 1 IPv6",
                "real_server", "[2001:db8::10]:443", "direction", "out")).isEqualTo(39000);
        // the rates (Stats' *PerSecond) are not exported: rate() computes them from the totals
        assertThat(page).doesNotContain("1001").doesNotContain("per_second");
    }

    @Test
    void countersAreTheKernelsUnsigned64Bits() {
        long twoTo63 = Long.MIN_VALUE;
        List<KernelService> table = List.of(new KernelService(new ServiceEntry(Service.of(WEB, "rr"),
                new Stats(-1L, twoTo63, Long.MAX_VALUE, 1L << 53, 0, 1001, 1001, 1001, 1001, 1001)), List.of()));
        PrometheusText p = new PrometheusText();
        new IpvsMetrics(() -> table).render(p);
        PrometheusExposition read = PrometheusExposition.parse(p.toString());

        assertThat(read.value("vipgate_ipvs_connections_total", "service", "TCP 192.0.2.130:80")).isEqualTo(0x1p64);
        assertThat(read.value("vipgate_ipvs_packets_total", "service", "TCP 192.0.2.130:80", "direction", "in"))
                .isEqualTo(0x1p63);
        assertThat(read.value("vipgate_ipvs_packets_total", "service", "TCP 192.0.2.130:80", "direction", "out"))
                .isEqualTo(0x1p63);
        assertThat(p.toString()).contains("vipgate_ipvs_bytes_total{service=\"TCP 192.0.2.130:80\",direction=\"in\"} 9007199254740992\n");
        assertThat(IpvsMetrics.unsigned(-1L)).isEqualTo(0x1p64);
        assertThat(IpvsMetrics.unsigned(0)).isZero();
        assertThat(IpvsMetrics.unsigned(Long.MIN_VALUE + 1)).isEqualTo(0x1p63);
    }

    @Test
    void aTableThatCannotBeReadLeavesItsFamiliesOutAndIsCounted() {
        Deque<Object> reads = new ArrayDeque<>(List.of(
                new IpvsException(IpvsException.Reason.PERMISSION, 1, "dump services: CAP_NET_ADMIN is needed", null),
                new IllegalStateException("netlink socket closed"),
                table()));
        IpvsMetrics metrics = new IpvsMetrics(() -> {
            Object next = reads.removeFirst();
            if (next instanceof IpvsException e) {
                throw e;
            } else if (next instanceof RuntimeException e) {
                throw e;
            }
            @SuppressWarnings("unchecked")
            List<KernelService> t = (List<KernelService>) next;
            return t;
        });

        assertThat(scrape(metrics)).isEqualTo("""
                # HELP vipgate_ipvs_scrape_errors_total Scrapes on which the kernel's IPVS table could not be read; the vipgate_ipvs_ families are left out of those
                # TYPE vipgate_ipvs_scrape_errors_total counter
                vipgate_ipvs_scrape_errors_total 1
                """);
        PrometheusExposition second = PrometheusExposition.parse(scrape(metrics));
        assertThat(second.families()).containsOnlyKeys("vipgate_ipvs_scrape_errors_total");
        assertThat(second.value("vipgate_ipvs_scrape_errors_total")).isEqualTo(2);

        PrometheusExposition third = PrometheusExposition.parse(scrape(metrics));
        assertThat(third.value("vipgate_ipvs_scrape_errors_total")).as("a counter: kept after a good read").isEqualTo(2);
        assertThat(third.value("vipgate_ipvs_connections_total", "service", "TCP 192.0.2.130:80")).isEqualTo(12);
    }

    @Test
    void anEmptyTableHasTheFamiliesWithoutSamples() {
        PrometheusText p = new PrometheusText();
        new IpvsMetrics(List::of).render(p);
        PrometheusExposition read = PrometheusExposition.parse(p.toString());

        assertThat(read.families()).hasSize(11);
        assertThat(read.family("vipgate_ipvs_connections_total").samples()).isEmpty();
        assertThat(read.value("vipgate_ipvs_scrape_errors_total")).isZero();
    }

    @Test
    void servicesAreNamedAsIpvsadmNamesThemWithoutItsColumnPadding() {
        assertThat(IpvsMetrics.serviceLabel(WEB)).isEqualTo("TCP 192.0.2.130:80");
        assertThat(IpvsMetrics.serviceLabel(ServiceKey.of(Protocol.SCTP, ip("10.0.0.1"), 0))).isEqualTo("SCTP 10.0.0.1:0");
        assertThat(IpvsMetrics.serviceLabel(DNS6)).isEqualTo("UDP [2001:db8::1]:53");
        assertThat(IpvsMetrics.serviceLabel(ServiceKey.fwmark(1, AddressFamily.INET))).isEqualTo("FWM 1");
        assertThat(IpvsMetrics.serviceLabel(MARK6)).isEqualTo("FWM 1 IPv6");
        assertThat(IpvsMetrics.serviceLabel(ServiceKey.fwmark(0x80000000, AddressFamily.INET))).isEqualTo("FWM 2147483648");
    }

    private static String scrape(IpvsMetrics metrics) {
        PrometheusText p = new PrometheusText();
        metrics.render(p);
        return p.toString();
    }

    private static Stats stats(long conns, long inPackets, long outPackets, long inBytes, long outBytes) {
        // rates of 1001 everywhere: the page must not show them
        return new Stats(conns, inPackets, outPackets, inBytes, outBytes, 1001, 1001, 1001, 1001, 1001);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
