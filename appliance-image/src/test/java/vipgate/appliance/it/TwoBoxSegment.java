package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import vipgate.testkit.Await;
import vipgate.testkit.NetNs;

/**
 * Two boxes a (10.77.0.1) and b (10.77.0.2) on one bridged L2 segment of network namespaces, for VRRP tests;
 * {@code ip addr} in each box is the oracle of who holds the VIP.
 */
final class TwoBoxSegment implements AutoCloseable {
    static final String VIP = "10.77.0.100";
    static final Duration ELECTION = Duration.ofSeconds(15);

    final NetNs sw;
    final NetNs a;
    final NetNs b;
    private NetNs c;

    TwoBoxSegment() {
        sw = NetNs.create();
        a = NetNs.create();
        b = NetNs.create();
        NetNs.veth(a, "eth0", sw, "port-a");
        NetNs.veth(b, "eth0", sw, "port-b");
        sw.bridge("br0", "port-a", "port-b");
        a.ip("addr", "add", "10.77.0.1/24", "dev", "eth0");
        b.ip("addr", "add", "10.77.0.2/24", "dev", "eth0");
    }

    /** A third box c (10.77.0.3) on the segment: a client whose neighbour table shows who it sends the VIP's traffic to. */
    NetNs addClient() {
        if (c == null) {
            c = NetNs.create();
            NetNs.veth(c, "eth0", sw, "port-c");
            sw.ip("link", "set", "port-c", "master", "br0");
            c.ip("addr", "add", "10.77.0.3/24", "dev", "eth0");
        }
        return c;
    }

    /** The MAC address of {@code box}'s eth0. */
    static String mac(NetNs box) {
        String link = box.ip("-o", "link", "show", "eth0");
        return link.replaceAll("(?s).*link/ether ([0-9a-f:]{17}).*", "$1");
    }

    static boolean holdsVip(NetNs box) {
        return box.ip("-4", "addr", "show", "dev", "eth0").contains(VIP + "/");
    }

    static void awaitVip(NetNs box, boolean present) {
        boolean reached = Await.until(ELECTION, () -> holdsVip(box) == present);
        assertThat(reached).as("VIP %s %s on %s: %s", VIP, present ? "present" : "absent", box.name(),
                box.ip("-4", "addr", "show", "dev", "eth0")).isTrue();
    }

    @Override
    public void close() {
        if (c != null) {
            c.close();
        }
        a.close();
        b.close();
        sw.close();
    }
}
