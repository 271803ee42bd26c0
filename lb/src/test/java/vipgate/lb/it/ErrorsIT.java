package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.FreePort;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;

/** The responses the proxy makes itself, each with nginx's status and page layout. */
@ExtendWith(NoLeaks.class)
class ErrorsIT {
    private static TestUpstream ok;
    private static TestUpstream slow;
    private static TestUpstream busy;
    private static LbUnderTest lb;

    @BeforeAll
    static void start() {
        ok = TestUpstream.http(TestUpstream.answering("ok\n"));
        slow = TestUpstream.http(TestUpstream.slow(3_000, "too late\n"));
        busy = TestUpstream.http(TestUpstream.slow(1_500, "finally\n"));
        lb = LbUnderTest.start("""
                event-loops = 2
                client { max-uri = 1k, max-header-size = 2k, max-headers = 20, max-body-size = 1k }
                upstreams {
                  dead { servers = [ { address = "127.0.0.1:%d" }, { address = "127.0.0.1:%d" } ] }
                  slow { read-timeout = 500ms, servers = [ { address = "%s" } ] }
                  busy { servers = [ { address = "%s", max-conns = 1 } ] }
                  ok { servers = [ { address = "%s" } ] }
                }
                servers = [
                  { listen = "127.0.0.1:${PORT}", server-names = ["app.example"], locations = [
                      { path = "/dead", upstream = dead }, { path = "/slow", upstream = slow },
                      { path = "/busy", upstream = busy }, { path = "/", upstream = ok } ] }
                  { listen = "127.0.0.1:${PORT}", server-names = ["api.example"], default = true,
                    locations = [ { path = "/api/", upstream = ok } ] }
                ]
                """.formatted(FreePort.refusing(), FreePort.refusing(), slow.address(), busy.address(), ok.address()));
    }

    @AfterAll
    static void stop() {
        Cleanup.close(lb, ok, slow, busy);
    }

    private static void assertErrorPage(RawHttp.Response r, int status, String reason) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Content-Type")).isEqualTo("text/html");
        assertThat(r.bodyText()).isEqualTo("<html>\r\n<head><title>" + status + " " + reason + "</title></head>\r\n<body>\r\n"
                + "<center><h1>" + status + " " + reason + "</h1></center>\r\n<hr><center>vipgate</center>\r\n</body>\r\n</html>\r\n");
        assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(r.body().length));
    }

    @Test
    void allServersDownIs502AndTheConnectionStaysUsable() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = c.get("/dead", "app.example");
                assertErrorPage(r, 502, "Bad Gateway");
                assertThat(r.closes()).isFalse();
            }
            assertThat(c.get("/", "app.example").bodyText()).isEqualTo("ok\n");
        }
    }

    @Test
    void anUpstreamSlowerThanReadTimeoutIs504() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            long start = System.nanoTime();
            RawHttp.Response r = c.get("/slow", "app.example");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertErrorPage(r, 504, "Gateway Timeout");
            assertThat(millis).as("answered after read-timeout 500ms").isBetween(400L, 2_500L);
            assertThat(c.get("/", "app.example").bodyText()).isEqualTo("ok\n");
        }
    }

    @Test
    void serversAtMaxConnsGive503() throws Exception {
        int before = busy.requests.get();
        CompletableFuture<RawHttp.Response> first = CompletableFuture.supplyAsync(() -> {
            try (RawHttp c = RawHttp.connect(lb.port)) {
                return c.get("/busy", "app.example");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            Await.require(Duration.ofSeconds(5), "the first request at the busy upstream", () -> busy.requests.get() > before);
            try (RawHttp c = RawHttp.connect(lb.port)) {
                assertErrorPage(c.get("/busy", "app.example"), 503, "Service Unavailable");
            }
        } finally {
            RawHttp.Response r = first.get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("finally\n");
        }
    }

    @Test
    void aPathNoLocationMatchesIs404() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            // an unknown host goes to the default server, which only has /api/
            assertErrorPage(c.get("/shop", "unknown.example"), 404, "Not Found");
            assertErrorPage(c.get("/apx", "api.example"), 404, "Not Found");
            // nginx redirects the proxying location's path without its slash
            RawHttp.Response slashless = c.get("/api", "api.example");
            assertErrorPage(slashless, 301, "Moved Permanently");
            assertThat(slashless.header("Location")).isEqualTo("http://api.example:" + lb.port + "/api/");
            assertThat(c.get("/api/v1", "api.example").bodyText()).isEqualTo("ok\n");
            assertThat(c.get("/shop", "APP.example.").bodyText()).isEqualTo("ok\n");
        }
    }

    @Test
    void anAbsoluteFormTargetIsRoutedByItsOwnHostNotByTheHostHeader() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("GET http://app.example/shop HTTP/1.1\r\nHost: api.example\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("ok\n");
            c.send("GET http://api.example/shop HTTP/1.1\r\nHost: app.example\r\n\r\n");
            assertErrorPage(c.read(), 404, "Not Found");
        }
        TestUpstream.Seen seen = ok.seen.stream().filter(s -> s.uri().endsWith("/shop")).reduce((a, b) -> b).orElseThrow();
        assertThat(seen.uri()).isEqualTo("/shop");
        assertThat(seen.header("Host")).isEqualTo("app.example");
    }

    @Test
    void aDeclaredBodyOverMaxBodySizeIs413AndCloses() throws IOException {
        int before = ok.requests.get();
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("POST / HTTP/1.1\r\nHost: app.example\r\nContent-Length: 2000\r\n\r\n" + "x".repeat(2000));
            RawHttp.Response r = c.read();
            assertErrorPage(r, 413, "Request Entity Too Large");
            assertThat(r.closes()).isTrue();
            assertThat(c.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(ok.requests.get()).isEqualTo(before);
    }

    @Test
    void aChunkedBodyGrowingOverMaxBodySizeIs413AndCloses() throws IOException {
        int before = ok.requests.get();
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("POST / HTTP/1.1\r\nHost: app.example\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = "258\r\n" + "y".repeat(600) + "\r\n";
            c.send(chunk + chunk + "0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertErrorPage(r, 413, "Request Entity Too Large");
            assertThat(c.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(ok.requests.get()).as("no complete request upstream").isEqualTo(before);
    }

    /** What a test requires of the connection once the error page came. */
    enum Afterwards {
        CLOSED, NOT_CHECKED
    }

    static Stream<Arguments> refusedRequests() {
        StringBuilder tooManyHeaders = new StringBuilder("GET / HTTP/1.1\r\nHost: app.example\r\n");
        for (int i = 0; i < 30; i++) {
            tooManyHeaders.append("X-H").append(i).append(": v\r\n");
        }
        return Stream.of(
                Arguments.of("a request line over max-uri", "GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: app.example\r\n\r\n",
                        414, "Request-URI Too Long", Afterwards.CLOSED),
                Arguments.of("too many headers", tooManyHeaders.append("\r\n").toString(),
                        431, "Request Header Fields Too Large", Afterwards.NOT_CHECKED),
                Arguments.of("a header block over max-header-size", "GET / HTTP/1.1\r\nHost: app.example\r\nX-Big: " + "b".repeat(3000)
                        + "\r\n\r\n", 431, "Request Header Fields Too Large", Afterwards.CLOSED),
                Arguments.of("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400, "Bad Request", Afterwards.CLOSED),
                Arguments.of("an unknown expectation", "GET / HTTP/1.1\r\nHost: app.example\r\nExpect: teapot\r\n\r\n",
                        417, "Expectation Failed", Afterwards.NOT_CHECKED));
    }

    @ParameterizedTest(name = "{0} is {2}")
    @MethodSource("refusedRequests")
    void isRefusedWithItsErrorPage(String what, String request, int status, String reason, Afterwards afterwards)
            throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send(request);
            assertErrorPage(c.read(), status, reason);
            if (afterwards == Afterwards.CLOSED) {
                assertThat(c.closedWithin(Duration.ofSeconds(5))).as("connection closed after " + status).isTrue();
            }
        }
    }
}
