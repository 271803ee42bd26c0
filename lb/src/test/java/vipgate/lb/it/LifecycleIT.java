package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.FreePort;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;

/** Graceful shutdown and live reload: requests under way always finish. */
@ExtendWith(NoLeaks.class)
class LifecycleIT {
    private static TestUpstream old;
    private static NginxWebNode node2;

    @BeforeAll
    static void start() {
        // "/slow" takes 2 s, everything else is answered at once
        old = TestUpstream.http((ctx, req) -> {
            if (req.uri().startsWith("/slow")) {
                TestUpstream.slow(2_000, "OLD slow\n").respond(ctx, req);
            } else {
                TestUpstream.reply(ctx, req, TestUpstream.text(HttpResponseStatus.OK, "OLD\n"));
            }
        });
        node2 = NginxWebNode.start("HTTP WEB NODE 02\n");
    }

    @AfterAll
    static void stop() {
        Cleanup.close(old, node2);
    }

    private static CompletableFuture<RawHttp.Response> getAsync(int port, String path) {
        return CompletableFuture.supplyAsync(() -> {
            try (RawHttp c = RawHttp.connect(port)) {
                return c.get(path, "app");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void shutdownRefusesNewConnectionsAndDrainsTheRequestUnderWay() throws Exception {
        LbUnderTest lb = LbUnderTest.start(LbUnderTest.proxyingTo(old.address()));
        CompletableFuture<Void> shutdown = null;
        try (RawHttp idle = RawHttp.connect(lb.port)) {
            assertThat(idle.get("/", "app").bodyText()).isEqualTo("OLD\n");
            int before = old.requests.get();
            CompletableFuture<RawHttp.Response> slow = getAsync(lb.port, "/slow");
            Await.require(Duration.ofSeconds(5), "the slow request at the upstream", () -> old.requests.get() > before);

            shutdown = CompletableFuture.runAsync(() -> lb.engine.shutdown(Duration.ofSeconds(10)));
            assertThat(FreePort.awaitRefusing(lb.port, Duration.ofSeconds(2))).as("listener closed at once").isTrue();
            assertThat(idle.closedWithin(Duration.ofSeconds(2))).as("idle keep-alive connection closed at once").isTrue();
            assertThat(slow).as("the slow request is still under way").isNotDone();
            assertThat(shutdown).as("shutdown waits for it").isNotDone();

            RawHttp.Response r = slow.get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("OLD slow\n");
            assertThat(r.closes()).as("drained connection is closed after its response").isTrue();
            shutdown.get(10, TimeUnit.SECONDS);
        } finally {
            if (shutdown == null) {
                lb.close();
            }
        }
    }

    @Test
    void reloadSendsNewRequestsToTheNewUpstreamWhileOldOnesFinish() throws Exception {
        try (LbUnderTest lb = LbUnderTest.start(LbUnderTest.proxyingTo(old.address()));
                RawHttp idle = RawHttp.connect(lb.port)) {
            assertThat(idle.get("/", "app").bodyText()).isEqualTo("OLD\n");
            int before = old.requests.get();
            CompletableFuture<RawHttp.Response> slow = getAsync(lb.port, "/slow");
            Await.require(Duration.ofSeconds(5), "the slow request at the old upstream", () -> old.requests.get() > before);

            lb.reload(LbUnderTest.proxyingTo(node2.address()));

            // the idle keep-alive connection survived and its next request follows the new config
            RawHttp.Response viaIdle = idle.get("/", "app");
            assertThat(viaIdle.status()).isEqualTo(200);
            assertThat(viaIdle.bodyText()).isEqualTo("HTTP WEB NODE 02\n");
            try (RawHttp fresh = RawHttp.connect(lb.port)) {
                assertThat(fresh.get("/", "app").bodyText()).isEqualTo("HTTP WEB NODE 02\n");
            }
            assertThat(slow).isNotDone();
            RawHttp.Response r = slow.get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("OLD slow\n");
        }
    }

    @Test
    void aReloadThatCannotListenChangesNothing() throws Exception {
        try (LbUnderTest lb = LbUnderTest.start(LbUnderTest.proxyingTo(old.address()));
                ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String next = """
                    event-loops = 2
                    upstreams.web { servers = [ { address = "%s" } ] }
                    servers = [ { listen = ["127.0.0.1:${PORT}", "127.0.0.1:%d"], locations = [ { path = "/", upstream = web } ] } ]
                    """.formatted(node2.address(), taken.getLocalPort());
            assertThatThrownBy(() -> lb.reload(next)).hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
            try (RawHttp c = RawHttp.connect(lb.port)) {
                assertThat(c.get("/", "app").bodyText()).isEqualTo("OLD\n");
            }
        }
    }

    @Test
    void reloadOpensNewListenersAndClosesDroppedOnes() throws Exception {
        int second = FreePort.tcp();
        try (LbUnderTest lb = LbUnderTest.start(LbUnderTest.proxyingTo(old.address()))) {
            String both = """
                    event-loops = 2
                    upstreams.web { servers = [ { address = "%s" } ] }
                    servers = [ { listen = ["127.0.0.1:${PORT}", "127.0.0.1:%d"], locations = [ { path = "/", upstream = web } ] } ]
                    """.formatted(old.address(), second);
            lb.reload(both);
            try (RawHttp c = RawHttp.connect(second)) {
                assertThat(c.get("/", "app").bodyText()).isEqualTo("OLD\n");
            }
            lb.reload(LbUnderTest.proxyingTo(old.address()));
            assertThat(FreePort.awaitRefusing(second, Duration.ofSeconds(2))).isTrue();
            try (RawHttp c = RawHttp.connect(lb.port)) {
                assertThat(c.get("/", "app").bodyText()).isEqualTo("OLD\n");
            }
        }
    }
}
