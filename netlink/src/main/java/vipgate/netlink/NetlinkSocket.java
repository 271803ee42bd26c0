package vipgate.netlink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import vipgate.netlink.libc.SocketFd;
import vipgate.netlink.message.NetlinkMessage;

/**
 * An AF_NETLINK socket talking to the kernel: {@link #request} (with ACK) and {@link #dump} for one-shot
 * exchanges, or {@link #subscribe} + {@link #receive} for multicast notifications.
 *
 * <p>Thread safety: requests and dumps hold a lock for the whole exchange, so threads may share one socket
 * (they queue). {@link #receive} is meant for a single reader thread on a subscribed socket.
 *
 * <p>The socket lives in the network namespace of the thread that opened it, whichever thread uses it later.
 */
public final class NetlinkSocket implements AutoCloseable {
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_GENERIC = 16;

    private static final int AF_NETLINK = 16;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUF = 8;
    private static final int SOL_NETLINK = 270;
    private static final int NETLINK_CAP_ACK = 10;
    private static final int NETLINK_EXT_ACK = 11;
    private static final int MSG_TRUNC = 0x20;
    private static final int SOCKADDR_NL_LENGTH = 12;
    /** Dump replies are at most 32 KiB per datagram; larger only with a bigger page size. */
    private static final int RECEIVE_BUFFER = 64 * 1024;
    /** The kernel answers at once; a silent kernel means a bug, not a slow peer. */
    private static final int REPLY_TIMEOUT_MILLIS = 10_000;
    private static final int DUMP_ATTEMPTS = 5;
    /**
     * Messages per datagram in {@link #requestAll}: their ACKs (under 1 KiB each with the skb's overhead) are
     * queued before we read any, and must fit the socket's default receive buffer (~208 KiB) together.
     */
    private static final int BATCH = 32;

    private final SocketFd fd;
    private final ReentrantLock exchangeLock = new ReentrantLock();
    private final byte[] receiveBuffer = new byte[RECEIVE_BUFFER];
    private int lastSeq = (int) (System.nanoTime() & 0x3fffffff);

    private NetlinkSocket(SocketFd fd) {
        this.fd = fd;
    }

    /** A socket for requests and dumps; {@code protocol} is {@link #NETLINK_ROUTE} or {@link #NETLINK_GENERIC}. */
    public static NetlinkSocket open(int protocol) throws IOException {
        return open(protocol, 0);
    }

    /**
     * A socket that also receives the multicast groups in {@code groups} (legacy bitmask, e.g. RTMGRP_LINK). Its
     * receive buffer is raised to 1 MiB so bursts (an interface with many addresses going down) fit.
     */
    public static NetlinkSocket subscribe(int protocol, int groups) throws IOException {
        NetlinkSocket socket = open(protocol, groups);
        try {
            socket.fd.setIntOption(SOL_SOCKET, SO_RCVBUF, 1 << 20, "SO_RCVBUF");
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    private static NetlinkSocket open(int protocol, int groups) throws IOException {
        String name = protocol == NETLINK_ROUTE ? "NETLINK_ROUTE"
                : protocol == NETLINK_GENERIC ? "NETLINK_GENERIC" : "protocol " + protocol;
        SocketFd fd = SocketFd.open(AF_NETLINK, SocketFd.SOCK_RAW, protocol, "AF_NETLINK/" + name);
        try {
            // Errors echo only the request's header, and carry the kernel's explanation ("Label must..." etc.).
            fd.setIntOption(SOL_NETLINK, NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK");
            fd.setIntOption(SOL_NETLINK, NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
            fd.bind(sockaddrNl(groups), "groups 0x" + Integer.toHexString(groups));
        } catch (IOException e) {
            fd.close();
            throw e;
        }
        return new NetlinkSocket(fd);
    }

    /**
     * Sends {@code message} with NLM_F_REQUEST | NLM_F_ACK and reads until the ACK for it: the replies that
     * came before the ACK (a GET answers with its object, then the ACK) are returned.
     *
     * @param operation what this is, for exception messages, e.g. "RTM_NEWADDR 10.0.0.5/24 on ifindex 3"
     * @throws NetlinkException when the kernel answers with an error
     */
    public List<NetlinkMessage> request(NetlinkMessage message, String operation) throws IOException {
        exchangeLock.lock();
        try {
            int seq = send(message, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK, operation);
            List<NetlinkMessage> replies = new ArrayList<>();
            while (true) {
                for (NetlinkMessage reply : receiveReplies(operation)) {
                    if (reply.seq() != seq) {
                        continue; // a late answer to an earlier, abandoned exchange
                    }
                    if (reply.isError()) {
                        throwIfError(reply, operation);
                        return replies;
                    }
                    replies.add(reply);
                }
            }
        } finally {
            exchangeLock.unlock();
        }
    }

    /**
     * Sends {@code messages} (commands the kernel answers with an ACK only: NEW, SET, DEL...) several to a
     * datagram, each with NLM_F_REQUEST | NLM_F_ACK, and waits for every ACK: one system call sends what
     * {@link #request} sends in {@value #BATCH}. The kernel handles the messages of a datagram one after the
     * other, a refused one does not stop those after it in its datagram; the datagrams after it are not sent.
     *
     * @param operation what message {@code i} is, for the exception
     * @throws NetlinkBatchException for the first message the kernel refused, with its index
     */
    public void requestAll(List<NetlinkMessage> messages, IntFunction<String> operation) throws IOException {
        exchangeLock.lock();
        try {
            for (int from = 0; from < messages.size(); from += BATCH) {
                int count = Math.min(BATCH, messages.size() - from);
                int firstSeq = lastSeq + 1;
                ByteArrayOutputStream datagram = new ByteArrayOutputStream();
                for (int i = from; i < from + count; i++) {
                    NetlinkMessage m = messages.get(i);
                    byte[] bytes = m.with(++lastSeq, m.flags() | NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK).encode();
                    datagram.writeBytes(bytes);
                    datagram.writeBytes(new byte[NetlinkMessage.align(bytes.length) - bytes.length]);
                }
                String what = operation.apply(from) + (count > 1 ? " and " + (count - 1) + " more" : "");
                fd.send(datagram.toByteArray(), datagram.size(), sockaddrNl(0), what);
                NetlinkBatchException refused = null;
                for (int acked = 0; acked < count; ) {
                    for (NetlinkMessage reply : receiveReplies(what)) {
                        int index = reply.seq() - firstSeq;
                        if (index < 0 || index >= count || !reply.isError()) {
                            continue; // a late answer to an earlier, abandoned exchange
                        }
                        acked++;
                        if (reply.errorCode() != 0 && refused == null) {
                            refused = new NetlinkBatchException(operation.apply(from + index), -reply.errorCode(),
                                    reply.extendedAckMessage(), from + index);
                        }
                    }
                }
                if (refused != null) {
                    throw refused;
                }
            }
        } finally {
            exchangeLock.unlock();
        }
    }

    /**
     * Sends {@code message} with NLM_F_REQUEST | NLM_F_DUMP and returns every reply until NLMSG_DONE. When the
     * kernel flags the dump as interrupted (the set changed meanwhile) it is repeated, up to 5 times.
     */
    public List<NetlinkMessage> dump(NetlinkMessage message, String operation) throws IOException {
        exchangeLock.lock();
        try {
            for (int attempt = 1; ; attempt++) {
                List<NetlinkMessage> replies = new ArrayList<>();
                boolean interrupted = false;
                int seq = send(message, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_DUMP, operation);
                boolean done = false;
                while (!done) {
                    for (NetlinkMessage reply : receiveReplies(operation)) {
                        if (reply.seq() != seq) {
                            continue;
                        }
                        interrupted |= (reply.flags() & NetlinkMessage.NLM_F_DUMP_INTR) != 0;
                        if (reply.isError()) {
                            throwIfError(reply, operation);
                        } else if (reply.isDone()) {
                            // NLMSG_DONE carries an int: negative errno when the dump itself failed.
                            ByteBuffer payload = reply.payloadBuffer();
                            if (payload.remaining() >= 4 && payload.getInt(0) < 0) {
                                throw new NetlinkException(operation, -payload.getInt(0), null);
                            }
                            done = true;
                        } else {
                            replies.add(reply);
                        }
                    }
                }
                if (!interrupted) {
                    return replies;
                }
                if (attempt == DUMP_ATTEMPTS) {
                    throw new IOException(operation + ": dump interrupted " + DUMP_ATTEMPTS
                            + " times in a row by concurrent changes");
                }
            }
        } finally {
            exchangeLock.unlock();
        }
    }

    /**
     * Waits for the next datagram on a subscribed socket and returns its messages (null on timeout).
     *
     * @param timeoutMillis -1 waits until a message arrives or the socket is closed
     * @throws vipgate.netlink.libc.NativeException with ENOBUFS when notifications were lost because the
     *     reader fell behind: the caller should re-read the state it tracks
     * @throws java.nio.channels.AsynchronousCloseException when {@link #close} is called meanwhile
     */
    public List<NetlinkMessage> receive(int timeoutMillis) throws IOException {
        byte[] buffer = new byte[RECEIVE_BUFFER];
        byte[] sender = new byte[SOCKADDR_NL_LENGTH];
        while (true) {
            int length = fd.receive(buffer, sender, MSG_TRUNC, timeoutMillis);
            if (length < 0) {
                return null;
            }
            if (fromKernel(sender)) {
                return parse(buffer, length, "receive");
            }
        }
    }

    @Override
    public void close() {
        fd.close();
    }

    private int send(NetlinkMessage message, int flags, String operation) throws IOException {
        int seq = ++lastSeq;
        byte[] bytes = message.with(seq, message.flags() | flags).encode();
        fd.send(bytes, bytes.length, sockaddrNl(0), operation);
        return seq;
    }

    private List<NetlinkMessage> receiveReplies(String operation) throws IOException {
        byte[] sender = new byte[SOCKADDR_NL_LENGTH];
        while (true) {
            int length = fd.receive(receiveBuffer, sender, MSG_TRUNC, REPLY_TIMEOUT_MILLIS);
            if (length < 0) {
                throw new IOException(operation + ": no answer from the kernel within " + REPLY_TIMEOUT_MILLIS
                        + " ms");
            }
            if (fromKernel(sender)) {
                return parse(receiveBuffer, length, operation);
            }
        }
    }

    private static List<NetlinkMessage> parse(byte[] buffer, int length, String operation) throws IOException {
        if (length > buffer.length) {
            throw new IOException(operation + ": netlink datagram of " + length + " bytes exceeds the "
                    + buffer.length + "-byte buffer");
        }
        return NetlinkMessage.parseAll(buffer, length);
    }

    private static void throwIfError(NetlinkMessage error, String operation) throws NetlinkException {
        int code = error.errorCode();
        if (code != 0) {
            throw new NetlinkException(operation, -code, error.extendedAckMessage());
        }
    }

    /** Only the kernel (port id 0) may answer us; other processes could otherwise inject replies. */
    private static boolean fromKernel(byte[] sockaddrNl) {
        return ByteBuffer.wrap(sockaddrNl).order(ByteOrder.nativeOrder()).getInt(4) == 0;
    }

    /** struct sockaddr_nl: u16 family, u16 pad, u32 port id (0: kernel / let the kernel choose), u32 groups. */
    private static byte[] sockaddrNl(int groups) {
        return ByteBuffer.allocate(SOCKADDR_NL_LENGTH).order(ByteOrder.nativeOrder())
                .putShort((short) AF_NETLINK).putShort((short) 0).putInt(0).putInt(groups).array();
    }

    @Override
    public String toString() {
        return "NetlinkSocket{" + fd + "}";
    }
}
