package vipgate.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import vipgate.lb.config.LbConfigText;
import vipgate.lb.metrics.LbMetrics;
import vipgate.lb.metrics.ServerMetrics;
import vipgate.lb.pool.UpstreamConnection;
import vipgate.balance.Peer;
import vipgate.testkit.FreePort;
import vipgate.testkit.NoLeaks;

/** The pool of one event loop hands out idle connections before it connects, and counts what it connects. */
@ExtendWith(NoLeaks.class)
class UpstreamPoolTest {
    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoop loop = GROUP.next();
    private final ServerSocket server = listen();
    private final LbMetrics metrics = new LbMetrics();
    private final Routing routing = Routing.compile(LbConfigText.bind("""
            vipgate.lb {
              upstreams.up { servers = [ { address = "127.0.0.1:%d" } ] }
              upstreams.down { servers = [ { address = "127.0.0.1:%d" } ] }
              servers = [ { listen = "127.0.0.1:80", locations = [ { path = "/", upstream = up } ] } ]
            }
            """.formatted(server.getLocalPort(), FreePort.refusing())), Map.of(), metrics);
    private final UpstreamPool pool = new UpstreamPool(loop, NioSocketChannel::new, ByteBufAllocator.DEFAULT,
            new ProxyContext(NioSocketChannel::new, routing, metrics, new BufferBudget(List.of(), 0)));

    private static ServerSocket listen() {
        try {
            // connects complete in the backlog; nothing needs to accept them
            return new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void close() throws Exception {
        loop.submit(pool::closeAll).get(5, TimeUnit.SECONDS);
        server.close();
    }

    @AfterAll
    static void stop() {
        GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** What a try hears from the pool. */
    private static final class Result implements UpstreamConnector.Callback {
        final CompletableFuture<UpstreamConnection> connection = new CompletableFuture<>();

        @Override
        public void connected(UpstreamConnection c) {
            connection.complete(c);
        }

        @Override
        public void connectFailed(Throwable cause) {
            connection.completeExceptionally(cause);
        }
    }

    private UpstreamConnection acquire(String group) throws Exception {
        UpstreamGroup g = routing.upstreams().get(group);
        Peer peer = g.peers().get(0);
        Result r = new Result();
        loop.submit(() -> pool.acquire(g, peer, null, r)).get(5, TimeUnit.SECONDS);
        return r.connection.get(5, TimeUnit.SECONDS);
    }

    private ServerMetrics serverMetrics(String group) {
        UpstreamGroup g = routing.upstreams().get(group);
        return g.metrics(g.peers().get(0));
    }

    @Test
    void aNewConnectionHasTheUpstreamHandlersAndIsCounted() throws Exception {
        UpstreamConnection c = acquire("up");
        assertThat(c.channel().isActive()).isTrue();
        assertThat(c.channel().pipeline().get(UpstreamCodec.class)).isNotNull();
        assertThat(c.channel().pipeline().get(UpstreamHandler.class)).isNotNull();
        assertThat(c.serverKey()).isEqualTo(routing.upstreams().get("up").peers().get(0).name());
        assertThat(serverMetrics("up").openConnections()).isEqualTo(1);
        loop.submit(() -> pool.release(routing.upstreams().get("up"), c, false)).get(5, TimeUnit.SECONDS);
        c.channel().closeFuture().await(5, TimeUnit.SECONDS);
        assertThat(c.channel().isActive()).isFalse();
        assertThat(serverMetrics("up").openConnections()).isZero();
    }

    @Test
    void aReusableConnectionIsParkedAndHandedOutAgainBeforeAnyNewOne() throws Exception {
        UpstreamConnection first = acquire("up");
        first.startRequest();
        loop.submit(() -> pool.release(routing.upstreams().get("up"), first, true)).get(5, TimeUnit.SECONDS);
        assertThat(loop.submit(pool::idleCount).get(5, TimeUnit.SECONDS)).isEqualTo(1);
        UpstreamConnection again = acquire("up");
        assertThat(again).isSameAs(first);
        assertThat(loop.submit(pool::idleCount).get(5, TimeUnit.SECONDS)).isZero();
        assertThat(serverMetrics("up").openConnections()).isEqualTo(1);
    }

    @Test
    void aRefusedConnectIsReportedAsAFailure() {
        CompletableFuture<UpstreamConnection> refused = CompletableFuture.supplyAsync(() -> {
            try {
                return acquire("down");
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e.getCause() != null ? e.getCause() : e);
            }
        });
        assertThat(refused).failsWithin(5, TimeUnit.SECONDS).withThrowableThat().havingRootCause()
                .isInstanceOf(ConnectException.class);
        assertThat(serverMetrics("down").openConnections()).isZero();
    }
}
