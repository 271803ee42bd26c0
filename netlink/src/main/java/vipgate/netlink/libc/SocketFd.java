package vipgate.netlink.libc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * A socket file descriptor that another thread can close while one is blocked receiving.
 *
 * <p>Why a self-pipe and not {@code shutdown(fd, SHUT_RD)}: shutdown wakes a blocked raw IPv4 socket, but
 * netlink and AF_PACKET sockets do not implement it (EOPNOTSUPP), and {@code close(fd)} wakes nothing and
 * frees the number for reuse while the receiver still holds it. So every receive polls the socket together
 * with the read end of a pipe; {@link #close} writes to the pipe, waits for the receiver to leave, and only
 * then closes the descriptors. Reads are done with MSG_DONTWAIT (at once, and after each poll while nothing is
 * queued), so a receive never blocks anywhere but in poll.
 *
 * <p>One receiver at a time (receives are serialised); sends may run concurrently with a receive.
 */
public final class SocketFd implements AutoCloseable {
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final short POLLIN = 1;
    private static final int SIOCGSTAMPNS = 0x8907;
    private static final int CLOCK_REALTIME = 0;
    private static final long MAX_PLAUSIBLE_WAIT = 5_000_000_000L;
    private static final LibC C = LibC.INSTANCE;

    private final int fd;
    private final int wakeRead;
    private final int wakeWrite;
    private final String description;
    private final ReentrantLock receiveLock = new ReentrantLock();
    private final ReentrantLock sendLock = new ReentrantLock();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;
    /** Guarded by receiveLock, as everything a receive reuses. */
    private Pointer receiveArea;
    private final byte[] pollfds = new byte[16];
    private final ByteBuffer pollView = ByteBuffer.wrap(pollfds).order(ByteOrder.nativeOrder());
    /** timespecs: the kernel's receive time stamp of the last datagram, and the time we read it. */
    private Pointer stamp;
    private Pointer readAt;
    private long arrivedAt;

    private SocketFd(int fd, int wakeRead, int wakeWrite, String description) {
        this.fd = fd;
        this.wakeRead = wakeRead;
        this.wakeWrite = wakeWrite;
        this.description = description;
    }

    /**
     * {@code socket(domain, type | SOCK_CLOEXEC, protocol)}; {@code description} (e.g. "AF_NETLINK/NETLINK_ROUTE")
     * names the socket in exception messages.
     */
    public static SocketFd open(int domain, int type, int protocol, String description) throws NativeException {
        int fd = C.socket(domain, type | SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            throw new NativeException("socket(" + description + ")", LibC.errno());
        }
        int[] pipe = new int[2];
        if (C.pipe2(pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
            int errno = LibC.errno();
            C.close(fd);
            throw new NativeException("pipe2 (close wake-up for " + description + ")", errno);
        }
        return new SocketFd(fd, pipe[0], pipe[1], description);
    }

    public String description() {
        return description;
    }

    public void setOption(int level, int option, byte[] value, String optionName) throws NativeException {
        if (C.setsockopt(fd, level, option, value, value.length) < 0) {
            throw new NativeException("setsockopt(" + description + ", " + optionName + ")", LibC.errno());
        }
    }

    public void setIntOption(int level, int option, int value, String optionName) throws NativeException {
        setOption(level, option, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array(),
                optionName);
    }

    /**
     * Has the kernel stamp each datagram when it arrives, so that {@link #arrivedAt} tells a receiver when that was
     * even if the receiver ran late (a starved thread, a GC pause). The first SIOCGSTAMPNS turns stamping on (and
     * finds no stamp yet); each read then leaves its datagram's stamp for the next one. (SO_TIMESTAMPNS would
     * deliver the stamp as ancillary data instead, which a plain recvfrom discards.)
     *
     * @return false when this kind of socket has no stamps ({@link #arrivedAt} is then the time of the read)
     */
    public boolean timestampArrivals() {
        receiveLock.lock();
        try {
            Pointer first = Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(C), 16);
            if (C.ioctl(fd, SIOCGSTAMPNS, first) < 0 && LibC.errno() != Errno.ENOENT) {
                return false; // a socket type without stamps: arrivedAt falls back to the time of the read
            }
            stamp = first;
            readAt = Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(C), 16);
            return true;
        } finally {
            receiveLock.unlock();
        }
    }

    /**
     * When the datagram last received arrived, in {@link System#nanoTime()} terms: the kernel's stamp with
     * {@link #timestampArrivals}, else the moment it was read. Call on the receiving thread after a receive.
     */
    public long arrivedAt() {
        return arrivedAt;
    }

    /** Under receiveLock, right after a datagram was read: no other read can have replaced the kernel's stamp. */
    private void stampArrival() {
        long now = System.nanoTime();
        arrivedAt = now;
        if (stamp == null || C.ioctl(fd, SIOCGSTAMPNS, stamp) < 0 || C.clock_gettime(CLOCK_REALTIME, readAt) < 0) {
            return;
        }
        // both on the real-time clock, so only their difference is used: how long the datagram waited for us
        long waited = (readAt.getLong(0) - stamp.getLong(0)) * 1_000_000_000L + readAt.getLong(8) - stamp.getLong(8);
        // a stamp from before a step of the real-time clock (NTP) must not age a fresh datagram by the step
        if (waited > 0 && waited < MAX_PLAUSIBLE_WAIT) {
            arrivedAt = now - waited;
        }
    }

    public void bind(byte[] sockaddr, String what) throws NativeException {
        if (C.bind(fd, sockaddr, sockaddr.length) < 0) {
            throw new NativeException("bind(" + description + ", " + what + ")", LibC.errno());
        }
    }

    /**
     * Sends one datagram to {@code sockaddr} (null: the bound or connected peer).
     *
     * @throws ClosedChannelException after {@link #close}
     */
    public void send(byte[] data, int length, byte[] sockaddr, String what) throws java.io.IOException {
        sendLock.lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            while (true) {
                long sent = C.sendto(fd, data, length, 0, sockaddr, sockaddr == null ? 0 : sockaddr.length);
                if (sent >= 0) {
                    if (sent != length) {
                        throw new java.io.IOException("sendto(" + description + ", " + what + ") sent " + sent
                                + " of " + length + " bytes");
                    }
                    return;
                }
                int errno = LibC.errno();
                if (errno != Errno.EINTR) {
                    throw new NativeException("sendto(" + description + ", " + what + ")", errno);
                }
            }
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Receives one datagram into {@code buffer}; the sender's address goes to {@code sockaddr} (may be null).
     *
     * @param timeoutMillis -1 waits forever
     * @return the datagram's length, which exceeds {@code buffer.length} when it was truncated (MSG_TRUNC), or -1
     *     on timeout
     * @throws AsynchronousCloseException when {@link #close} is called during the wait
     */
    public int receive(byte[] buffer, byte[] sockaddr, int flags, int timeoutMillis) throws java.io.IOException {
        IntByReference addrLength = new IntByReference(sockaddr == null ? 0 : sockaddr.length);
        return (int) receiveLoop(timeoutMillis, "recvfrom", () -> {
            // under receiveLock: the native area is this receiver's alone; only what came is copied
            Pointer area = receiveArea(buffer.length);
            long n = C.recvfrom(fd, area, buffer.length, flags | MSG_DONTWAIT, sockaddr, addrLength);
            if (n > 0) {
                area.get(0, buffer, 0, (int) Math.min(n, buffer.length));
            }
            return n;
        });
    }

    /** The native memory datagrams are received into, grown to the largest buffer asked for. */
    private Pointer receiveArea(int size) {
        if (receiveArea == null || receiveArea.size() < size) {
            receiveArea = Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(C), size);
        }
        return receiveArea;
    }

    /** Like {@link #receive} with recvmsg; {@code msghdr} is native memory the caller laid out. */
    public long receiveMessage(Pointer msghdr, int timeoutMillis) throws java.io.IOException {
        return receiveLoop(timeoutMillis, "recvmsg", () -> C.recvmsg(fd, msghdr, MSG_DONTWAIT));
    }

    private interface NonBlockingRead {
        long read();
    }

    private long receiveLoop(int timeoutMillis, String call, NonBlockingRead read) throws java.io.IOException {
        receiveLock.lock();
        try {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                if (closed) {
                    throw new ClosedChannelException();
                }
                // read first: a reply is usually queued already (netlink answers within the send), and the
                // poll is then a wasted system call; close() cannot free the fd meanwhile (it takes receiveLock)
                long n = read.read();
                if (n >= 0) {
                    stampArrival();
                    return n;
                }
                int errno = LibC.errno();
                if (errno != Errno.EAGAIN && errno != Errno.EINTR) {
                    throw new NativeException(call + "(" + description + ")", errno);
                }
                int wait = timeoutMillis < 0 ? -1
                        : (int) Math.max(0, (deadline - System.nanoTime() + 999_999) / 1_000_000);
                if (!awaitReadable(wait)) {
                    return -1;
                }
            }
        } finally {
            receiveLock.unlock();
        }
    }

    /** Polls the socket and the wake pipe; false on timeout. */
    private boolean awaitReadable(int timeoutMillis) throws java.io.IOException {
        pollView.putInt(0, fd).putShort(4, POLLIN).putShort(6, (short) 0).putInt(8, wakeRead).putShort(12, POLLIN)
                .putShort(14, (short) 0);
        int ready = C.poll(pollfds, 2, timeoutMillis);
        if (ready < 0) {
            int errno = LibC.errno();
            if (errno == Errno.EINTR) {
                // Let the caller try a read: it gets EAGAIN and polls again with the remaining time.
                return true;
            }
            throw new NativeException("poll(" + description + ")", errno);
        }
        if (pollView.getShort(14) != 0 || closed) {
            throw new AsynchronousCloseException();
        }
        // POLLERR/POLLHUP also end the wait: the following read reports the error.
        return ready > 0 && pollView.getShort(6) != 0;
    }

    /** Wakes a blocked receiver, waits for it to leave, then closes the socket. Idempotent. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        C.write(wakeWrite, new byte[] {1}, 1);
        receiveLock.lock();
        sendLock.lock();
        try {
            C.close(fd);
            C.close(wakeRead);
            C.close(wakeWrite);
        } finally {
            sendLock.unlock();
            receiveLock.unlock();
        }
    }

    @Override
    public String toString() {
        return description + (closed ? " (closed)" : " fd " + fd);
    }
}
