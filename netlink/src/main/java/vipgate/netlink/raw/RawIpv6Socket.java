package vipgate.netlink.raw;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.UnknownHostException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import vipgate.netlink.libc.LibC;
import vipgate.netlink.libc.NativeException;
import vipgate.netlink.libc.SocketFd;

/**
 * A raw IPv6 socket for one protocol (VRRP: 112). Unlike IPv4, the kernel neither writes nor shows the IP
 * header: {@link #receive} learns destination, hop limit and interface from ancillary data (IPV6_RECVPKTINFO
 * and IPV6_RECVHOPLIMIT, enabled at open) via recvmsg. Needs CAP_NET_RAW.
 *
 * <p>For VRRPv3: {@code unicastHops(255)}, {@code multicastHops(255)}, {@code multicastLoop(false)},
 * {@code checksumOffset(6)} (the kernel then fills the checksum, pseudo-header included, on send and drops
 * datagrams whose checksum is wrong on receive), {@code bindToDevice}, {@code multicastInterface},
 * {@code joinGroup(ff02::12, ifindex)}.
 *
 * <p>Receives are serialised (one buffer); {@link #close} from another thread wakes a blocked receiver.
 */
public final class RawIpv6Socket implements AutoCloseable {
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_CHECKSUM = 7;
    private static final int IPV6_UNICAST_HOPS = 16;
    private static final int IPV6_MULTICAST_IF = 17;
    private static final int IPV6_MULTICAST_HOPS = 18;
    private static final int IPV6_MULTICAST_LOOP = 19;
    private static final int IPV6_ADD_MEMBERSHIP = 20;
    private static final int IPV6_DROP_MEMBERSHIP = 21;
    private static final int IPV6_RECVPKTINFO = 49;
    private static final int IPV6_PKTINFO = 50;
    private static final int IPV6_RECVHOPLIMIT = 51;
    private static final int IPV6_HOPLIMIT = 52;
    private static final int MAX_PAYLOAD = 65535;

    // recvmsg memory: struct msghdr (56 bytes on 64-bit: name ptr, namelen + pad, iov ptr, iovlen, control ptr,
    // controllen, flags + pad), one iovec (base ptr, len), sockaddr_in6, control buffer, data.
    private static final int MSGHDR = 0;
    private static final int IOVEC = 56;
    private static final int NAME = 72;
    private static final int CONTROL = 104;
    private static final int CONTROL_LENGTH = 128;
    private static final int DATA = CONTROL + CONTROL_LENGTH;
    /** struct cmsghdr: size_t len, int level, int type; data follows, aligned to 8. */
    private static final int CMSG_HEADER = 16;

    private final SocketFd fd;
    private final Pointer memory;

    private RawIpv6Socket(SocketFd fd) {
        this.fd = fd;
        this.memory = Memory.allocateDirect(Runtime.getRuntime(LibC.INSTANCE), DATA + MAX_PAYLOAD, true);
    }

    /** Opens a raw IPv6 socket for {@code protocol} in the calling thread's network namespace. */
    public static RawIpv6Socket open(int protocol) throws NativeException {
        SocketFd fd = SocketFd.open(SocketAddresses.AF_INET6, SocketFd.SOCK_RAW, protocol,
                "AF_INET6/SOCK_RAW/" + protocol);
        try {
            fd.setIntOption(IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
            fd.setIntOption(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
        } catch (NativeException e) {
            fd.close();
            throw e;
        }
        return new RawIpv6Socket(fd);
    }

    public RawIpv6Socket unicastHops(int hops) throws NativeException {
        fd.setIntOption(IPPROTO_IPV6, IPV6_UNICAST_HOPS, hops, "IPV6_UNICAST_HOPS");
        return this;
    }

    /** IPV6_MULTICAST_HOPS (default 1). */
    public RawIpv6Socket multicastHops(int hops) throws NativeException {
        fd.setIntOption(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, hops, "IPV6_MULTICAST_HOPS");
        return this;
    }

    public RawIpv6Socket multicastLoop(boolean loop) throws NativeException {
        fd.setIntOption(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, loop ? 1 : 0, "IPV6_MULTICAST_LOOP");
        return this;
    }

    /** IPV6_CHECKSUM: the kernel computes the checksum at {@code offset} in the payload on send and verifies it on receive. */
    public RawIpv6Socket checksumOffset(int offset) throws NativeException {
        fd.setIntOption(IPPROTO_IPV6, IPV6_CHECKSUM, offset, "IPV6_CHECKSUM");
        return this;
    }

    public RawIpv6Socket bindToDevice(String name) throws NativeException {
        RawIpv4Socket.bindToDevice(fd, name);
        return this;
    }

    public RawIpv6Socket multicastInterface(int ifindex) throws NativeException {
        fd.setIntOption(IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF");
        return this;
    }

    public RawIpv6Socket joinGroup(Inet6Address group, int ifindex) throws NativeException {
        fd.setOption(IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, SocketAddresses.ipv6Mreq(group, ifindex),
                "IPV6_ADD_MEMBERSHIP " + group.getHostAddress() + " ifindex " + ifindex);
        return this;
    }

    public RawIpv6Socket leaveGroup(Inet6Address group, int ifindex) throws NativeException {
        fd.setOption(IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, SocketAddresses.ipv6Mreq(group, ifindex),
                "IPV6_DROP_MEMBERSHIP " + group.getHostAddress() + " ifindex " + ifindex);
        return this;
    }

    /** Binds to a local address (unicast mode); {@code ifindex} scopes a link-local address (0 otherwise). */
    public RawIpv6Socket bind(Inet6Address local, int ifindex) throws NativeException {
        fd.bind(SocketAddresses.sockaddrIn6(local, ifindex), local.getHostAddress());
        return this;
    }

    /**
     * Sends {@code payload} to {@code destination}. A link-local destination needs its scope (e.g.
     * {@code Inet6Address.getByAddress(null, bytes, ifindex)}) unless the socket is bound to a device; multicast
     * goes out of {@link #multicastInterface}.
     */
    public void send(Inet6Address destination, byte[] payload) throws IOException {
        fd.send(payload, payload.length, SocketAddresses.sockaddrIn6(destination, destination.getScopeId()),
                "to " + destination.getHostAddress());
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: forever) for a datagram.
     *
     * @return the datagram, or null on timeout
     * @throws java.nio.channels.AsynchronousCloseException when {@link #close} is called meanwhile
     */
    public synchronized ReceivedPacket6 receive(int timeoutMillis) throws IOException {
        prepareMsghdr();
        long length = fd.receiveMessage(memory, timeoutMillis);
        if (length < 0) {
            return null;
        }
        byte[] payload = new byte[(int) Math.min(length, MAX_PAYLOAD)];
        memory.get(DATA, payload, 0, payload.length);
        byte[] source = new byte[16];
        memory.get(NAME + 8, source, 0, 16);
        int sourceScope = memory.getInt(NAME + 24);

        Inet6Address destination = null;
        int ifindex = 0;
        int hopLimit = -1;
        long controlLength = memory.getLong(MSGHDR + 40);
        for (long offset = 0; offset + CMSG_HEADER <= controlLength; ) {
            long cmsgLength = memory.getLong(CONTROL + offset);
            int level = memory.getInt(CONTROL + offset + 8);
            int type = memory.getInt(CONTROL + offset + 12);
            long data = CONTROL + offset + CMSG_HEADER;
            if (cmsgLength < CMSG_HEADER) {
                break;
            }
            if (level == IPPROTO_IPV6 && type == IPV6_PKTINFO) {
                byte[] address = new byte[16];
                memory.get(data, address, 0, 16);
                ifindex = memory.getInt(data + 16);
                destination = inet6(address, 0);
            } else if (level == IPPROTO_IPV6 && type == IPV6_HOPLIMIT) {
                hopLimit = memory.getInt(data);
            }
            offset += (cmsgLength + 7) & ~7L;
        }
        if (destination == null || hopLimit < 0) {
            throw new IOException("recvmsg(" + fd.description() + "): no IPV6_PKTINFO / IPV6_HOPLIMIT ancillary data");
        }
        return new ReceivedPacket6(inet6(source, sourceScope), destination, hopLimit, ifindex, payload);
    }

    /** Stamp arrivals in the kernel, for {@link #arrivedAt} (where the kernel cannot, it is the time of the read). */
    public RawIpv6Socket timestampArrivals() {
        fd.timestampArrivals();
        return this;
    }

    /** When the datagram last returned by {@link #receive} arrived, in {@link System#nanoTime()} terms; call after it. */
    public long arrivedAt() {
        return fd.arrivedAt();
    }

    /** The kernel overwrites the name and control lengths on each call: reset them. */
    private void prepareMsghdr() {
        long base = memory.address();
        memory.putLong(MSGHDR, base + NAME);
        memory.putInt(MSGHDR + 8, SocketAddresses.SOCKADDR_IN6_LENGTH);
        memory.putInt(MSGHDR + 12, 0);
        memory.putLong(MSGHDR + 16, base + IOVEC);
        memory.putLong(MSGHDR + 24, 1);
        memory.putLong(MSGHDR + 32, base + CONTROL);
        memory.putLong(MSGHDR + 40, CONTROL_LENGTH);
        memory.putLong(MSGHDR + 48, 0);
        memory.putLong(IOVEC, base + DATA);
        memory.putLong(IOVEC + 8, MAX_PAYLOAD);
    }

    /** Link-local unicast (fe80::/10) and link-scope multicast (ff02::/16) addresses keep their interface. */
    private static Inet6Address inet6(byte[] address, int scopeId) throws UnknownHostException {
        boolean linkScope = (address[0] & 0xff) == 0xfe && (address[1] & 0xc0) == 0x80
                || (address[0] & 0xff) == 0xff && (address[1] & 0x0f) == 0x02;
        return Inet6Address.getByAddress(null, address, linkScope && scopeId != 0 ? scopeId : -1);
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "RawIpv6Socket{" + fd + "}";
    }
}
