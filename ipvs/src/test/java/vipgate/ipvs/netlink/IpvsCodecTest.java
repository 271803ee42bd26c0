package vipgate.ipvs.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vipgate.netlink.genl.GenericNetlink;
import vipgate.netlink.message.Attribute;

/**
 * Requests byte for byte as keepalived / ipvsadm's libipvs send them on a little-endian host (the layouts of
 * shared/reference/ipvs-netlink.md), with the flags (REQUEST|ACK = 0x0005) and sequence number the socket stamps.
 * Nests carry NLA_F_NESTED (type 0x8001...): the kernel's IPVS parser accepts nests with or without it.
 */
class IpvsCodecTest {
    /** Any family id: the kernel assigns IPVS's at module load. */
    private static final int FAMILY_ID = 0x1c;
    private static final HexFormat HEX = HexFormat.of();

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "literal layouts are for little-endian hosts");
    }

    static byte[] wire(IpvsRequest request) {
        return GenericNetlink.message(FAMILY_ID, request.command().code(), IpvsCodec.VERSION,
                request.attributes().toArray(Attribute[]::new)).with(1, 0x0005).encode();
    }

    static String clean(String hex) {
        return hex.replaceAll("\\s+|//[^\\n]*", "");
    }

    static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    static final String SERVICE_10_0_0_100_80_WLC = """
            5400 0180                   // SERVICE, 84 bytes, nested
              0600 0100 0200 0000       // AF = AF_INET
              0600 0200 0600 0000       // PROTOCOL = TCP
              1400 0300 0a000064 000000000000000000000000   // ADDR 10.0.0.100 padded to 16
              0600 0400 0050 0000       // PORT 80, network order, padded
              0800 0600 776c6300        // SCHED_NAME "wlc"
              0c00 0700 00000000 ffffffff   // FLAGS {flags 0, mask ~0}
              0800 0800 00000000        // TIMEOUT 0
              0800 0900 ffffffff        // NETMASK 255.255.255.255
            """;

    @Test
    void newServiceIsTheReferenceDocs104Bytes() throws Exception {
        Service service = Service.of(ServiceKey.of(Protocol.TCP, ip("10.0.0.100"), 80), "wlc");
        byte[] bytes = wire(IpvsCodec.newService(service));
        assertThat(bytes).hasSize(104);
        assertThat(HEX.formatHex(bytes)).isEqualTo(clean("""
                68000000 1c00 0500 01000000 00000000   // nlmsghdr: len 104, type family, REQUEST|ACK, seq 1, port 0
                01 01 0000                               // genlmsghdr: NEW_SERVICE, version 1
                """ + SERVICE_10_0_0_100_80_WLC));
    }

    @Test
    void deleteServiceSendsTheFullServiceLikeKeepalived() throws Exception {
        Service service = Service.of(ServiceKey.of(Protocol.TCP, ip("10.0.0.100"), 80), "wlc");
        assertThat(HEX.formatHex(wire(IpvsCodec.deleteService(service)))).isEqualTo(clean("""
                68000000 1c00 0500 01000000 00000000
                03 01 0000                               // DEL_SERVICE
                """ + SERVICE_10_0_0_100_80_WLC));
        assertThat(HEX.formatHex(wire(IpvsCodec.setService(service))).substring(32, 34)).isEqualTo("02");
    }

    @Test
    void newDestinationDirectRouteCarriesServiceThenDestination() throws Exception {
        Service service = Service.of(ServiceKey.of(Protocol.TCP, ip("10.0.0.100"), 80), "wlc");
        Destination dr = new Destination(ip("10.0.0.2"), 80, Forwarding.DIRECT_ROUTE, 3, 1000, 100, Tunnel.IPIP);
        byte[] bytes = wire(IpvsCodec.newDestination(service, dr));
        assertThat(bytes).hasSize(16 + 4 + 84 + 72);
        assertThat(HEX.formatHex(bytes)).isEqualTo(clean("""
                b0000000 1c00 0500 01000000 00000000   // len 176
                05 01 0000                               // NEW_DEST
                """ + SERVICE_10_0_0_100_80_WLC + """
                4800 0280                   // DEST, 72 bytes, nested
                  0600 0b00 0200 0000       // ADDR_FAMILY = AF_INET
                  1400 0100 0a000002 000000000000000000000000   // ADDR 10.0.0.2
                  0600 0200 0050 0000       // PORT 80, network order
                  0800 0300 03000000        // FWD_METHOD = DROUTE
                  0800 0400 03000000        // WEIGHT 3
                  0800 0500 e8030000        // U_THRESH 1000
                  0800 0600 64000000        // L_THRESH 100
                """));
        assertThat(HEX.formatHex(wire(IpvsCodec.deleteDestination(service, dr))))
                .isEqualTo(HEX.formatHex(bytes).replaceFirst("^(.{32})05", "$107"));
    }

    @Test
    void tunnelDestinationAddsGueTypePortAndFlags() throws Exception {
        Destination gue = new Destination(ip("10.0.0.3"), 80, Forwarding.TUNNEL, 1, 0, 0,
                new Tunnel(Tunnel.Type.GUE, 6081, Tunnel.Checksum.CSUM));
        assertThat(HEX.formatHex(IpvsCodec.destinationAttribute(gue).bytes())).isEqualTo(clean("""
                0600 0b00 0200 0000
                1400 0100 0a000003 000000000000000000000000
                0600 0200 0050 0000
                0800 0300 02000000          // FWD_METHOD = TUNNEL
                0800 0400 01000000
                0500 0d00 01 000000         // TUN_TYPE = GUE (u8)
                0600 0e00 17c1 0000         // TUN_PORT 6081, network order
                0600 0f00 0100 0000         // TUN_FLAGS = CSUM
                0800 0500 00000000
                0800 0600 00000000
                """));
    }

    @Test
    void fwmarkServiceWithPersistenceAndSlash24Granularity() {
        Service service = Service.of(ServiceKey.fwmark(5, AddressFamily.INET), "rr").withPersistence(300, 0xffffff00);
        assertThat(HEX.formatHex(wire(IpvsCodec.newService(service)))).isEqualTo(clean("""
                4c000000 1c00 0500 01000000 00000000   // len 76
                01 01 0000
                3800 0180                   // SERVICE, 56 bytes
                  0600 0100 0200 0000       // AF_INET
                  0800 0500 05000000        // FWMARK 5 (no protocol, address or port)
                  0700 0600 727200 00       // SCHED_NAME "rr", padded
                  0c00 0700 01000000 ffffffff   // FLAGS PERSISTENT, mask ~0
                  0800 0800 2c010000        // TIMEOUT 300
                  0800 0900 ffffff00        // NETMASK 255.255.255.0, network order
                """));
    }

    @Test
    void ipv6ServiceHasSixteenAddressBytesAndAHostOrderPrefixLength() throws Exception {
        Service service = Service.of(ServiceKey.of(Protocol.TCP, ip("2001:db8::1"), 443), "sh")
                .withFlags(Service.SCHED_FALLBACK | Service.SCHED_PORT).withPersistence(360, 64);
        assertThat(HEX.formatHex(IpvsCodec.serviceAttribute(service.key(), Optional.of(service)).bytes())).isEqualTo(clean("""
                0600 0100 0a00 0000         // AF_INET6
                0600 0200 0600 0000         // TCP
                1400 0300 20010db8000000000000000000000001
                0600 0400 01bb 0000         // PORT 443
                0700 0600 736800 00         // "sh"
                0c00 0700 19000000 ffffffff // PERSISTENT | SCHED1 (sh-fallback) | SCHED2 (sh-port)
                0800 0800 68010000          // TIMEOUT 360
                0800 0900 40000000          // NETMASK: prefix length 64, host order
                """));
    }

    @Test
    void destinationDumpAndServiceLookupSendOnlyTheServiceKey() throws Exception {
        Service service = Service.of(ServiceKey.of(Protocol.UDP, ip("10.0.0.100"), 53), "rr");
        String keyOnly = """
                44000000 1c00 0500 01000000 00000000   // len 68
                %s 01 0000                  // the command
                3000 0180                   // SERVICE, 48 bytes
                  0600 0100 0200 0000
                  0600 0200 1100 0000       // UDP
                  1400 0300 0a000064 000000000000000000000000
                  0600 0400 0035 0000       // PORT 53
                """;
        assertThat(HEX.formatHex(wire(IpvsCodec.dumpDestinations(service)))).isEqualTo(clean(keyOnly.formatted("08"))); // GET_DEST
        assertThat(HEX.formatHex(wire(IpvsCodec.getService(service)))).isEqualTo(clean(keyOnly.formatted("04"))); // GET_SERVICE
    }

    @Test
    void syncDaemonStartAndStop() {
        Daemon master = Daemon.of(Daemon.State.MASTER, "eth0", 51);
        assertThat(HEX.formatHex(wire(IpvsCodec.newDaemon(master)))).isEqualTo(clean("""
                34000000 1c00 0500 01000000 00000000   // len 52
                09 01 0000                  // NEW_DAEMON
                2000 0380                   // DAEMON, 32 bytes
                  0800 0100 01000000        // STATE = MASTER
                  0900 0200 65746830 00 000000  // MCAST_IFN "eth0"
                  0800 0300 33000000        // SYNC_ID 51
                """));
        assertThat(HEX.formatHex(wire(IpvsCodec.deleteDaemon(master))).substring(32, 34)).isEqualTo("0a");
        Daemon tuned = new Daemon(Daemon.State.BACKUP, "eth1", 7, 1400, Optional.of(InetAddress.getLoopbackAddress()),
                8848, 2);
        assertThat(HEX.formatHex(IpvsCodec.newDaemon(tuned).attributes().get(0).bytes())).isEqualTo(clean("""
                0800 0100 02000000          // BACKUP
                0900 0200 65746831 00 000000
                0800 0300 07000000
                0600 0400 7805 0000         // SYNC_MAXLEN 1400
                0600 0700 9022 0000         // MCAST_PORT 8848, host order (the kernel converts it)
                0500 0800 02 000000         // MCAST_TTL 2
                0800 0500 7f000001          // MCAST_GROUP, network order
                """));
    }

    @Test
    void configInfoZeroAndFlush() throws Exception {
        assertThat(HEX.formatHex(wire(IpvsCodec.setTimeouts(new Timeouts(900, 120, 300))))).isEqualTo(clean("""
                2c000000 1c00 0500 01000000 00000000
                0c 01 0000                  // SET_CONFIG
                0800 0400 84030000          // TIMEOUT_TCP 900
                0800 0500 78000000          // TIMEOUT_TCP_FIN 120
                0800 0600 2c010000          // TIMEOUT_UDP 300
                """));
        assertThat(HEX.formatHex(wire(IpvsCodec.getTimeouts()))).isEqualTo("140000001c00050001000000000000000d010000");
        assertThat(HEX.formatHex(wire(IpvsCodec.getInfo()))).isEqualTo("140000001c00050001000000000000000f010000");
        assertThat(HEX.formatHex(wire(IpvsCodec.flush()))).isEqualTo("140000001c0005000100000000000000110100" + "00");
        assertThat(HEX.formatHex(wire(IpvsCodec.zero(Optional.empty())))).isEqualTo("140000001c000500010000000000000010010000");
        Service service = Service.of(ServiceKey.of(Protocol.TCP, ip("10.0.0.100"), 80), "wlc");
        assertThat(HEX.formatHex(wire(IpvsCodec.zero(Optional.of(service))))).endsWith(clean(SERVICE_10_0_0_100_80_WLC));
        assertThat(IpvsCodec.dumpServices().attributes()).isEmpty();
        assertThat(IpvsCodec.dumpDaemons().command()).isEqualTo(Command.GET_DAEMON);
    }

    @Test
    void requestsDescribeThemselves() throws Exception {
        Service service = Service.of(ServiceKey.of(Protocol.TCP, ip("10.0.0.100"), 80), "wlc");
        assertThat(IpvsCodec.newDestination(service, Destination.of(ip("10.0.0.2"), 80, Forwarding.MASQ, 1)).describe())
                .isEqualTo("NEW_DEST 10.0.0.2:80 of 10.0.0.100:80/tcp");
        assertThat(IpvsCodec.newDaemon(Daemon.of(Daemon.State.BACKUP, "eth0", 3)).describe())
                .isEqualTo("NEW_DAEMON backup sync daemon on eth0 sync-id 3");
    }

    @Test
    void modelRejectsWhatTheKernelWould() throws Exception {
        ServiceKey key = ServiceKey.of(Protocol.TCP, ip("10.0.0.1"), 80);
        assertThatThrownBy(() -> Service.of(key, "")).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> Service.of(key, "a-scheduler-name-too-long")).hasMessageContaining("15 bytes");
        assertThatThrownBy(() -> Service.of(key, "rr").withFlags(Service.HASHED)).hasMessageContaining("outside");
        assertThatThrownBy(() -> Service.of(ServiceKey.of(Protocol.TCP, ip("::1"), 80), "rr").withPersistence(10, 129))
                .hasMessageContaining("1..128");
        assertThatThrownBy(() -> ServiceKey.fwmark(0, AddressFamily.INET)).hasMessageContaining("fwmark 0");
        assertThatThrownBy(() -> Destination.of(ip("10.0.0.2"), 80, Forwarding.MASQ, -1)).hasMessageContaining("weight");
        assertThatThrownBy(() -> new Tunnel(Tunnel.Type.GUE, 0, Tunnel.Checksum.NOCSUM)).hasMessageContaining("UDP port");
        assertThatThrownBy(() -> Daemon.of(Daemon.State.MASTER, "an-interface-name", 1)).hasMessageContaining("1..15");
        // a tunnel setting on a non-tunnel destination is the kernel's zero value, so dumps compare equal
        assertThat(new Destination(ip("10.0.0.2"), 80, Forwarding.DIRECT_ROUTE, 1, 0, 0,
                new Tunnel(Tunnel.Type.GRE, 0, Tunnel.Checksum.CSUM)).tunnel()).isEqualTo(Tunnel.IPIP);
    }
}
