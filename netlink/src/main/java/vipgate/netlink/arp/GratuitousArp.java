package vipgate.netlink.arp;

import java.net.Inet4Address;
import java.nio.ByteBuffer;

/**
 * The gratuitous ARP keepalived sends for a VIP on becoming master: a broadcast ARP <em>request</em> whose
 * sender and target protocol addresses are both the VIP, target hardware address ff:ff:ff:ff:ff:ff. Hosts and
 * switches that know the VIP update its MAC; nobody answers.
 */
public final class GratuitousArp {
    /** 14-byte Ethernet header + 28-byte ARP packet. */
    public static final int LENGTH = 42;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ARPHRD_ETHER = 1;
    private static final int ARPOP_REQUEST = 1;
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    private GratuitousArp() {
    }

    /** The frame announcing that {@code vip} is at {@code mac}, to send on an AF_PACKET socket. */
    public static byte[] frame(byte[] mac, Inet4Address vip) {
        Frames.requireMac(mac);
        byte[] ip = vip.getAddress();
        return ByteBuffer.allocate(LENGTH)
                .put(BROADCAST).put(mac).putShort((short) ETHERTYPE_ARP)
                .putShort((short) ARPHRD_ETHER).putShort((short) ETHERTYPE_IPV4).put((byte) 6).put((byte) 4)
                .putShort((short) ARPOP_REQUEST)
                .put(mac).put(ip)          // sender
                .put(BROADCAST).put(ip)    // target
                .array();
    }
}
