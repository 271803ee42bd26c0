package vipgate.ipvs.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vipgate.netlink.genl.GenlMessage;
import vipgate.netlink.message.Attributes;
import vipgate.netlink.message.NetlinkMessage;

/**
 * Dump replies built by hand the way net/netfilter/ipvs/ip_vs_ctl.c fills them (nests without NLA_F_NESTED, u64
 * counters preceded by a zero-length PAD attribute when needed, the kernel's HASHED flag set), then parsed.
 */
class IpvsReplyParseTest {
    private static final HexFormat HEX = HexFormat.of();

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "hand-built replies are little-endian");
    }

    /** One attribute: little-endian length and type, the value, zero padding to 4. */
    static byte[] tlv(int type, byte[]... values) {
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        for (byte[] v : values) {
            value.writeBytes(v);
        }
        int length = 4 + value.size();
        ByteBuffer out = ByteBuffer.allocate((length + 3) & ~3).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) length).putShort((short) type).put(value.toByteArray());
        return out.array();
    }

    static byte[] hex(String hex) {
        return HEX.parseHex(hex.replace(" ", ""));
    }

    static byte[] u16(int v) {
        return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array();
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    /** A whole reply datagram (nlmsghdr, genlmsghdr, attributes), parsed the way GenericNetlink hands it over. */
    static Attributes reply(int command, byte[]... attributes) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.writeBytes(new byte[] {(byte) command, 1, 0, 0});
        for (byte[] a : attributes) {
            payload.writeBytes(a);
        }
        byte[] body = payload.toByteArray();
        byte[] datagram = ByteBuffer.allocate(16 + body.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(16 + body.length).putShort((short) 0x1c).putShort((short) 0x2).putInt(7).putInt(0).put(body).array();
        NetlinkMessage message = NetlinkMessage.parseAll(datagram, datagram.length).get(0);
        GenlMessage genl = new GenlMessage(command, 1, message.attributes(4));
        return genl.attributes();
    }

    static byte[] stats64(long... values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(tlv(11)); // IPVS_STATS_ATTR_PAD: aligns the u64 values that follow
        for (int i = 0; i < values.length; i++) {
            out.writeBytes(tlv(i + 1, u64(values[i])));
        }
        return out.toByteArray();
    }

    @Test
    void serviceWithStats64PersistenceAndHashedFlag() throws Exception {
        Attributes attrs = reply(1, tlv(1,
                tlv(1, u16(2)),                                           // AF_INET
                tlv(2, u16(6)),                                           // TCP
                tlv(3, hex("c0a80178 00000000 00000000 00000000")),       // 192.168.1.120
                tlv(4, hex("0050")),                                      // port 80, network order
                tlv(6, "wrr\0".getBytes()),
                tlv(7, u32(0x3), u32(0xffffffff)),                        // PERSISTENT | HASHED
                tlv(8, u32(50)),
                tlv(9, hex("ffffff00")),                                  // 255.255.255.0
                tlv(10, tlv(1, u32(7))),                                  // old STATS: ignored when STATS64 is there
                tlv(12, stats64(42, 1000, 0, 5_000_000_000L, 0, 1, 2, 0, 300, 0))));
        ServiceEntry entry = IpvsCodec.parseService(attrs);
        assertThat(entry.service()).isEqualTo(Service.of(ServiceKey.of(Protocol.TCP, InetAddress.getByName("192.168.1.120"), 80),
                "wrr").withPersistence(50, 0xffffff00));
        assertThat(entry.stats()).isEqualTo(new Stats(42, 1000, 0, 5_000_000_000L, 0, 1, 2, 0, 300, 0));
    }

    @Test
    void fwmarkIpv6ServiceWithPersistenceEngineAndOnlyOldStats() {
        Attributes attrs = reply(1, tlv(1,
                tlv(1, u16(10)),
                tlv(5, u32(7)),
                tlv(6, "mh\0".getBytes()),
                tlv(11, "sip\0".getBytes()),
                tlv(7, u32(0x2 | 0x8), u32(0xffffffff)),
                tlv(8, u32(0)),
                tlv(9, u32(128)),
                tlv(10, tlv(1, u32(0xfffffffe)), tlv(4, u64(1L << 40)))));
        ServiceEntry entry = IpvsCodec.parseService(attrs);
        assertThat(entry.service()).isEqualTo(new Service(ServiceKey.fwmark(7, AddressFamily.INET6), "mh",
                Service.SCHED_FALLBACK, 0, 128, "sip"));
        assertThat(entry.stats().connections()).isEqualTo(0xfffffffeL); // u32 read unsigned
        assertThat(entry.stats().inBytes()).isEqualTo(1L << 40);
        assertThat(entry.service().key()).hasToString("fwmark 7/ipv6");
    }

    @Test
    void destinationWithCountersAndStats64() throws Exception {
        Attributes attrs = reply(5, tlv(2,
                tlv(1, hex("0a000002 00000000 00000000 00000000")),
                tlv(2, hex("1f90")),                                      // 8080
                tlv(3, u32(3)),                                           // DROUTE
                tlv(4, u32(5)),
                tlv(13, new byte[] {0}),
                tlv(14, hex("0000")),
                tlv(15, u16(0)),
                tlv(5, u32(0)),
                tlv(6, u32(0)),
                tlv(7, u32(12)),
                tlv(8, u32(34)),
                tlv(9, u32(2)),
                tlv(11, u16(2)),
                tlv(12, stats64(100, 200, 0, 3000, 0, 0, 0, 0, 0, 0))));
        DestinationEntry entry = IpvsCodec.parseDestination(attrs, AddressFamily.INET);
        assertThat(entry.destination()).isEqualTo(Destination.of(InetAddress.getByName("10.0.0.2"), 8080,
                Forwarding.DIRECT_ROUTE, 5));
        assertThat(entry.activeConnections()).isEqualTo(12);
        assertThat(entry.inactiveConnections()).isEqualTo(34);
        assertThat(entry.persistentConnections()).isEqualTo(2);
        assertThat(entry.stats().connections()).isEqualTo(100);
        assertThat(entry.stats().inBytes()).isEqualTo(3000);
    }

    @Test
    void oldKernelDestinationTakesTheServiceFamilyAndTunnelsParse() throws Exception {
        Attributes attrs = reply(5, tlv(2,
                tlv(1, hex("20010db8 00000000 00000000 00000002")),
                tlv(2, hex("0050")),
                tlv(3, u32(2)),
                tlv(4, u32(1)),
                tlv(13, new byte[] {2}),                                  // GRE
                tlv(14, hex("0000")),
                tlv(15, u16(1))));                                        // CSUM
        DestinationEntry entry = IpvsCodec.parseDestination(attrs, AddressFamily.INET6);
        assertThat(entry.destination()).isEqualTo(new Destination(InetAddress.getByName("2001:db8::2"), 80,
                Forwarding.TUNNEL, 1, 0, 0, new Tunnel(Tunnel.Type.GRE, 0, Tunnel.Checksum.CSUM)));
        assertThat(entry.stats()).isEqualTo(Stats.ZERO);
    }

    @Test
    void daemonInfoAndTimeouts() throws Exception {
        Daemon daemon = IpvsCodec.parseDaemon(reply(9, tlv(3,
                tlv(1, u32(1)), tlv(2, "eth0\0".getBytes()), tlv(3, u32(51)), tlv(4, u16(1472)), tlv(7, u16(8848)),
                tlv(8, new byte[] {1}), tlv(5, hex("e0000051")))));
        assertThat(daemon).isEqualTo(new Daemon(Daemon.State.MASTER, "eth0", 51, 1472,
                Optional.of(InetAddress.getByName("224.0.0.81")), 8848, 1));
        Info info = IpvsCodec.parseInfo(reply(15, tlv(1, u32(0x010201)), tlv(2, u32(4096))));
        assertThat(info).isEqualTo(new Info(0x010201, 4096));
        assertThat(info.versionString()).isEqualTo("1.2.1");
        assertThat(IpvsCodec.parseTimeouts(reply(13, tlv(4, u32(900)), tlv(5, u32(120)), tlv(6, u32(300)))))
                .isEqualTo(new Timeouts(900, 120, 300));
    }

    @Test
    void repliesMissingWhatTheKernelAlwaysSendsAreRejected() {
        assertThatThrownBy(() -> IpvsCodec.parseService(reply(1, tlv(2)))).hasMessageContaining("IPVS_CMD_ATTR_SERVICE");
        assertThatThrownBy(() -> IpvsCodec.parseService(reply(1, tlv(1, tlv(1, u16(2)), tlv(2, u16(6))))))
                .hasMessageContaining("SVC_ATTR_ADDR");
        assertThatThrownBy(() -> IpvsCodec.parseService(reply(1, tlv(1, tlv(1, u16(3)))))).hasMessageContaining("family 3");
        assertThatThrownBy(() -> IpvsCodec.parseDestination(reply(5, tlv(2, tlv(3, u32(3)))), AddressFamily.INET))
                .hasMessageContaining("DEST_ATTR_ADDR");
    }
}
