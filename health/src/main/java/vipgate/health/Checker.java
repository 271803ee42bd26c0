package vipgate.health;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/** One probe of one target: TCP connect, HTTP GET or a script. */
public interface Checker {

    /**
     * Starts one probe. The future never completes exceptionally (every failure is an unhealthy
     * {@link CheckResult}) and always completes within the checker's timeout, so callers need no
     * timeout of their own.
     */
    CompletableFuture<CheckResult> check();

    /**
     * The checker a {@code health-check { }} block asks for.
     *
     * @param target the address to probe; ignored by {@code script} checks
     * @param group the event loops for tcp and http probes
     * @param channelFactory the socket transport (nio, epoll or io_uring) matching {@code group}
     * @param scriptExecutor runs script processes; never a Netty event loop, as starting a process blocks
     * @throws IllegalArgumentException for {@code type = none}, which has nothing to run (see {@link HealthCheckSpec#enabled()})
     */
    static Checker newChecker(HealthCheckSpec spec, InetSocketAddress target, EventLoopGroup group,
            ChannelFactory<? extends Channel> channelFactory, ScheduledExecutorService scriptExecutor) {
        return switch (spec.type()) {
            case TCP -> new TcpConnectChecker(group, channelFactory, target, spec.timeout());
            case HTTP -> new HttpGetChecker(group, channelFactory, target, spec.host(), spec.path(), spec.expectStatus(),
                    spec.timeout(), spec.bodyContains());
            case SCRIPT -> new ScriptChecker(spec.script(), spec.timeout(), scriptExecutor);
            case NONE -> throw new IllegalArgumentException("health-check type none has no checker; treat the target as always up");
        };
    }
}
