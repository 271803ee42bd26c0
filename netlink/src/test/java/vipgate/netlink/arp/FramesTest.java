package vipgate.netlink.arp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import vipgate.netlink.checksum.InternetChecksum;

class FramesTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] MAC = HEX.parseHex("020000aabbcc");

    @Test
    void gratuitousArpIsABroadcastRequestForTheVip() throws Exception {
        byte[] frame = GratuitousArp.frame(MAC, (Inet4Address) InetAddress.getByName("10.9.8.7"));

        assertThat(frame).hasSize(42);
        assertThat(HEX.formatHex(frame)).isEqualTo(
                "ffffffffffff" + "020000aabbcc" + "0806"   // Ethernet: broadcast, our MAC, ARP
                        + "0001" + "0800" + "06" + "04" + "0001" // Ethernet/IPv4, request
                        + "020000aabbcc" + "0a090807"          // sender: MAC, VIP
                        + "ffffffffffff" + "0a090807");        // target: broadcast, VIP
    }

    @Test
    void unsolicitedNeighbourAdvertHasHeadersFlagsOptionAndChecksum() throws Exception {
        Inet6Address vip = (Inet6Address) InetAddress.getByName("fd00:10::5");
        byte[] frame = UnsolicitedNeighbourAdvert.frame(MAC, vip);

        assertThat(frame).hasSize(86);
        assertThat(HEX.formatHex(frame, 0, 14)).isEqualTo("333300000001" + "020000aabbcc" + "86dd");
        assertThat(HEX.formatHex(frame, 14, 22)).isEqualTo("60000000" + "0020" + "3a" + "ff"); // len 32, ICMPv6, 255
        assertThat(Arrays.copyOfRange(frame, 22, 38)).isEqualTo(vip.getAddress());           // source: the VIP
        assertThat(HEX.formatHex(frame, 38, 54)).isEqualTo("ff020000000000000000000000000001");
        byte[] icmp = Arrays.copyOfRange(frame, 54, 86);
        assertThat(icmp[0] & 0xff).isEqualTo(136);                  // Neighbour Advertisement
        assertThat(icmp[1]).isZero();
        assertThat(icmp[4] & 0xff).isEqualTo(0x20);                 // Override only: not a router, not solicited
        assertThat(Arrays.copyOfRange(icmp, 8, 24)).isEqualTo(vip.getAddress());
        assertThat(HEX.formatHex(icmp, 24, 32)).isEqualTo("0201" + "020000aabbcc"); // target link-layer address

        // Verifies: the sum over pseudo-header + ICMPv6 message (checksum included) is 0.
        int verify = new InternetChecksum().add(frame, 22, 32)
                .add(new byte[] {0, 0, 0, 32, 0, 0, 0, 58}).add(icmp).value();
        assertThat(verify).isZero();
        // and the stored checksum equals an independent recomputation with the field zeroed
        byte[] zeroed = icmp.clone();
        zeroed[2] = 0;
        zeroed[3] = 0;
        int expected = new InternetChecksum().add(frame, 22, 32)
                .add(new byte[] {0, 0, 0, 32, 0, 0, 0, 58}).add(zeroed).value();
        assertThat(((icmp[2] & 0xff) << 8) | (icmp[3] & 0xff)).isEqualTo(expected).isNotZero();
    }

    @Test
    void routerFlagOnRequest() throws Exception {
        byte[] frame = UnsolicitedNeighbourAdvert.frame(MAC, (Inet6Address) InetAddress.getByName("fd00::1"), true);
        assertThat(frame[54 + 4] & 0xff).isEqualTo(0xa0);
    }

    @Test
    void refusesAMacOfTheWrongSize() {
        assertThatThrownBy(() -> GratuitousArp.frame(new byte[5], (Inet4Address) InetAddress.getByName("10.0.0.1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6 bytes");
    }
}
