package vipgate.vrrp.engine;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import vipgate.netlink.raw.RawIpv4Socket;
import vipgate.netlink.raw.RawIpv6Socket;
import vipgate.netlink.raw.ReceivedPacket;
import vipgate.netlink.raw.ReceivedPacket6;
import vipgate.vrrp.wire.ChecksumMode;
import vipgate.vrrp.wire.VrrpPacket;

/**
 * One instance's VRRP socket (IP protocol 112) on its interface: multicast to 224.0.0.18 / ff02::12, or unicast
 * from a bound source to each peer, with keepalived's socket settings (TTL/hop limit 255, TOS 0xC0, no loop).
 */
final class AdvertSocket implements AutoCloseable {
    static final Inet4Address GROUP_V4 = (Inet4Address) literal("224.0.0.18");
    static final Inet6Address GROUP_V6 = (Inet6Address) literal("ff02::12");

    /**
     * An advert as it arrived: the IP payload with the addresses and TTL the codec checks, and when it arrived
     * ({@link System#nanoTime()} terms, from the kernel's time stamp).
     */
    record Received(InetAddress source, InetAddress destination, int ttl, byte[] payload, long arrivedAt) {
    }

    private final RawIpv4Socket v4;
    private final RawIpv6Socket v6;

    private AdvertSocket(RawIpv4Socket v4, RawIpv6Socket v6) {
        this.v4 = v4;
        this.v6 = v6;
    }

    /**
     * @param unicastSource the address to bind in unicast mode, null for multicast
     */
    static AdvertSocket open(boolean ipv6, String iface, int ifindex, InetAddress unicastSource) throws IOException {
        if (!ipv6) {
            RawIpv4Socket s = RawIpv4Socket.open(VrrpPacket.IP_PROTOCOL);
            try {
                s.timestampArrivals().tos(0xC0).ttl(VrrpPacket.TTL).multicastTtl(VrrpPacket.TTL).multicastLoop(false).bindToDevice(iface);
                if (unicastSource != null) {
                    s.bind((Inet4Address) unicastSource);
                } else {
                    s.multicastInterface(ifindex).joinGroup(GROUP_V4, ifindex);
                }
                return new AdvertSocket(s, null);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }
        RawIpv6Socket s = RawIpv6Socket.open(VrrpPacket.IP_PROTOCOL);
        try {
            // the kernel computes and verifies the VRRPv3 checksum with the real IPv6 pseudo-header
            s.timestampArrivals().checksumOffset(VrrpPacket.CHECKSUM_OFFSET).unicastHops(VrrpPacket.TTL).multicastHops(VrrpPacket.TTL)
                    .multicastLoop(false).bindToDevice(iface);
            if (unicastSource != null) {
                s.bind((Inet6Address) unicastSource, ifindex);
            } else {
                s.multicastInterface(ifindex).joinGroup(GROUP_V6, ifindex);
            }
            return new AdvertSocket(null, s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    ChecksumMode checksumMode() {
        return v6 != null ? ChecksumMode.LEAVE_TO_KERNEL : ChecksumMode.COMPUTE;
    }

    InetAddress multicastGroup() {
        return v6 != null ? GROUP_V6 : GROUP_V4;
    }

    void send(InetAddress destination, byte[] payload) throws IOException {
        if (v4 != null) {
            v4.send((Inet4Address) destination, payload);
        } else {
            v6.send((Inet6Address) destination, payload);
        }
    }

    /** Blocks up to {@code timeoutMillis} (negative: until a packet); null on timeout; AsynchronousCloseException once closed. */
    Received receive(int timeoutMillis) throws IOException {
        if (v4 != null) {
            ReceivedPacket p = v4.receive(timeoutMillis);
            return p == null ? null : new Received(p.source(), p.destination(), p.ttl(), p.payload(), v4.arrivedAt());
        }
        ReceivedPacket6 p = v6.receive(timeoutMillis);
        return p == null ? null : new Received(p.source(), p.destination(), p.hopLimit(), p.payload(), v6.arrivedAt());
    }

    @Override
    public void close() {
        if (v4 != null) {
            v4.close();
        } else {
            v6.close();
        }
    }

    private static InetAddress literal(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
