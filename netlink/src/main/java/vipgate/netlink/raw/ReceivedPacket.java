package vipgate.netlink.raw;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 datagram read from a raw socket.
 *
 * @param ttl the TTL it arrived with (VRRP requires 255 in multicast mode: proof it was not routed)
 * @param payload the bytes after the IP header, exactly as many as the header's total length says
 */
public record ReceivedPacket(Inet4Address source, Inet4Address destination, int ttl, byte[] payload) {
    private static final int MIN_HEADER = 20;

    public ReceivedPacket {
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /**
     * Parses an IPv4 datagram as a raw socket delivers it (header included, total length in network order);
     * null when it is not a well-formed IPv4 datagram of {@code protocol}.
     */
    static ReceivedPacket parse(byte[] data, int length, int protocol) {
        if (length < MIN_HEADER || (data[0] & 0xf0) != 0x40) {
            return null;
        }
        int headerLength = (data[0] & 0x0f) * 4;
        int totalLength = ((data[2] & 0xff) << 8) | (data[3] & 0xff);
        if (headerLength < MIN_HEADER || totalLength < headerLength || totalLength > length
                || (data[9] & 0xff) != protocol) {
            return null;
        }
        byte[] payload = new byte[totalLength - headerLength];
        System.arraycopy(data, headerLength, payload, 0, payload.length);
        return new ReceivedPacket(address(data, 12), address(data, 16), data[8] & 0xff, payload);
    }

    private static Inet4Address address(byte[] data, int offset) {
        byte[] bytes = {data[offset], data[offset + 1], data[offset + 2], data[offset + 3]};
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an IPv4 address", e);
        }
    }

    @Override
    public String toString() {
        return "ReceivedPacket{" + source.getHostAddress() + " -> " + destination.getHostAddress() + " ttl " + ttl
                + ", " + payload.length + " bytes}";
    }
}
