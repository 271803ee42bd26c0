package vipgate.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** keepalived's {@code TCP_CHECK}: healthy when a connection opens within the timeout; it is closed at once. */
public final class TcpConnectChecker implements Checker {
    private final EventLoopGroup group;
    private final ChannelFactory<? extends Channel> channelFactory;
    private final InetSocketAddress target;
    private final Duration connectTimeout;

    /**
     * @param channelFactory the socket transport (nio, epoll or io_uring) matching {@code group}
     * @param target a resolved address: resolving per probe would block an event loop on DNS
     */
    public TcpConnectChecker(EventLoopGroup group, ChannelFactory<? extends Channel> channelFactory,
            InetSocketAddress target, Duration connectTimeout) {
        this.group = Objects.requireNonNull(group, "group");
        this.channelFactory = Objects.requireNonNull(channelFactory, "channelFactory");
        this.target = requireResolved(target);
        this.connectTimeout = Details.requirePositive(connectTimeout, "connect timeout");
    }

    static InetSocketAddress requireResolved(InetSocketAddress target) {
        if (target.isUnresolved()) {
            throw new IllegalArgumentException("health-check target " + target.getHostString() + ":" + target.getPort()
                    + " is not resolved; resolve it once (HostPort.resolve()) before building the checker");
        }
        return target;
    }

    @Override
    public CompletableFuture<CheckResult> check() {
        CompletableFuture<CheckResult> result = new CompletableFuture<>();
        long start = System.nanoTime();
        if (Details.completeIfShutDown(group, result, start)) {
            return result;
        }
        try {
            new Bootstrap()
                    .group(group)
                    .channelFactory(channelFactory)
                    // Netty bounds the connect itself, on every transport.
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, connectTimeout.toMillis()))
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(target)
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            f.channel().close();
                            result.complete(CheckResult.since(start, true, "connected"));
                        } else {
                            result.complete(CheckResult.since(start, false, f.cause() instanceof ConnectTimeoutException
                                    ? "timeout after " + Details.duration(connectTimeout) : Details.failure(f.cause())));
                        }
                    });
        } catch (RuntimeException e) {
            // e.g. a loop that began shutting down after the check above
            result.complete(CheckResult.since(start, false, Details.failure(e)));
        }
        return result;
    }

    @Override
    public String toString() {
        return "tcp " + target;
    }
}
