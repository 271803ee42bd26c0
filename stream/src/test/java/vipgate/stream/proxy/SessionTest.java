package vipgate.stream.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.PendingWriteQueue;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import vipgate.balance.Algorithm;
import vipgate.balance.Peer;
import vipgate.config.HostPort;
import vipgate.stream.config.KeyTemplate;
import vipgate.stream.config.ListenerSpec;
import vipgate.stream.config.NextUpstreamSpec;
import vipgate.stream.config.PeerSpec;
import vipgate.stream.config.StreamConfig;
import vipgate.stream.config.UpstreamSpec;
import vipgate.stream.metrics.StreamMetrics;
import vipgate.testkit.Await;
import vipgate.testkit.NoLeaks;
import vipgate.transport.Transport;

/**
 * Sessions on EmbeddedChannels: the client's connection with the listener's pipeline, and servers played by the test
 * through a fake connector, so the choice of server, the retries and the relay are seen step by step.
 */
@ExtendWith(NoLeaks.class)
class SessionTest {
    private static final HostPort LISTEN = new HostPort("127.0.0.1", 6379);
    private static final String A = "10.0.0.1:6379";
    private static final String B = "10.0.0.2:6379";
    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.7", 40000);
    private static final long SECOND = 1_000_000_000L;

    private final FakeConnector servers = new FakeConnector();
    private final AtomicLong clock = new AtomicLong(1);
    private final List<DuplexEmbeddedChannel> clients = new ArrayList<>();
    private final StreamMetrics metrics = new StreamMetrics();
    private Routes routes;

    @AfterEach
    void close() {
        clients.forEach(DuplexEmbeddedChannel::finishAndReleaseAll);
        servers.close();
    }

    private static PeerSpec peer(String address) {
        return new PeerSpec(HostPort.parse(address), 1, 1, Duration.ofSeconds(10), false, false, 0);
    }

    private void route(NextUpstreamSpec next, Duration timeout, Algorithm algorithm, PeerSpec... peers) {
        UpstreamSpec upstream = new UpstreamSpec("redis", algorithm, KeyTemplate.parse("$remote_addr"), List.of(peers));
        ListenerSpec listener = new ListenerSpec(List.of(LISTEN), "redis", Duration.ofSeconds(60), timeout, next);
        routes = Routes.compile(new StreamConfig(Transport.AUTO, 1, Map.of("redis", upstream), List.of(listener)), Map.of(),
                clock::get, metrics);
    }

    private void route(PeerSpec... peers) {
        route(new NextUpstreamSpec(true, 0, Duration.ZERO), Duration.ofMinutes(10), Algorithm.ROUND_ROBIN, peers);
    }

    private DuplexEmbeddedChannel connect(InetSocketAddress from) {
        DuplexEmbeddedChannel c = new DuplexEmbeddedChannel(from, new SessionInitializer(LISTEN, () -> routes, servers,
                new DefaultChannelGroup(GlobalEventExecutor.INSTANCE), clock::get, metrics.listener(LISTEN.toString())));
        clients.add(c);
        return c;
    }

    private DuplexEmbeddedChannel connect() {
        return connect(CLIENT);
    }

    private Peer peerNamed(String name) {
        return routes.upstreams().get("redis").peers().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void bytesGoBothWaysAsTheyCame() {
        route(peer(A));
        DuplexEmbeddedChannel client = connect();
        DuplexEmbeddedChannel server = servers.next();
        client.send("*1\r\n$4\r\nPING\r\n");
        assertThat(server.received()).isEqualTo("*1\r\n$4\r\nPING\r\n");
        server.send("+PONG\r\n");
        assertThat(client.received()).isEqualTo("+PONG\r\n");
        assertThat(client.isOpen()).isTrue();
        assertThat(peerNamed(A).conns()).as("the session holds its server").isEqualTo(1);
    }

    @Test
    void sessionsBytesConnectFailuresAndConnectTimeAreCounted() {
        route(peer(A), peer(B));
        servers.refuse(A);
        servers.hang(B);
        DuplexEmbeddedChannel client = connect();
        clock.addAndGet(3_000_000);
        DuplexEmbeddedChannel server = servers.pending.poll().accept();
        servers.track(server);
        client.send("12345");
        server.send("abc");
        client.received();
        server.received();
        var listener = metrics.listener(LISTEN.toString());
        assertThat(listener.sessionsAccepted()).isEqualTo(1);
        assertThat(listener.sessionsActive()).isEqualTo(1);
        assertThat(listener.bytesIn()).isEqualTo(5);
        assertThat(listener.bytesOut()).isEqualTo(3);
        assertThat(metrics.server("redis", A).connectFailures()).isEqualTo(1);
        assertThat(metrics.server("redis", A).sessions()).isZero();
        assertThat(metrics.server("redis", B).sessions()).isEqualTo(1);
        assertThat(metrics.server("redis", B).bytesToServer()).isEqualTo(5);
        assertThat(metrics.server("redis", B).bytesFromServer()).isEqualTo(3);
        assertThat(metrics.server("redis", B).connectLatency().getMaxValue()).isBetween(2_900L, 3_100L);
        client.close();
        assertThat(listener.sessionsActive()).isZero();
        servers.refuse(B);
        clock.addAndGet(20 * SECOND);
        connect();
        connect();
        assertThat(listener.noServerAvailable()).as("the first tried both and failed; the second found both resting").isEqualTo(1);
    }

    @Test
    void theBufferReadIsTheBufferWrittenWithNoCopy() {
        route(peer(A));
        DuplexEmbeddedChannel client = connect();
        DuplexEmbeddedChannel server = servers.next();
        ByteBuf chunk = Unpooled.directBuffer(16).writeBytes("chunk".getBytes(StandardCharsets.US_ASCII));
        client.writeInbound(chunk);
        ByteBuf out = server.readOutbound();
        assertThat(out).isSameAs(chunk);
        out.release();
    }

    @Test
    void theClientIsReadOnlyOnceItsServerIsConnected() {
        route(peer(A));
        servers.hang(A);
        DuplexEmbeddedChannel client = connect();
        assertThat(client.config().isAutoRead()).isFalse();
        DuplexEmbeddedChannel server = servers.pending.poll().accept();
        servers.track(server);
        assertThat(client.config().isAutoRead()).isTrue();
    }

    @Test
    void bytesTheTransportDeliveredBeforeTheConnectReachTheServerFirst() {
        route(peer(A));
        servers.hang(A);
        DuplexEmbeddedChannel client = connect();
        client.send("early");
        client.sendFin();
        DuplexEmbeddedChannel server = servers.pending.poll().accept();
        servers.track(server);
        assertThat(server.received()).isEqualTo("early");
        assertThat(server.isOutputShutdown()).isTrue();
    }

    @Test
    void aRefusedConnectGoesToTheNextServerAndCountsAgainstTheFirst() {
        route(peer(A), peer(B));
        servers.refuse(A);
        DuplexEmbeddedChannel client = connect();
        assertThat(servers.connects).containsExactly(A, B);
        DuplexEmbeddedChannel server = servers.next();
        client.send("x");
        assertThat(server.received()).isEqualTo("x");
        assertThat(peerNamed(A).fails()).isEqualTo(1);
        assertThat(peerNamed(A).conns()).isZero();
        // fail_timeout: A rests, so the next sessions go to B without trying A
        connect();
        assertThat(servers.connects).containsExactly(A, B, B);
    }

    @Test
    void aTimedOutConnectGoesToTheNextServerToo() {
        route(peer(A), peer(B));
        servers.hang(A);
        connect();
        servers.pending.poll().fail(new ConnectTimeoutException("connection timed out: " + A));
        assertThat(servers.connects).containsExactly(A, B);
        assertThat(servers.servers).hasSize(1);
    }

    @Test
    void whenEveryServerRefusesTheClientIsClosed() {
        route(peer(A), peer(B));
        servers.refuse(A);
        servers.refuse(B);
        DuplexEmbeddedChannel client = connect();
        assertThat(servers.connects).containsExactly(A, B);
        assertThat(client.isOpen()).isFalse();
        assertThat(peerNamed(A).conns() + peerNamed(B).conns()).isZero();
    }

    @Test
    void nextUpstreamOffClosesTheClientAfterTheFirstFailure() {
        route(new NextUpstreamSpec(false, 0, Duration.ZERO), Duration.ofMinutes(10), Algorithm.ROUND_ROBIN, peer(A), peer(B));
        servers.refuse(A);
        DuplexEmbeddedChannel client = connect();
        assertThat(servers.connects).containsExactly(A);
        assertThat(client.isOpen()).isFalse();
    }

    @Test
    void nextUpstreamTriesBoundsTheServersTried() {
        route(new NextUpstreamSpec(true, 2, Duration.ZERO), Duration.ofMinutes(10), Algorithm.ROUND_ROBIN,
                peer(A), peer(B), peer("10.0.0.3:6379"));
        servers.refuse(A);
        servers.refuse(B);
        DuplexEmbeddedChannel client = connect();
        assertThat(servers.connects).containsExactly(A, B);
        assertThat(client.isOpen()).isFalse();
    }

    @Test
    void nextUpstreamTimeoutBoundsTheSearchAndTheLastConnect() {
        route(new NextUpstreamSpec(true, 0, Duration.ofSeconds(5)), Duration.ofMinutes(10), Algorithm.ROUND_ROBIN,
                peer(A), peer(B), peer("10.0.0.3:6379"));
        servers.hang(A);
        servers.hang(B);
        DuplexEmbeddedChannel client = connect();
        assertThat(servers.timeouts).containsExactly(5 * SECOND);
        clock.addAndGet(3 * SECOND);
        servers.pending.poll().fail(new ConnectTimeoutException("timed out"));
        assertThat(servers.timeouts).containsExactly(5 * SECOND, 2 * SECOND);
        clock.addAndGet(2 * SECOND);
        servers.pending.poll().fail(new ConnectTimeoutException("timed out"));
        assertThat(servers.connects).hasSize(2);
        assertThat(client.isOpen()).isFalse();
    }

    @Test
    void aLoneServerIsTriedOnce() {
        route(peer(A));
        servers.refuse(A);
        DuplexEmbeddedChannel client = connect();
        assertThat(servers.connects).containsExactly(A);
        assertThat(client.isOpen()).isFalse();
    }

    @Test
    void aClientThatLeavesDuringTheConnectGivesItsServerBack() {
        route(peer(A), peer(B));
        servers.hang(A);
        DuplexEmbeddedChannel client = connect();
        client.close();
        assertThat(peerNamed(A).conns()).isZero();
        DuplexEmbeddedChannel late = servers.pending.poll().accept();
        servers.track(late);
        assertThat(late.isOpen()).as("the late connection is closed").isFalse();
        assertThat(peerNamed(A).fails()).isZero();
    }

    @Test
    void aClientFinReachesTheServerAfterItsBytesAndTheReplyStillComesBack() {
        route(peer(A));
        DuplexEmbeddedChannel client = connect();
        DuplexEmbeddedChannel server = servers.next();
        client.send("QUIT-ish request");
        client.sendFin();
        assertThat(server.received()).isEqualTo("QUIT-ish request");
        assertThat(server.isOutputShutdown()).isTrue();
        assertThat(client.isOutputShutdown()).isFalse();
        server.send("the whole reply");
        assertThat(client.received()).isEqualTo("the whole reply");
        assertThat(client.isOpen()).isTrue();
        server.sendFin();
        assertThat(client.isOutputShutdown()).isTrue();
        assertThat(client.isOpen()).as("both directions shut: the session ends").isFalse();
        assertThat(server.isOpen()).isFalse();
        assertThat(peerNamed(A).conns()).isZero();
        assertThat(peerNamed(A).fails()).isZero();
    }

    @Test
    void aServerThatClosesHasItsLastBytesDeliveredThenTheClientIsClosed() {
        route(peer(A));
        DuplexEmbeddedChannel client = connect();
        DuplexEmbeddedChannel server = servers.next();
        server.send("last words");
        server.close();
        assertThat(client.received()).isEqualTo("last words");
        assertThat(client.isOpen()).isFalse();
        assertThat(peerNamed(A).conns()).isZero();
    }

    @Test
    void aFullClientPausesTheServerUntilItDrained() {
        route(peer(A));
        DuplexEmbeddedChannel client = connect();
        Gate gate = new Gate();
        client.pipeline().addFirst(gate);
        client.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        DuplexEmbeddedChannel server = servers.next();
        server.send("x".repeat(32));
        assertThat(server.config().isAutoRead()).isFalse();
        gate.open();
        client.runPendingTasks();
        assertThat(server.config().isAutoRead()).isTrue();
        assertThat(client.received()).isEqualTo("x".repeat(32));
    }

    @Test
    void aFullServerPausesTheClientUntilItDrained() {
        route(peer(A));
        DuplexEmbeddedChannel client = connect();
        DuplexEmbeddedChannel server = servers.next();
        Gate gate = new Gate();
        server.pipeline().addFirst(gate);
        server.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        client.send("y".repeat(32));
        assertThat(client.config().isAutoRead()).isFalse();
        gate.open();
        server.runPendingTasks();
        assertThat(client.config().isAutoRead()).isTrue();
        assertThat(server.received()).isEqualTo("y".repeat(32));
    }

    @Test
    void aSideWhoseFinCameIsNotResumedWhenItsPeerDrains() {
        route(peer(A));
        DuplexEmbeddedChannel client = connect();
        DuplexEmbeddedChannel server = servers.next();
        Gate gate = new Gate();
        server.pipeline().addFirst(gate);
        server.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        client.send("y".repeat(32));
        client.sendFin();
        gate.open();
        server.runPendingTasks();
        // reading a channel after its input shut fails on epoll (epoll_ctl ENOENT)
        assertThat(client.config().isAutoRead()).isFalse();
        assertThat(server.received()).isEqualTo("y".repeat(32));
        assertThat(server.isOutputShutdown()).isTrue();
    }

    @Test
    void anIdleSessionIsClosedAfterTheTimeout() {
        route(new NextUpstreamSpec(true, 0, Duration.ZERO), Duration.ofMillis(30), Algorithm.ROUND_ROBIN, peer(A));
        DuplexEmbeddedChannel client = connect();
        DuplexEmbeddedChannel server = servers.next();
        Await.require(Duration.ofSeconds(5), "the idle timeout", () -> {
            client.runScheduledPendingTasks();
            return !client.isOpen();
        });
        assertThat(server.isOpen()).isFalse();
        assertThat(peerNamed(A).conns()).isZero();
    }

    @Test
    void leastConnCountsOpenSessions() {
        route(new NextUpstreamSpec(true, 0, Duration.ZERO), Duration.ofMinutes(10), Algorithm.LEAST_CONN, peer(A), peer(B));
        connect();
        DuplexEmbeddedChannel second = connect();
        assertThat(servers.connects).containsExactly(A, B);
        second.close();
        connect();
        assertThat(servers.connects).containsExactly(A, B, B);
    }

    @Test
    void aServerAtMaxConnsTakesNoMoreSessions() {
        route(new PeerSpec(HostPort.parse(A), 1, 1, Duration.ofSeconds(10), false, false, 1));
        DuplexEmbeddedChannel first = connect();
        DuplexEmbeddedChannel second = connect();
        assertThat(servers.connects).containsExactly(A);
        assertThat(first.isOpen()).isTrue();
        assertThat(second.isOpen()).isFalse();
    }

    @Test
    void aBackupServerTakesSessionsOnlyWhenThePrimaryIsDown() {
        route(peer(A), new PeerSpec(HostPort.parse(B), 1, 1, Duration.ofSeconds(10), true, false, 0));
        connect();
        connect();
        assertThat(servers.connects).containsExactly(A, A);
        servers.refuse(A);
        connect();
        assertThat(servers.connects).containsExactly(A, A, A, B);
    }

    @Test
    void hashOnTheClientAddressKeepsAClientOnItsServer() {
        route(new NextUpstreamSpec(true, 0, Duration.ZERO), Duration.ofMinutes(10), Algorithm.HASH,
                peer(A), peer(B), peer("10.0.0.3:6379"));
        for (int i = 0; i < 5; i++) {
            connect(new InetSocketAddress("192.0.2.7", 40000 + i));
        }
        assertThat(servers.connects).hasSize(5).containsOnly(servers.connects.get(0));
        List<String> others = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            connect(new InetSocketAddress("198.51.100." + i, 40000));
        }
        others.addAll(servers.connects.subList(5, 25));
        assertThat(others).as("other clients spread").contains(A, B, "10.0.0.3:6379");
    }

    /** An outbound buffer that does not drain until opened: the peer's receive window is full. */
    private static final class Gate extends ChannelOutboundHandlerAdapter {
        private PendingWriteQueue queue;
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            this.queue = new PendingWriteQueue(ctx);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (queue == null) {
                ctx.write(msg, promise);
            } else {
                queue.add(msg, promise);
            }
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (queue == null) {
                ctx.flush();
            }
        }

        void open() {
            PendingWriteQueue q = queue;
            queue = null;
            q.removeAndWriteAll();
            ctx.flush();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (queue != null) {
                queue.removeAndFailAll(new IllegalStateException("closed"));
            }
        }
    }
}
