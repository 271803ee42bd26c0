package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;

/**
 * Request lines and headers 08cb094 accepted although nginx refuses or ignores them. For each: what nginx 1.22
 * and HAProxy 2.6 answered the same bytes (probed with the same backend behind each).
 */
@ExtendWith(NoLeaks.class)
class RequestParsingIT {
    private static TestUpstream upstream;
    private static LbUnderTest lb;

    @BeforeAll
    static void start() {
        upstream = TestUpstream.http(TestUpstream.answering("upstream saw it\n"));
        lb = LbUnderTest.start(LbUnderTest.proxyingTo(upstream.address()));
    }

    @AfterAll
    static void stop() {
        Cleanup.close(lb, upstream);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                // nginx: 200, routed on a.test; HAProxy: forwards it; 08cb094: routed on a.test, while a server
                // reading userinfo@host serves b.test
                Arguments.of("port hiding userinfo in Host", "GET / HTTP/1.1\r\nHost: a.test:1@b.test\r\n\r\n", 400),
                // nginx: 400; HAProxy: 400; 08cb094: routed on host "u"
                Arguments.of("userinfo in an absolute-form target", "GET http://u:p@b.test/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("user in an absolute-form target", "GET http://u@b.test/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                // nginx: 400; HAProxy: forwards "http:///x"; 08cb094: routed on Host
                Arguments.of("absolute-form target without a host", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                // nginx: 400 for both; HAProxy: 400 for the control byte, forwards DEL
                Arguments.of("control byte in the target", "GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("DEL in the target", "GET /a\u007fb HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                // nginx: 400; HAProxy: 400; 08cb094: taken as HTTP/1.1
                Arguments.of("lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
                // nginx: 505; HAProxy: forwards it as HTTP/1.1; 08cb094: proxied
                Arguments.of("HTTP/2.0 on an HTTP/1 connection", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
                // nginx: 200 (as HTTP/1.1); HAProxy: 200; vipgate is stricter
                Arguments.of("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void isRefusedAndTheConnectionClosed(String what, String request, int status) throws IOException {
        int before = upstream.requests.get();
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send(request);
            RawHttp.Response r = c.read();
            assertThat(r.status()).as(what).isEqualTo(status);
            assertThat(r.closes()).as("Connection: close on " + r).isTrue();
            assertThat(c.closedWithin(Duration.ofSeconds(5))).as("connection closed").isTrue();
        }
        assertThat(upstream.requests.get()).as("requests that reached the upstream").isEqualTo(before);
    }

    /**
     * nginx drops a field with '_' in its name (underscores_in_headers off) and logs nothing; HAProxy forwards
     * Transfer_Encoding and X_Foo as they came, as 08cb094 did.
     */
    @Test
    void headerNamesWithUnderscoresAreNotForwarded() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer_Encoding: chunked\r\nX_Foo: 1\r\nX-Bar: 2\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(c.read().status()).isEqualTo(200);
        }
        TestUpstream.Seen seen = upstream.seen.get(upstream.seen.size() - 1);
        assertThat(seen.headers().names()).doesNotContain("Transfer_Encoding", "X_Foo").contains("X-Bar");
        assertThat(new String(seen.body())).isEqualTo("hello");
    }

    @Test
    void underscoresAreForwardedWhenConfigured() throws IOException {
        try (LbUnderTest allowing = LbUnderTest.start("client { underscores-in-headers = true }\n"
                + LbUnderTest.proxyingTo(upstream.address()))) {
            try (RawHttp c = RawHttp.connect(allowing.port)) {
                assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\nX_Foo: 1\r\n\r\n").read().status()).isEqualTo(200);
            }
        }
        assertThat(upstream.seen.get(upstream.seen.size() - 1).header("X_Foo")).isEqualTo("1");
    }
}
