package vipgate.netlink.raw;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The C socket address structures as bytes: families in host order, ports and addresses in network order. */
final class SocketAddresses {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int AF_PACKET = 17;
    static final int SOCKADDR_IN6_LENGTH = 28;

    private SocketAddresses() {
    }

    /** struct sockaddr_in (16 bytes): u16 family, be16 port (0: raw sockets have none), 4-byte address, 8 zeros. */
    static byte[] sockaddrIn(Inet4Address address) {
        return ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putShort((short) AF_INET).putShort((short) 0)
                .put(address.getAddress()).array();
    }

    /** struct sockaddr_in6 (28 bytes): u16 family, be16 port, u32 flowinfo, 16-byte address, u32 scope id. */
    static byte[] sockaddrIn6(Inet6Address address, int scopeId) {
        return ByteBuffer.allocate(SOCKADDR_IN6_LENGTH).order(ByteOrder.nativeOrder()).putShort((short) AF_INET6)
                .putShort((short) 0).putInt(0).put(address.getAddress()).putInt(scopeId).array();
    }

    /** struct ip_mreqn (12 bytes): group, local address (any), ifindex in host order. */
    static byte[] ipMreqn(Inet4Address group, int ifindex) {
        ByteBuffer buffer = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        if (group != null) {
            buffer.put(group.getAddress());
        }
        return buffer.putInt(8, ifindex).array();
    }

    /** struct ipv6_mreq (20 bytes): group, ifindex in host order. */
    static byte[] ipv6Mreq(Inet6Address group, int ifindex) {
        return ByteBuffer.allocate(20).order(ByteOrder.nativeOrder()).put(group.getAddress()).putInt(ifindex).array();
    }

    /**
     * struct sockaddr_ll (20 bytes): u16 family, be16 protocol, s32 ifindex, u16 hatype, u8 pkttype, u8 halen,
     * u8 addr[8]. The protocol is in network order, unlike every other field.
     */
    static byte[] sockaddrLl(int ifindex, int protocol) {
        return ByteBuffer.allocate(20).order(ByteOrder.nativeOrder()).putShort((short) AF_PACKET)
                .put((byte) (protocol >> 8)).put((byte) protocol).putInt(ifindex).array();
    }

    /** htons: the socket() protocol argument of AF_PACKET is in network order. */
    static int htons(int value) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? value & 0xffff
                : Short.reverseBytes((short) value) & 0xffff;
    }
}
