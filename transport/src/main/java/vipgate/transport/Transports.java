package vipgate.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** The Netty transport in use: event loops and the channel types that match them. */
public record Transports(Transport kind, IoHandlerFactory ioHandlers, ChannelFactory<? extends ServerChannel> servers,
        ChannelFactory<? extends Channel> clients, String whyChosen) {

    /**
     * Resolves {@code auto} to io_uring, then epoll, then NIO, whichever this kernel and JVM support first; an
     * explicit choice that is unavailable is an error that says why.
     */
    public static Transports choose(Transport wanted) {
        switch (wanted) {
            case IO_URING -> {
                if (!IoUring.isAvailable()) {
                    throw new IllegalStateException("transport = io_uring is not available here ("
                            + IoUring.unavailabilityCause() + "); use transport = auto or epoll");
                }
                return ioUring("configured");
            }
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("transport = epoll is not available here (" + Epoll.unavailabilityCause()
                            + "); use transport = auto or nio");
                }
                return epoll("configured");
            }
            case NIO -> {
                return nio("configured");
            }
            default -> {
                if (IoUring.isAvailable()) {
                    return ioUring("auto: io_uring is available");
                }
                if (Epoll.isAvailable()) {
                    return epoll("auto: io_uring unavailable (" + IoUring.unavailabilityCause().getMessage() + ")");
                }
                return nio("auto: neither io_uring nor epoll is available");
            }
        }
    }

    private static Transports ioUring(String why) {
        return new Transports(Transport.IO_URING, IoUringIoHandler.newFactory(), IoUringServerSocketChannel::new,
                IoUringSocketChannel::new, why);
    }

    private static Transports epoll(String why) {
        return new Transports(Transport.EPOLL, EpollIoHandler.newFactory(), EpollServerSocketChannel::new,
                EpollSocketChannel::new, why);
    }

    private static Transports nio(String why) {
        return new Transports(Transport.NIO, NioIoHandler.newFactory(), NioServerSocketChannel::new,
                NioSocketChannel::new, why);
    }

    /** Linux's TCP_CLOSE (include/net/tcp_states.h): what a connection becomes when the peer's RST arrives. */
    private static final int TCP_CLOSE = 7;

    /**
     * Whether the peer reset a connection the transport still reports as open. Netty's io_uring transport can
     * miss a reset that arrives with the last bytes: its multishot POLLIN reports the reset while a recv is in
     * flight, which drops that event; the recv returns the bytes and says the socket is empty, so Netty waits
     * for an event that already came (the channel stayed active until the read timeout in 8 of 30 upstream
     * resets mid-body). Asked at the end of a read loop, when the reset that could have been missed is already
     * in the socket's state; epoll and nio report it themselves.
     */
    public static boolean resetUnreported(Channel channel) {
        return channel instanceof IoUringSocketChannel ch && ch.isActive() && ch.tcpInfo().state() == TCP_CLOSE;
    }

    public EventLoopGroup newGroup(int threads, String name) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory(name, false), ioHandlers);
    }
}
