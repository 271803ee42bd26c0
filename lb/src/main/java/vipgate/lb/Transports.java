package vipgate.lb;

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
import vipgate.lb.config.Transport;

/** The Netty transport in use: event loops and the channel types that match them. */
public record Transports(Transport kind, IoHandlerFactory ioHandlers, ChannelFactory<? extends ServerChannel> servers,
        ChannelFactory<? extends Channel> clients, String whyChosen) {
    /**
     * Netty's io_uring transport, when a read finds the socket empty, waits for more with a multishot POLL_ADD,
     * which fires on new events only. A peer's RST (or FIN) that arrived with its last bytes is such an event
     * already past: Netty saw the POLLRDHUP, read those bytes, was told the socket is empty and armed the poll,
     * which then never fired; the channel sat active until a timeout (8 of 30 upstream resets mid-body). A
     * one-shot poll looks at the socket's state when armed, so the reset is read at once. Read before IoUring is
     * first touched, which is here; an explicit -D setting wins.
     */
    static final String IO_URING_MULTISHOT_POLL = "io.netty.iouring.pollAddMultishotEnabled";

    static {
        if (System.getProperty(IO_URING_MULTISHOT_POLL) == null) {
            System.setProperty(IO_URING_MULTISHOT_POLL, "false");
        }
    }

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

    public EventLoopGroup newGroup(int threads, String name) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory(name, false), ioHandlers);
    }
}
