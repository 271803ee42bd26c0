package vipgate.netlink.arp;

import java.net.Inet6Address;
import java.nio.ByteBuffer;
import vipgate.netlink.checksum.InternetChecksum;

/**
 * The IPv6 counterpart of a gratuitous ARP, as keepalived sends it: an unsolicited Neighbour Advertisement for
 * the VIP from the VIP to all nodes (ff02::1, Ethernet 33:33:00:00:00:01), hop limit 255 (receivers drop ND
 * with any other), Override flag set so caches replace the old MAC, and a target link-layer address option.
 */
public final class UnsolicitedNeighbourAdvert {
    /** Ethernet 14 + IPv6 40 + NA 24 + option 8. */
    public static final int LENGTH = 86;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int NEXT_HEADER_ICMPV6 = 58;
    private static final int HOP_LIMIT = 255;
    private static final int ICMPV6_NEIGHBOUR_ADVERTISEMENT = 136;
    private static final int FLAG_ROUTER = 0x80;
    private static final int FLAG_OVERRIDE = 0x20;
    private static final int OPTION_TARGET_LINK_LAYER_ADDRESS = 2;
    private static final int ICMP_LENGTH = 32;
    private static final byte[] ALL_NODES_MAC = {0x33, 0x33, 0, 0, 0, 1};
    private static final byte[] ALL_NODES = {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    private UnsolicitedNeighbourAdvert() {
    }

    /** The advertisement for a host (Router flag clear). */
    public static byte[] frame(byte[] mac, Inet6Address vip) {
        return frame(mac, vip, false);
    }

    /** @param router set the Router flag: keepalived does when IPv6 forwarding is on for the interface */
    public static byte[] frame(byte[] mac, Inet6Address vip, boolean router) {
        Frames.requireMac(mac);
        byte[] address = vip.getAddress();
        byte[] icmp = ByteBuffer.allocate(ICMP_LENGTH)
                .put((byte) ICMPV6_NEIGHBOUR_ADVERTISEMENT).put((byte) 0).putShort((short) 0) // checksum below
                .put((byte) (FLAG_OVERRIDE | (router ? FLAG_ROUTER : 0))).put(new byte[3])
                .put(address)
                .put((byte) OPTION_TARGET_LINK_LAYER_ADDRESS).put((byte) 1).put(mac) // length in units of 8 bytes
                .array();
        // Pseudo-header: source, destination, upper-layer length (32 bits), 3 zeros, next header.
        int checksum = new InternetChecksum().add(address).add(ALL_NODES)
                .add(new byte[] {0, 0, 0, (byte) ICMP_LENGTH, 0, 0, 0, (byte) NEXT_HEADER_ICMPV6})
                .add(icmp).value();
        icmp[2] = (byte) (checksum >> 8);
        icmp[3] = (byte) checksum;
        return ByteBuffer.allocate(LENGTH)
                .put(ALL_NODES_MAC).put(mac).putShort((short) ETHERTYPE_IPV6)
                .putInt(0x6000_0000) // version 6, traffic class 0, flow label 0
                .putShort((short) ICMP_LENGTH).put((byte) NEXT_HEADER_ICMPV6).put((byte) HOP_LIMIT)
                .put(address).put(ALL_NODES)
                .put(icmp)
                .array();
    }
}
