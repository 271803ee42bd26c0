package vipgate.netlink.raw;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import vipgate.netlink.libc.NativeException;
import vipgate.netlink.libc.SocketFd;

/**
 * A raw IPv4 socket for one IP protocol (VRRP: 112). The kernel writes the IP header on send (no IP_HDRINCL);
 * received datagrams come with their header, which {@link #receive} parses for source, destination and TTL.
 * Needs CAP_NET_RAW.
 *
 * <p>For VRRP in multicast mode: {@code tos(0xC0)}, {@code ttl(255)}, {@code multicastTtl(255)} (the default 1
 * would fail the receivers' TTL check), {@code multicastLoop(false)} (else you read your own adverts),
 * {@code bindToDevice(ifname)} and {@code multicastInterface(ifindex)} (without one of them a send to 224.0.0.18
 * fails with ENETUNREACH where there is no default route), {@code joinGroup(224.0.0.18, ifindex)}. In unicast
 * mode {@link #bind} the local address instead of joining.
 *
 * <p>Receives are serialised (one buffer); {@link #close} from another thread wakes a blocked receiver.
 */
public final class RawIpv4Socket implements AutoCloseable {
    public static final int IPPROTO_VRRP = 112;

    private static final int IPPROTO_IP = 0;
    private static final int IP_TOS = 1;
    private static final int IP_TTL = 2;
    private static final int IP_MULTICAST_IF = 32;
    private static final int IP_MULTICAST_TTL = 33;
    private static final int IP_MULTICAST_LOOP = 34;
    private static final int IP_ADD_MEMBERSHIP = 35;
    private static final int IP_DROP_MEMBERSHIP = 36;
    static final int SOL_SOCKET = 1;
    static final int SO_BINDTODEVICE = 25;
    /** The largest IPv4 datagram. */
    private static final int MAX_DATAGRAM = 65535;

    private final SocketFd fd;
    private final int protocol;
    private final byte[] receiveBuffer = new byte[MAX_DATAGRAM];

    private RawIpv4Socket(SocketFd fd, int protocol) {
        this.fd = fd;
        this.protocol = protocol;
    }

    /** Opens a raw socket for {@code protocol} in the calling thread's network namespace. */
    public static RawIpv4Socket open(int protocol) throws NativeException {
        return new RawIpv4Socket(SocketFd.open(SocketAddresses.AF_INET, SocketFd.SOCK_RAW, protocol,
                "AF_INET/SOCK_RAW/" + protocol), protocol);
    }

    /** IP_TOS: the TOS byte of sent datagrams (VRRP: 0xC0, network control). */
    public RawIpv4Socket tos(int tos) throws NativeException {
        fd.setIntOption(IPPROTO_IP, IP_TOS, tos, "IP_TOS");
        return this;
    }

    /** IP_TTL: TTL of unicast datagrams. */
    public RawIpv4Socket ttl(int ttl) throws NativeException {
        fd.setIntOption(IPPROTO_IP, IP_TTL, ttl, "IP_TTL");
        return this;
    }

    /** IP_MULTICAST_TTL: TTL of multicast datagrams (default 1). */
    public RawIpv4Socket multicastTtl(int ttl) throws NativeException {
        fd.setIntOption(IPPROTO_IP, IP_MULTICAST_TTL, ttl, "IP_MULTICAST_TTL");
        return this;
    }

    /** IP_MULTICAST_LOOP: whether our own multicast datagrams are delivered back to local sockets (default yes). */
    public RawIpv4Socket multicastLoop(boolean loop) throws NativeException {
        fd.setIntOption(IPPROTO_IP, IP_MULTICAST_LOOP, loop ? 1 : 0, "IP_MULTICAST_LOOP");
        return this;
    }

    /** SO_BINDTODEVICE: send through and receive only from interface {@code name}. */
    public RawIpv4Socket bindToDevice(String name) throws NativeException {
        bindToDevice(fd, name);
        return this;
    }

    /** IP_MULTICAST_IF with ip_mreqn: send multicast out of interface {@code ifindex}. */
    public RawIpv4Socket multicastInterface(int ifindex) throws NativeException {
        fd.setOption(IPPROTO_IP, IP_MULTICAST_IF, SocketAddresses.ipMreqn(null, ifindex),
                "IP_MULTICAST_IF ifindex " + ifindex);
        return this;
    }

    /** IP_ADD_MEMBERSHIP: receive datagrams sent to {@code group} on interface {@code ifindex}. */
    public RawIpv4Socket joinGroup(Inet4Address group, int ifindex) throws NativeException {
        fd.setOption(IPPROTO_IP, IP_ADD_MEMBERSHIP, SocketAddresses.ipMreqn(group, ifindex),
                "IP_ADD_MEMBERSHIP " + group.getHostAddress() + " ifindex " + ifindex);
        return this;
    }

    public RawIpv4Socket leaveGroup(Inet4Address group, int ifindex) throws NativeException {
        fd.setOption(IPPROTO_IP, IP_DROP_MEMBERSHIP, SocketAddresses.ipMreqn(group, ifindex),
                "IP_DROP_MEMBERSHIP " + group.getHostAddress() + " ifindex " + ifindex);
        return this;
    }

    /**
     * Binds to a local address: sent datagrams carry it as source, and only datagrams addressed to it are
     * received (VRRP unicast mode's {@code unicast_src_ip}).
     */
    public RawIpv4Socket bind(Inet4Address local) throws NativeException {
        fd.bind(SocketAddresses.sockaddrIn(local), local.getHostAddress());
        return this;
    }

    /** Sends {@code payload} (the protocol's message, no IP header) to {@code destination}. */
    public void send(Inet4Address destination, byte[] payload) throws IOException {
        fd.send(payload, payload.length, SocketAddresses.sockaddrIn(destination),
                "to " + destination.getHostAddress());
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: forever) for a datagram; datagrams that are not well-formed IPv4 are
     * skipped.
     *
     * @return the datagram, or null on timeout
     * @throws java.nio.channels.AsynchronousCloseException when {@link #close} is called meanwhile
     */
    public synchronized ReceivedPacket receive(int timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            int wait = timeoutMillis < 0 ? -1 : (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            int length = fd.receive(receiveBuffer, null, 0, wait);
            if (length < 0) {
                return null;
            }
            ReceivedPacket packet = ReceivedPacket.parse(receiveBuffer, length, protocol);
            if (packet != null) {
                return packet;
            }
        }
    }

    /** Stamp arrivals in the kernel, for {@link #arrivedAt} (where the kernel cannot, it is the time of the read). */
    public RawIpv4Socket timestampArrivals() {
        fd.timestampArrivals();
        return this;
    }

    /** When the datagram last returned by {@link #receive} arrived, in {@link System#nanoTime()} terms; call after it. */
    public long arrivedAt() {
        return fd.arrivedAt();
    }

    /** Closes the socket, waking a thread blocked in {@link #receive}. */
    @Override
    public void close() {
        fd.close();
    }

    static void bindToDevice(SocketFd fd, String name) throws NativeException {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        fd.setOption(SOL_SOCKET, SO_BINDTODEVICE, Arrays.copyOf(bytes, bytes.length + 1), "SO_BINDTODEVICE " + name);
    }

    @Override
    public String toString() {
        return "RawIpv4Socket{" + fd + "}";
    }
}
