package vipgate.ipvs.list;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import vipgate.ipvs.list.IpvsadmFormat.Layout;
import vipgate.ipvs.netlink.AddressFamily;
import vipgate.ipvs.netlink.Destination;
import vipgate.ipvs.netlink.DestinationEntry;
import vipgate.ipvs.netlink.Forwarding;
import vipgate.ipvs.netlink.Info;
import vipgate.ipvs.netlink.KernelService;
import vipgate.ipvs.netlink.Protocol;
import vipgate.ipvs.netlink.Service;
import vipgate.ipvs.netlink.ServiceEntry;
import vipgate.ipvs.netlink.ServiceKey;
import vipgate.ipvs.netlink.Stats;

/**
 * Expected lines are ipvsadm 1.31's output for the same table (its printf formats applied to these values),
 * trailing blanks included: ipvsadm pads the last column too.
 */
class IpvsadmFormatTest {
    static final Info INFO = new Info(0x010201, 4096);

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String lines(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    static DestinationEntry dest(String address, int port, Forwarding fwd, int weight, int active, int inactive, Stats stats) {
        return new DestinationEntry(Destination.of(ip(address), port, fwd, weight), active, inactive, 0, stats);
    }

    static final Service SEED_004 = Service.of(ServiceKey.of(Protocol.TCP, ip("192.168.1.120"), 80), "wrr")
            .withPersistence(50, 0xffffffff);

    @Test
    void seed004TableAsIpvsadmLn() {
        KernelService web = new KernelService(new ServiceEntry(SEED_004, Stats.ZERO), List.of(
                dest("192.168.1.104", 80, Forwarding.DIRECT_ROUTE, 5, 3, 12, Stats.ZERO),
                dest("192.168.1.103", 80, Forwarding.DIRECT_ROUTE, 1, 0, 0, Stats.ZERO)));
        assertThat(IpvsadmFormat.format(INFO, List.of(web), Layout.DEFAULT)).isEqualTo(lines(
                "IP Virtual Server version 1.2.1 (size=4096)",
                "Prot LocalAddress:Port Scheduler Flags",
                "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
                "TCP  192.168.1.120:80 wrr persistent 50",
                "  -> 192.168.1.103:80             Route   1      0          0         ",
                "  -> 192.168.1.104:80             Route   5      3          12        "));
    }

    @Test
    void sortedLikeIpvsadmWithFlagsMasksIpv6AndFwmark() {
        KernelService fwmark = new KernelService(new ServiceEntry(Service.of(ServiceKey.fwmark(7, AddressFamily.INET), "rr")
                .withPersistence(300, 0xffffff00), Stats.ZERO),
                List.of(dest("10.0.0.5", 0, Forwarding.DIRECT_ROUTE, 1, 0, 0, Stats.ZERO)));
        KernelService v6 = new KernelService(new ServiceEntry(Service.of(ServiceKey.of(Protocol.TCP, ip("2001:db8::10"), 443), "sh")
                .withFlags(Service.SCHED_FALLBACK | Service.SCHED_PORT).withPersistence(360, 64), Stats.ZERO),
                List.of(dest("2001:db8::2", 443, Forwarding.DIRECT_ROUTE, 2, 1, 0, Stats.ZERO)));
        KernelService dns = new KernelService(new ServiceEntry(Service.of(ServiceKey.of(Protocol.UDP, ip("10.0.0.1"), 53), "rr")
                .withFlags(Service.ONE_PACKET), Stats.ZERO), List.of(
                dest("10.0.0.3", 53, Forwarding.MASQ, 1, 0, 0, Stats.ZERO),
                dest("10.0.0.2", 53, Forwarding.MASQ, 1, 0, 0, Stats.ZERO)));
        KernelService local = new KernelService(new ServiceEntry(Service.of(ServiceKey.of(Protocol.TCP, ip("10.0.0.1"), 80), "wlc"),
                Stats.ZERO), List.of(dest("10.0.0.1", 80, Forwarding.LOCAL, 1, 0, 0, Stats.ZERO)));
        String listing = IpvsadmFormat.format(INFO, List.of(fwmark, v6, dns, local), Layout.DEFAULT);
        assertThat(listing.substring(listing.indexOf("InActConn\n") + "InActConn\n".length())).isEqualTo(lines(
                "TCP  10.0.0.1:80 wlc",
                "  -> 10.0.0.1:80                  Local   1      0          0         ",
                "UDP  10.0.0.1:53 rr ops",
                "  -> 10.0.0.2:53                  Masq    1      0          0         ",
                "  -> 10.0.0.3:53                  Masq    1      0          0         ",
                "TCP  [2001:db8::10]:443 sh (sh-fallback,sh-port) persistent 360 mask 64",
                "  -> [2001:db8::2]:443            Route   2      1          0         ",
                "FWM  7 rr persistent 300 mask 255.255.255.0",
                "  -> 10.0.0.5:0                   Route   1      0          0         "));
    }

    @Test
    void statsAbbreviateLargeCountersLikePrintLargenum() {
        KernelService web = new KernelService(new ServiceEntry(SEED_004,
                new Stats(42, 123_456_789, 0, 5_000_000_000L, 150_000_000_000_000L, 0, 0, 0, 0, 0)),
                List.of(dest("192.168.1.103", 80, Forwarding.DIRECT_ROUTE, 1, 0, 0,
                        new Stats(40, 99_999_999, 0, 999_999_999, 100_000_000_000L, 0, 0, 0, 0, 0))));
        assertThat(IpvsadmFormat.format(INFO, List.of(web), Layout.STATS)).isEqualTo(lines(
                "IP Virtual Server version 1.2.1 (size=4096)",
                "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes",
                "  -> RemoteAddress:Port",
                "TCP  192.168.1.120:80                   42  123456K        0    5000M     150T",
                "  -> 192.168.1.103:80                   40 99999999        0  999999K     100G"));
    }

    @Test
    void ratesOfRealServersPrintPacketRatesUnabbreviated() {
        KernelService web = new KernelService(new ServiceEntry(SEED_004, new Stats(0, 0, 0, 0, 0, 12, 1000, 0, 250_000_000, 0)),
                List.of(dest("192.168.1.103", 80, Forwarding.DIRECT_ROUTE, 1, 0, 0,
                        new Stats(0, 0, 0, 0, 0, 12, 100_000_000, 0, 250_000_000, 0))));
        assertThat(IpvsadmFormat.format(INFO, List.of(web), Layout.RATE)).isEqualTo(lines(
                "IP Virtual Server version 1.2.1 (size=4096)",
                "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS",
                "  -> RemoteAddress:Port",
                "TCP  192.168.1.120:80                   12     1000        0  250000K        0",
                "  -> 192.168.1.103:80                   12 100000000        0  250000K        0"));
    }

    @Test
    void emptyTableIsTheHeaderOnly() {
        assertThat(IpvsadmFormat.format(INFO, List.of(), Layout.DEFAULT)).isEqualTo(lines(
                "IP Virtual Server version 1.2.1 (size=4096)",
                "Prot LocalAddress:Port Scheduler Flags",
                "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn"));
        assertThat(IpvsadmFormat.large(99_999_999)).isEqualTo(" 99999999");
        assertThat(IpvsadmFormat.large(100_000_000)).isEqualTo("  100000K");
        assertThat(IpvsadmFormat.large(1_000_000_000)).isEqualTo("    1000M");
        assertThat(IpvsadmFormat.schedulerFlags(Service.of(SEED_004.key(), "wrr").withFlags(Service.SCHED3))).isEqualTo("flag-3");
    }
}
