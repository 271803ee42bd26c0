package vipgate.netlink.raw;

import java.io.IOException;
import java.util.Arrays;
import vipgate.netlink.libc.NativeException;
import vipgate.netlink.libc.SocketFd;

/**
 * An AF_PACKET SOCK_RAW socket bound to one interface: {@link #send} writes whole Ethernet frames (gratuitous
 * ARP, unsolicited neighbour advertisements); {@link #receive} reads whole frames of the bound protocol.
 * Needs CAP_NET_RAW.
 */
public final class PacketSocket implements AutoCloseable {
    public static final int ETH_P_ARP = 0x0806;
    public static final int ETH_P_IPV6 = 0x86DD;
    /** Bind with this protocol to send only: the socket then receives nothing, so nothing piles up unread. */
    public static final int SEND_ONLY = 0;
    /** Ethernet frames without the FCS fit; jumbo frames are cut (the returned length says so). */
    private static final int MAX_FRAME = 9216;

    private final SocketFd fd;
    private final byte[] receiveBuffer = new byte[MAX_FRAME];

    private PacketSocket(SocketFd fd) {
        this.fd = fd;
    }

    /**
     * Opens a packet socket bound to interface {@code ifindex}, receiving frames of EtherType {@code protocol}
     * ({@link #ETH_P_ARP}...) or none with {@link #SEND_ONLY}. The protocol is passed in network order, in
     * socket() and in sockaddr_ll alike.
     */
    public static PacketSocket open(int ifindex, int protocol) throws NativeException {
        SocketFd fd = SocketFd.open(SocketAddresses.AF_PACKET, SocketFd.SOCK_RAW, SocketAddresses.htons(protocol),
                "AF_PACKET/SOCK_RAW/0x" + Integer.toHexString(protocol));
        try {
            fd.bind(SocketAddresses.sockaddrLl(ifindex, protocol), "ifindex " + ifindex);
        } catch (NativeException e) {
            fd.close();
            throw e;
        }
        return new PacketSocket(fd);
    }

    /** Sends one frame, Ethernet header included, out of the bound interface. */
    public void send(byte[] frame) throws IOException {
        fd.send(frame, frame.length, null, frame.length + "-byte frame");
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: forever) for a frame of the bound protocol, in either direction (our
     * own sent frames show up too).
     *
     * @return the frame, Ethernet header included, or null on timeout
     */
    public synchronized byte[] receive(int timeoutMillis) throws IOException {
        int length = fd.receive(receiveBuffer, null, 0, timeoutMillis);
        return length < 0 ? null : Arrays.copyOf(receiveBuffer, Math.min(length, receiveBuffer.length));
    }

    /** Closes the socket, waking a thread blocked in {@link #receive}. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "PacketSocket{" + fd + "}";
    }
}
