package vipgate.netlink.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import vipgate.netlink.message.NetlinkMessage;
import vipgate.netlink.message.NetlinkMessageBuilder;

class RouteCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void addIpv4RequestCarriesLocalAddressAndLabel() throws Exception {
        NetlinkMessage request = IfAddress.request(RouteNetlink.RTM_NEWADDR, 0x600, 3,
                InetAddress.getByName("10.0.0.5"), 24, "eth0:1");
        assertThat(request.type()).isEqualTo(20);
        assertThat(request.flags()).isEqualTo(0x600); // CREATE | EXCL
        assertThat(HEX.formatHex(request.payload())).isEqualTo(
                "02" + "18" + "00" + "00" + "03000000"       // AF_INET, /24, no flags, universe, ifindex 3
                        + "0800" + "0200" + "0a000005"       // IFA_LOCAL
                        + "0800" + "0100" + "0a000005"       // IFA_ADDRESS
                        + "0b00" + "0300" + "657468303a310000"); // IFA_LABEL "eth0:1\0" + pad
    }

    @Test
    void addIpv6RequestSkipsDuplicateAddressDetection() throws Exception {
        NetlinkMessage request = IfAddress.request(RouteNetlink.RTM_NEWADDR, 0x600, 7,
                InetAddress.getByName("fd00::5"), 64, "");
        byte[] payload = request.payload();
        assertThat(HEX.formatHex(payload, 0, 8)).isEqualTo("0a" + "40" + "02" + "00" + "07000000"); // NODAD
        assertThat(request.attributes(8).find(IfAddress.IFA_LOCAL).orElseThrow().bytes())
                .isEqualTo(InetAddress.getByName("fd00::5").getAddress());
        assertThat(request.attributes(8).find(IfAddress.IFA_LABEL)).isEmpty();
    }

    @Test
    void refusesWhatTheKernelWouldRejectObscurely() {
        assertThatThrownBy(() -> IfAddress.request(20, 0, 1, InetAddress.getByName("fd00::5"), 64, "eth0:1"))
                .hasMessageContaining("IPv6 addresses have no labels");
        assertThatThrownBy(() -> IfAddress.request(20, 0, 1, InetAddress.getByName("10.0.0.1"), 33, ""))
                .hasMessageContaining("prefix length 33");
        assertThatThrownBy(() -> IfAddress.request(20, 0, 1, InetAddress.getByName("10.0.0.1"), 24,
                "a-very-long-label")).hasMessageContaining("15 bytes");
    }

    @Test
    void parsesAnAddressNotificationPreferringLocalOverPeer() throws Exception {
        NetlinkMessage message = new NetlinkMessageBuilder(RouteNetlink.RTM_NEWADDR, 0)
                .familyHeader(new byte[] {2, 32, 0, 0, 9, 0, 0, 0})
                .bytes(IfAddress.IFA_ADDRESS, new byte[] {10, 0, 0, 2})
                .bytes(IfAddress.IFA_LOCAL, new byte[] {10, 0, 0, 1})
                .string(IfAddress.IFA_LABEL, "ppp0")
                .build();
        IfAddress address = IfAddress.parse(message).orElseThrow();
        assertThat(address).isEqualTo(new IfAddress(9, InetAddress.getByName("10.0.0.1"), 32, "ppp0"));
        assertThat(RouteEvents.toEvent(message)).isEqualTo(new RouteEvent.AddressAdded(address));
    }

    @Test
    void parsesALinkWithFlagsMacAndMtu() {
        byte[] ifinfomsg = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                .put((byte) 0).put((byte) 0).putShort((short) 1).putInt(4).putInt(0x1 | 0x40 | 0x1000).putInt(0)
                .array();
        NetlinkMessage message = new NetlinkMessageBuilder(RouteNetlink.RTM_NEWLINK, 0).familyHeader(ifinfomsg)
                .string(Link.IFLA_IFNAME, "veth0")
                .bytes(Link.IFLA_ADDRESS, HEX.parseHex("020000aabbcc"))
                .u32(Link.IFLA_MTU, 1500)
                .build();
        Link link = Link.parse(message);
        assertThat(link).isEqualTo(new Link(4, "veth0", true, true, HEX.parseHex("020000aabbcc"), 1500));
        assertThat(link.toString()).contains("02:00:00:aa:bb:cc");
        assertThat(RouteEvents.toEvent(message)).isEqualTo(new RouteEvent.LinkChanged(4, "veth0", true, true));

        NetlinkMessage removed = new NetlinkMessageBuilder(RouteNetlink.RTM_DELLINK, 0).familyHeader(ifinfomsg)
                .string(Link.IFLA_IFNAME, "veth0").build();
        assertThat(RouteEvents.toEvent(removed)).isEqualTo(new RouteEvent.LinkRemoved(4, "veth0"));
    }

    @Test
    void macIsCopiedInAndOut() {
        byte[] mac = {1, 2, 3, 4, 5, 6};
        Link link = new Link(1, "x", true, true, mac, 1500);
        mac[0] = 9;
        link.mac()[1] = 9;
        assertThat(link.mac()).containsExactly(1, 2, 3, 4, 5, 6);
    }
}
