package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vipgate.testkit.LeakCheck;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.RawHttp;

/** What a real nginx behind the proxy receives, and what the client gets back, header by header. */
class HeadersIT {
    private static LeakCheck leaks;
    private static NginxWebNode node;
    private static LbUnderTest lb;

    @BeforeAll
    static void start() {
        leaks = new LeakCheck();
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
        try {
            if (lb != null) {
                lb.close();
            }
            if (node != null) {
                node.close();
            }
            assertThat(leaks.leaks()).isEmpty();
        } finally {
            leaks.close();
        }
    }

    @Test
    void setsRealIpAndAppendsToForwardedForAndKeepsHost() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("GET /headers HTTP/1.1\r\nHost: WWW.Example.test:8080\r\nX-Forwarded-For: 10.1.2.3\r\n"
                    + "X-Real-IP: 6.6.6.6\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            // Connection is empty: the proxy talks HTTP/1.1 keep-alive to the upstream
            assertThat(r.bodyText()).isEqualTo("127.0.0.1|10.1.2.3, 127.0.0.1|WWW.Example.test:8080|\n");
        }
    }

    @Test
    void forwardedForIsTheClientAloneWhenNoneCameIn() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            RawHttp.Response r = c.get("/headers", "web.example");
            assertThat(r.bodyText()).isEqualTo("127.0.0.1|127.0.0.1|web.example|\n");
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
    void anAbsoluteFormTargetIsForwardedInOriginFormWithItsOwnHost() throws IOException {
        // RFC 9112 3.2.2: the host of an absolute-form target wins over Host; the upstream must see the host the
        // proxy routed on, not a different one (vhost confusion)
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("GET http://Shop.Example:8080/headers?x=1 HTTP/1.1\r\nHost: wrong.example\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("127.0.0.1|127.0.0.1|Shop.Example:8080|\n");
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
