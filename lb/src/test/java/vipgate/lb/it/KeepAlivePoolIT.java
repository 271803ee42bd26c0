package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import vipgate.testkit.Await;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;

/** Upstream connections are kept per event loop and reused, within the configured limits. */
@ExtendWith(NoLeaks.class)
class KeepAlivePoolIT {
    private TestUpstream upstream;

    @BeforeEach
    void start() {
        upstream = TestUpstream.http(TestUpstream.answering("pooled\n"));
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    private void requests(LbUnderTest lb, int n) throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            for (int i = 0; i < n; i++) {
                RawHttp.Response r = c.get("/", "app");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("pooled\n");
            }
        }
    }

    @Test
    void manySequentialRequestsOnOneClientConnectionUseOneUpstreamConnection() throws IOException {
        try (LbUnderTest lb = LbUnderTest.start(LbUnderTest.proxyingTo(upstream.address()))) {
            requests(lb, 50);
            assertThat(upstream.requests.get()).isEqualTo(50);
            assertThat(upstream.connections.get()).isEqualTo(1);
            // new client connections land on either of the 2 event loops, each with its own pool
            for (int i = 0; i < 10; i++) {
                requests(lb, 3);
            }
            assertThat(upstream.connections.get()).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void nginxEndingKeepAliveConnectionsCostsNoRequest() throws IOException {
        // nginx closes its side after 2 requests (Connection: close) and after 1 s idle
        try (NginxWebNode node = NginxWebNode.builder().body("pooled\n").keepaliveRequests(2).keepaliveTimeoutSeconds(1)
                .accessLog(true).start();
                LbUnderTest lb = LbUnderTest.start(LbUnderTest.proxyingTo(node.address()))) {
            requests(lb, 21);
            Await.require(Duration.ofSeconds(5), "21 requests in nginx's access log", () -> node.accessLogLines() == 21);
            Await.require(Duration.ofSeconds(5), "nginx closing its idle keep-alive connections",
                    () -> node.establishedConnections() == 0);
            requests(lb, 3);
            Await.require(Duration.ofSeconds(5), "24 requests in nginx's access log", () -> node.accessLogLines() == 24);
        }
    }

    @Test
    void aServersKeepAliveTimeoutCapsHowLongItsConnectionIdlesInThePool() throws IOException {
        try (TestUpstream shortLived = TestUpstream.http((ctx, req) -> {
                    var r = TestUpstream.text(HttpResponseStatus.OK, "pooled\n");
                    r.headers().set("Keep-Alive", "timeout=1");
                    TestUpstream.reply(ctx, req, r);
                });
                LbUnderTest lb = LbUnderTest.start(LbUnderTest.proxyingTo(shortLived.address()))) {
            try (RawHttp c = RawHttp.connect(lb.port)) {
                assertThat(c.get("/", "app").status()).isEqualTo(200);
            }
            assertThat(lb.idleUpstreamConnections()).isEqualTo(1);
            // "timeout=1" leaves no second of margin: the connection must still leave the pool before the server's
            // second is up, not after the pool's own 60 s
            Await.require(Duration.ofMillis(1_500), "the idle connection to leave the pool", () -> lb.idleUpstreamConnections() == 0);
        }
    }

    /** idle = 0 disables reuse; a connection carries at most max-requests. */
    @ParameterizedTest(name = "{0}: {1} requests take {2} upstream connections")
    @CsvSource(delimiter = '|', value = {
        "keepalive { idle = 0 }         | 10 | 10",
        "keepalive { max-requests = 5 } | 20 | 4",
    })
    void keepaliveSettingsLimitReuse(String keepalive, int requests, int connections) throws IOException {
        try (LbUnderTest lb = LbUnderTest.start(LbUnderTest.simple(
                keepalive + ", servers = [ { address = \"" + upstream.address() + "\" } ]"))) {
            requests(lb, requests);
            assertThat(upstream.connections.get()).isEqualTo(connections);
        }
    }
}
