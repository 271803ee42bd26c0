package vipgate.bench.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Entry point: {@code rate} (fixed-rate, coordinated-omission-corrected latency) or {@code idle} (held connections). */
public final class LoadGen {

    private LoadGen() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("-h") || args[0].equals("--help"))) {
            System.out.print(Options.USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("loadgen: " + e.getMessage());
            System.err.print(Options.USAGE);
            System.exit(64);
            return;
        }
        int status = options.mode().equals("rate") ? new RateRun(options).run() : new IdleRun(options).run();
        System.exit(status);
    }

    /** Event loops on epoll where the kernel has it (the proxies under test use it too), NIO elsewhere. */
    static EventLoopGroup newGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("loadgen", true),
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** A client bootstrap on {@code group} with Nagle off, as wrk does: requests are small and latency-bound. */
    static Bootstrap bootstrap(EventLoopGroup group, Options options) {
        return new Bootstrap().group(group)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .remoteAddress(options.host(), options.port());
    }
}
