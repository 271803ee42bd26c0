package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;

/** What a real nginx behind the proxy receives, and what the client gets back, header by header. */
@ExtendWith(NoLeaks.class)
class HeadersIT {
    private static NginxWebNode node;
    private static LbUnderTest lb;

    @BeforeAll
    static void start() {
        node = NginxWebNode.builder().body("HTTP WEB NODE 01\n").echoHeaders()
                .location("location = /hop { return 200 \"$http_foo|$http_keep_alive|$http_te|$http_proxy_connection|"
                        + "$http_upgrade|$http_x_kept|$http_transfer_encoding\\n\"; }")
                .start();
        lb = LbUnderTest.start("""
                event-loops = 1
                upstreams.web { servers = [ { address = "%s" } ] }
                servers = [ {
                  listen = "127.0.0.1:${PORT}"
                  locations = [ {
                    path = "/"
                    upstream = web
                    request-headers { X-Real-IP = "$remote_addr", X-Forwarded-For = "$proxy_add_x_forwarded_for" }
                    response-headers { X-Served-By = "vipgate ${host}", Server = "" }
                  } ]
                } ]
                """.formatted(node.address()));
    }

    @AfterAll
    static void stop() {
        Cleanup.close(lb, node);
    }

    /** The nginx node echoes what it received: X-Real-IP|X-Forwarded-For|Host|Connection. */
    static Stream<Arguments> forwardedRequests() {
        return Stream.of(
                // Connection is empty: the proxy talks HTTP/1.1 keep-alive to the upstream
                Arguments.of("sets X-Real-IP, appends to X-Forwarded-For and keeps Host",
                        "GET /headers HTTP/1.1\r\nHost: WWW.Example.test:8080\r\nX-Forwarded-For: 10.1.2.3\r\n"
                                + "X-Real-IP: 6.6.6.6\r\n\r\n",
                        "127.0.0.1|10.1.2.3, 127.0.0.1|WWW.Example.test:8080|\n"),
                Arguments.of("X-Forwarded-For is the client alone when none came in",
                        "GET /headers HTTP/1.1\r\nHost: web.example\r\n\r\n",
                        "127.0.0.1|127.0.0.1|web.example|\n"),
                // RFC 9112 3.2.2: the host of an absolute-form target wins over Host; the upstream must see the host
                // the proxy routed on, not a different one (vhost confusion)
                Arguments.of("an absolute-form target is forwarded in origin form with its own host",
                        "GET http://Shop.Example:8080/headers?x=1 HTTP/1.1\r\nHost: wrong.example\r\n\r\n",
                        "127.0.0.1|127.0.0.1|Shop.Example:8080|\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forwardedRequests")
    void theUpstreamGetsTheHeadersTheProxySets(String what, String request, String echoed) throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send(request);
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(echoed);
        }
    }

    @Test
    void anHttp10RequestWithoutHostGetsTheUpstreamNameAsHost() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("GET /headers HTTP/1.0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.version()).isEqualTo("HTTP/1.0");
            assertThat(r.bodyText()).isEqualTo("127.0.0.1|127.0.0.1|web|\n");
            assertThat(c.closedWithin(java.time.Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void hopByHopHeadersAreNotForwarded() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("GET /hop HTTP/1.1\r\nHost: web\r\nConnection: keep-alive, Foo\r\nFoo: bar\r\nKeep-Alive: timeout=5\r\n"
                    + "TE: trailers\r\nProxy-Connection: keep-alive\r\nUpgrade: h2c\r\nX-Kept: yes\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("|||||yes|\n");
            // the connection is still usable: Connection: keep-alive, Foo did not turn into a close or an upgrade
            assertThat(r.closes()).isFalse();
            assertThat(c.get("/", "web").bodyText()).isEqualTo("HTTP WEB NODE 01\n");
        }
    }

    @Test
    void responseHeadersAreSetAndRemovedAndConnectionIsTheProxysOwn() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            RawHttp.Response r = c.get("/", "shop.example");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-Served-By")).isEqualTo("vipgate shop.example");
            assertThat(r.hasHeader("Server")).as("nginx's Server header removed: " + r).isFalse();
            assertThat(r.headerValues("Connection")).doesNotContain("close");
            assertThat(r.headerValues("Content-Length")).containsExactly("17");
            assertThat(r.headerValues("Content-Type")).containsExactly("text/plain");
        }
    }
}
