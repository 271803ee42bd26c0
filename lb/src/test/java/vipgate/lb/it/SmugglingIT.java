package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import vipgate.transport.Transport;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;

/**
 * Requests two HTTP parsers could frame differently are refused with 400 and the connection is closed, and no
 * complete request reaches the upstream: whatever the upstream would have made of them, it never sees them.
 */
@OnEveryTransport
@ExtendWith(NoLeaks.class)
class SmugglingIT {
    private static TestUpstream upstream;
    private static LbUnderTest lb;
    @Parameter
    Transport transport;

    @BeforeParameterizedClassInvocation
    static void start(Transport transport) {
        upstream = TestUpstream.http(TestUpstream.answering("upstream saw it\n"));
        lb = LbUnderTest.start(transport, LbUnderTest.proxyingTo(upstream.address()));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        Cleanup.close(lb, upstream);
    }

    static Stream<Arguments> smuggling() {
        return Stream.of(
                Arguments.of("Content-Length with Transfer-Encoding",
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n"),
                Arguments.of("Transfer-Encoding before Content-Length",
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"),
                Arguments.of("two different Content-Length values",
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde"),
                Arguments.of("Content-Length list",
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 3\r\n\r\nabcde"),
                Arguments.of("two different Content-Length values in HTTP/1.0",
                        "POST / HTTP/1.0\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde"),
                Arguments.of("signed Content-Length",
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc"),
                Arguments.of("obs-fold continuation line",
                        "GET / HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n"),
                Arguments.of("obs-fold hiding Transfer-Encoding",
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX-Folded: x\r\n\tTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("invalid chunk size",
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding: xchunked",
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding: chunked, identity",
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding: chunked twice",
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding in HTTP/1.0",
                        "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("space before colon",
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\nhello"),
                Arguments.of("space before colon in an ordinary header",
                        "GET / HTTP/1.1\r\nHost: a\r\nX-Foo : bar\r\n\r\n"),
                Arguments.of("bare LF ending the request line",
                        "GET / HTTP/1.1\nHost: a\r\n\r\n"),
                Arguments.of("bare LF ending a header line",
                        "GET / HTTP/1.1\r\nHost: a\nX-Foo: bar\r\n\r\n"),
                Arguments.of("two Host headers",
                        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
                Arguments.of("NUL in a header value",
                        "GET / HTTP/1.1\r\nHost: a\r\nX-Foo: b\0r\r\n\r\n"),
                // Issue 12: accepted by 08cb094, refused by nginx 1.22 (or routed differently). HAProxy 2.6 noted.
                // nginx 200 on a.test, HAProxy forwards it; 08cb094 routed on a.test, a server reading userinfo@host
                // serves b.test
                Arguments.of("port hiding userinfo in Host", "GET / HTTP/1.1\r\nHost: a.test:1@b.test\r\n\r\n"),
                // nginx 400, HAProxy 400; 08cb094 routed on host "u"
                Arguments.of("userinfo in an absolute-form target", "GET http://u:p@b.test/ HTTP/1.1\r\nHost: a\r\n\r\n"),
                // nginx 400, HAProxy forwards "http:///x"; 08cb094 routed on Host
                Arguments.of("absolute-form target without a host", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n"),
                // nginx 400 for both, HAProxy 400 for the control byte and forwards DEL
                Arguments.of("control byte in the target", "GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n"),
                Arguments.of("DEL in the target", "GET /a\u007fb HTTP/1.1\r\nHost: a\r\n\r\n"),
                // nginx 400, HAProxy 400; 08cb094 took it for HTTP/1.1
                Arguments.of("lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smuggling")
    void isRefusedWith400AndTheConnectionClosed(String what, String request) throws IOException {
        int before = upstream.requests.get();
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send(request);
            RawHttp.Response r = c.read();
            assertThat(r.status()).as(what).isEqualTo(400);
            assertThat(r.closes()).as("Connection: close on " + r).isTrue();
            assertThat(r.bodyText()).contains("<h1>400 Bad Request</h1>");
            assertThat(c.closedWithin(Duration.ofSeconds(5))).as("connection closed after 400").isTrue();
        }
        assertThat(upstream.requests.get()).as("requests that reached the upstream").isEqualTo(before);
    }

    @Test
    void aCleanRequestStillPasses() throws IOException {
        int before = upstream.requests.get();
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("upstream saw it\n");
        }
        assertThat(upstream.requests.get()).isEqualTo(before + 1);
        assertThat(new String(upstream.seen.get(upstream.seen.size() - 1).body())).isEqualTo("hello");
    }

    /**
     * A well-formed version other than 1.0 and 1.1: nginx answers HTTP/2.0 with 505 and takes HTTP/1.2 as 1.1;
     * HAProxy forwards both as HTTP/1.1; 08cb094 proxied both. vipgate answers 505 to both and closes.
     */
    @Test
    void anotherHttpVersionIs505() throws IOException {
        int before = upstream.requests.get();
        for (String version : new String[] {"HTTP/2.0", "HTTP/1.2"}) {
            try (RawHttp c = RawHttp.connect(lb.port)) {
                RawHttp.Response r = c.send("GET / " + version + "\r\nHost: a\r\n\r\n").read();
                assertThat(r.status()).as(version).isEqualTo(505);
                assertThat(c.closedWithin(Duration.ofSeconds(5))).as("closed after " + version).isTrue();
            }
        }
        assertThat(upstream.requests.get()).isEqualTo(before);
    }

    /**
     * nginx drops a field with '_' in its name (underscores_in_headers off); HAProxy forwards Transfer_Encoding and
     * X_Foo as they came, and so did 08cb094, to servers that may read Transfer_Encoding as Transfer-Encoding.
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
                + LbUnderTest.proxyingTo(upstream.address()));
                RawHttp c = RawHttp.connect(allowing.port)) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\nX_Foo: 1\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(upstream.seen.get(upstream.seen.size() - 1).header("X_Foo")).isEqualTo("1");
    }
}
