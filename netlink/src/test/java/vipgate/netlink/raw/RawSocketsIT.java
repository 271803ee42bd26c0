package vipgate.netlink.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vipgate.netlink.InNamespace;
import vipgate.netlink.arp.GratuitousArp;
import vipgate.netlink.arp.UnsolicitedNeighbourAdvert;
import vipgate.netlink.libc.LibC;
import vipgate.netlink.route.RouteNetlink;
import vipgate.testkit.Await;
import vipgate.testkit.NetNs;

/** Two namespaces joined by a veth pair: A (va, 10.201.0.1, fd00:201::1) and B (vb, 10.201.0.2, fd00:201::2). */
class RawSocketsIT {
    private static final Inet4Address GROUP = v4("224.0.0.18");
    private static final Inet4Address A_IP = v4("10.201.0.1");
    private static final Inet4Address B_IP = v4("10.201.0.2");
    // a VRRPv2 advert: VRID 51, priority 100, 1 address, auth none, 1 s, checksum, 10.201.0.100, 8 zero bytes
    private static final byte[] ADVERT = HexFormat.of().parseHex("2133640100011bd40ac900640000000000000000");

    private NetNs a;
    private NetNs b;
    private int va;
    private int vb;

    @BeforeAll
    static void root() {
        NetNs.requireRoot();
    }

    @BeforeEach
    void namespaces() throws Exception {
        a = NetNs.create();
        b = NetNs.create();
        for (NetNs ns : new NetNs[] {a, b}) {
            // no duplicate address detection: link-local addresses usable at once for the IPv6 tests
            ns.exec("sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
        }
        NetNs.veth(a, "va", b, "vb");
        a.ip("addr", "add", "10.201.0.1/24", "dev", "va");
        b.ip("addr", "add", "10.201.0.2/24", "dev", "vb");
        va = InNamespace.call(a, () -> LibC.INSTANCE.if_nametoindex("va"));
        vb = InNamespace.call(b, () -> LibC.INSTANCE.if_nametoindex("vb"));
        assertThat(va).isPositive();
        assertThat(vb).isPositive();
    }

    @AfterEach
    void cleanup() {
        b.close();
        a.close();
    }

    @Test
    void multicastAdvertArrivesWithTtl255AndIsNotLoopedBack() throws Exception {
        try (RawIpv4Socket sender = InNamespace.call(a, () -> vrrpSocket("va", va));
             RawIpv4Socket receiver = InNamespace.call(b, () -> vrrpSocket("vb", vb))) {
            sender.send(GROUP, ADVERT);

            ReceivedPacket packet = receiver.receive(2000);
            assertThat(packet).isNotNull();
            assertThat(packet.source()).isEqualTo(A_IP);
            assertThat(packet.destination()).isEqualTo(GROUP);
            assertThat(packet.ttl()).isEqualTo(255);
            assertThat(packet.payload()).isEqualTo(ADVERT);

            assertThat(sender.receive(300)).as("own advert looped back").isNull();
        }
    }

    @Test
    void aDatagramReadLateKnowsWhenItArrived() throws Exception {
        try (RawIpv4Socket sender = InNamespace.call(a, () -> vrrpSocket("va", va));
             RawIpv4Socket receiver = InNamespace.call(b, () -> vrrpSocket("vb", vb).timestampArrivals())) {
            long sent = System.nanoTime();
            sender.send(GROUP, ADVERT);
            // the receiver is late (a starved thread, a GC pause): the kernel's stamp still says when it came
            Thread.sleep(300);
            assertThat(receiver.receive(2000)).isNotNull();
            long read = System.nanoTime();
            assertThat(receiver.arrivedAt()).isBetween(sent, sent + (read - sent) / 2);
        }
    }

    @Test
    void unicastAdvertReachesTheBoundPeer() throws Exception {
        try (RawIpv4Socket sender = InNamespace.call(a, () -> RawIpv4Socket.open(112).ttl(255).bind(A_IP));
             RawIpv4Socket receiver = InNamespace.call(b, () -> RawIpv4Socket.open(112).bind(B_IP))) {
            sender.send(B_IP, ADVERT);

            ReceivedPacket packet = receiver.receive(2000);
            assertThat(packet).isNotNull();
            assertThat(packet.source()).isEqualTo(A_IP);
            assertThat(packet.destination()).isEqualTo(B_IP);
            assertThat(packet.ttl()).isEqualTo(255);
            assertThat(packet.payload()).isEqualTo(ADVERT);
        }
    }

    @Test
    void multicastSendWithoutInterfaceFailsClearly() throws Exception {
        try (RawIpv4Socket socket = InNamespace.call(a, () -> RawIpv4Socket.open(112))) {
            // veth only has 10.201.0.0/24: no route to 224.0.0.18 without a device or multicast interface
            assertThatThrownBy(() -> socket.send(GROUP, ADVERT)).hasMessageContaining("ENETUNREACH")
                    .hasMessageContaining("sendto(AF_INET/SOCK_RAW/112, to 224.0.0.18)");
        }
    }

    @Test
    void closeWakesABlockedReceiver() throws Exception {
        RawIpv4Socket socket = InNamespace.call(b, () -> vrrpSocket("vb", vb));
        CompletableFuture<ReceivedPacket> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                return socket.receive(-1);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(200);
        assertThat(blocked).isNotDone();
        socket.close();
        assertThatThrownBy(() -> blocked.get(2, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(AsynchronousCloseException.class);
    }

    @Test
    void gratuitousArpIsSeenByThePeerAndUpdatesItsCache() throws Exception {
        byte[] macA = InNamespace.call(a, () -> {
            try (RouteNetlink route = RouteNetlink.open()) {
                return route.link("va").orElseThrow().mac();
            }
        });
        String macText = HexFormat.ofDelimiter(":").formatHex(macA);
        // B believes the VIP is elsewhere: the GARP must override that
        b.ip("neigh", "replace", "10.201.0.100", "lladdr", "02:00:00:00:00:99", "dev", "vb", "nud", "stale");
        byte[] frame = GratuitousArp.frame(macA, v4("10.201.0.100"));

        try (PacketSocket sender = InNamespace.call(a, () -> PacketSocket.open(va, PacketSocket.SEND_ONLY));
             PacketSocket arpWatcher = InNamespace.call(b, () -> PacketSocket.open(vb, PacketSocket.ETH_P_ARP))) {
            sender.send(frame);

            assertThat(receiveMatching(arpWatcher, frame)).isTrue();
            Await.require(Duration.ofSeconds(3), () -> "B's neighbour entry for the VIP to become " + macText + ": "
                    + b.ip("neigh", "show", "10.201.0.100"),
                    () -> b.ip("neigh", "show", "10.201.0.100").contains(macText));
            assertThat(sender.receive(0)).as("a send-only socket receives nothing").isNull();
        }
    }

    @Test
    void unsolicitedNeighbourAdvertUpdatesThePeersCache() throws Exception {
        byte[] macA = InNamespace.call(a, () -> {
            try (RouteNetlink route = RouteNetlink.open()) {
                return route.link("va").orElseThrow().mac();
            }
        });
        String macText = HexFormat.ofDelimiter(":").formatHex(macA);
        b.ip("-6", "neigh", "replace", "fd00:201::100", "lladdr", "02:00:00:00:00:99", "dev", "vb", "nud", "stale");
        byte[] frame = UnsolicitedNeighbourAdvert.frame(macA, (Inet6Address) InetAddress.getByName("fd00:201::100"));

        try (PacketSocket sender = InNamespace.call(a, () -> PacketSocket.open(va, PacketSocket.SEND_ONLY))) {
            sender.send(frame);
            // B's kernel checks hop limit 255 and the ICMPv6 checksum before taking the new address
            Await.require(Duration.ofSeconds(3), () -> "B's neighbour entry for the VIP to become " + macText + ": "
                    + b.ip("-6", "neigh", "show", "fd00:201::100"),
                    () -> b.ip("-6", "neigh", "show", "fd00:201::100").contains(macText));
        }
    }

    @Test
    void ipv6MulticastAdvertArrivesWithHopLimitDestinationAndKernelChecksum() throws Exception {
        Inet6Address group = (Inet6Address) InetAddress.getByName("ff02::12");
        byte[] advert = HexFormat.of().parseHex("3133640100640000" + "fd000201000000000000000000000100");
        try (RawIpv6Socket sender = InNamespace.call(a, () -> vrrp6Socket("va", va, group));
             RawIpv6Socket receiver = InNamespace.call(b, () -> vrrp6Socket("vb", vb, group))) {
            sender.send(group, advert);

            ReceivedPacket6 packet = receiver.receive(2000);
            assertThat(packet).isNotNull();
            assertThat(packet.destination().getAddress()).isEqualTo(group.getAddress());
            assertThat(packet.hopLimit()).isEqualTo(255);
            assertThat(packet.ifindex()).isEqualTo(vb);
            assertThat(packet.source().isLinkLocalAddress()).isTrue();
            assertThat(packet.source().getScopeId()).isEqualTo(vb);
            byte[] payload = packet.payload();
            assertThat(payload).hasSize(advert.length);
            assertThat(Arrays.copyOfRange(payload, 0, 6)).isEqualTo(Arrays.copyOfRange(advert, 0, 6));
            assertThat((payload[6] | payload[7]) != 0).as("kernel filled the checksum").isTrue();

            assertThat(sender.receive(300)).as("own advert looped back").isNull();
        }
    }

    private static RawIpv4Socket vrrpSocket(String device, int ifindex) throws Exception {
        return RawIpv4Socket.open(RawIpv4Socket.IPPROTO_VRRP).tos(0xC0).ttl(255).multicastTtl(255)
                .multicastLoop(false).bindToDevice(device).multicastInterface(ifindex).joinGroup(GROUP, ifindex);
    }

    private static RawIpv6Socket vrrp6Socket(String device, int ifindex, Inet6Address group) throws Exception {
        return RawIpv6Socket.open(112).unicastHops(255).multicastHops(255).multicastLoop(false).checksumOffset(6)
                .bindToDevice(device).multicastInterface(ifindex).joinGroup(group, ifindex);
    }

    /** B may see other ARP traffic (e.g. probes): wait for our frame. */
    private static boolean receiveMatching(PacketSocket socket, byte[] expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline) {
            byte[] frame = socket.receive(200);
            if (frame != null && Arrays.equals(frame, expected)) {
                return true;
            }
        }
        return false;
    }

    private static Inet4Address v4(String address) {
        try {
            return (Inet4Address) InetAddress.getByName(address);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
