package vipgate.netlink.raw;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RawCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    // IPv4: IHL 5, TOS c0, total 40, id, no frag, TTL 255, proto 112, checksum, 10.0.0.1 -> 224.0.0.18
    private static final String HEADER = "45c00028" + "00010000" + "ff70" + "0000" + "0a000001" + "e0000012";
    private static final String VRRP = "2101640101000000" + "0a0000c8" + "0000000000000000"; // v2, 1 VIP, auth none

    @Test
    void parsesAnIpv4DatagramAndCutsAtTotalLength() throws Exception {
        byte[] datagram = HEX.parseHex(HEADER + VRRP + "deadbeef"); // trailing bytes beyond total length
        ReceivedPacket packet = ReceivedPacket.parse(datagram, datagram.length, 112);
        assertThat(packet.source()).isEqualTo(InetAddress.getByName("10.0.0.1"));
        assertThat(packet.destination()).isEqualTo(InetAddress.getByName("224.0.0.18"));
        assertThat(packet.ttl()).isEqualTo(255);
        assertThat(HEX.formatHex(packet.payload())).isEqualTo(VRRP);
    }

    @Test
    void honoursIpOptions() {
        // IHL 6: one 4-byte option (router alert), total length 44
        byte[] datagram = HEX.parseHex("46c0002c" + "00010000" + "0170" + "0000" + "0a000001" + "0a000002"
                + "94040000" + VRRP);
        ReceivedPacket packet = ReceivedPacket.parse(datagram, datagram.length, 112);
        assertThat(packet.ttl()).isEqualTo(1);
        assertThat(HEX.formatHex(packet.payload())).isEqualTo(VRRP);
    }

    @Test
    void rejectsMalformedDatagrams() {
        byte[] good = HEX.parseHex(HEADER + VRRP);
        assertThat(ReceivedPacket.parse(good, good.length - 1, 112)).as("shorter than total length").isNull();
        assertThat(ReceivedPacket.parse(good, good.length, 6)).as("other protocol").isNull();
        byte[] v6 = good.clone();
        v6[0] = 0x65;
        assertThat(ReceivedPacket.parse(v6, v6.length, 112)).as("not IPv4").isNull();
        byte[] shortIhl = good.clone();
        shortIhl[0] = 0x44;
        assertThat(ReceivedPacket.parse(shortIhl, shortIhl.length, 112)).as("IHL < 5").isNull();
    }

    @Test
    void socketAddressLayouts() throws Exception {
        assertThat(HEX.formatHex(SocketAddresses.sockaddrIn((Inet4Address) InetAddress.getByName("224.0.0.18"))))
                .isEqualTo("0200" + "0000" + "e0000012" + "0000000000000000");
        assertThat(HEX.formatHex(SocketAddresses.ipMreqn((Inet4Address) InetAddress.getByName("224.0.0.18"), 5)))
                .isEqualTo("e0000012" + "00000000" + "05000000");
        assertThat(HEX.formatHex(SocketAddresses.sockaddrLl(3, 0x0806)))
                .isEqualTo("1100" + "0806" + "03000000" + "0000" + "00" + "00" + "0000000000000000");
        assertThat(SocketAddresses.htons(0x0806)).isEqualTo(0x0608);
        assertThat(HEX.formatHex(SocketAddresses.sockaddrIn6((Inet6Address) InetAddress.getByName("ff02::12"), 4)))
                .isEqualTo("0a00" + "0000" + "00000000" + "ff020000000000000000000000000012" + "04000000");
        assertThat(HEX.formatHex(SocketAddresses.ipv6Mreq((Inet6Address) InetAddress.getByName("ff02::12"), 4)))
                .isEqualTo("ff020000000000000000000000000012" + "04000000");
    }
}
