package vipgate.netlink.route;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import vipgate.netlink.message.Attribute;
import vipgate.netlink.message.Attributes;
import vipgate.netlink.message.NetlinkMessage;

/**
 * A network interface as rtnetlink reports it.
 *
 * @param up administratively up (IFF_UP, {@code ip link set X up})
 * @param running operationally up (IFF_RUNNING: carrier present and operstate UP), what VRRP's interface
 *     tracking wants
 * @param mac the hardware address (6 bytes on Ethernet, empty when the link has none)
 */
public record Link(int index, String name, boolean up, boolean running, byte[] mac, int mtu) {
    static final int IFINFOMSG_LENGTH = 16;
    static final int IFF_UP = 0x1;
    static final int IFF_RUNNING = 0x40;
    static final int IFLA_ADDRESS = 1;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;

    public Link {
        mac = mac.clone();
    }

    @Override
    public byte[] mac() {
        return mac.clone();
    }

    /** Parses an RTM_NEWLINK / RTM_DELLINK message (ifinfomsg: u8 family, u8 pad, u16 type, s32 index, u32 flags, u32 change). */
    static Link parse(NetlinkMessage message) {
        ByteBuffer header = message.payloadBuffer();
        int index = header.getInt(4);
        int flags = header.getInt(8);
        Attributes attributes = message.attributes(IFINFOMSG_LENGTH);
        return new Link(index,
                attributes.find(IFLA_IFNAME).map(Attribute::asString).orElse(""),
                (flags & IFF_UP) != 0,
                (flags & IFF_RUNNING) != 0,
                attributes.find(IFLA_ADDRESS).map(Attribute::bytes).orElse(new byte[0]),
                attributes.find(IFLA_MTU).map(Attribute::asU32).orElse(0));
    }

    /** ifinfomsg for requests: family AF_UNSPEC, the index (0: by name or all), no flag changes. */
    static byte[] ifinfomsg(int index) {
        return ByteBuffer.allocate(IFINFOMSG_LENGTH).order(ByteOrder.nativeOrder()).putInt(4, index)
                .array();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Link l && index == l.index && name.equals(l.name) && up == l.up
                && running == l.running && Arrays.equals(mac, l.mac) && mtu == l.mtu;
    }

    @Override
    public int hashCode() {
        return index * 31 + name.hashCode();
    }

    @Override
    public String toString() {
        return "Link{" + index + ": " + name + (up ? " UP" : " DOWN") + (running ? " RUNNING" : "") + " mac "
                + HexFormat.ofDelimiter(":").formatHex(mac) + " mtu " + mtu + "}";
    }
}
