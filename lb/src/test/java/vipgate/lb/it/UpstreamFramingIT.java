package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;

/**
 * Every message vipgate sends is framed by vipgate, and an upstream connection carries exactly the responses it
 * was asked for: what a client names in Connection, what a backend sends after (or instead of) a response, or a
 * body the backend corrupts must never let one message run into another. Each case failed on 08cb094; what
 * nginx 1.22 and HAProxy 2.6 do on the same bytes (same crafted backend, probed beside vipgate) is noted with it.
 *
 * <p>One event loop, so consecutive client connections share one upstream pool and "the next client" really
 * gets the connection the previous one used.
 */
@ExtendWith(NoLeaks.class)
class UpstreamFramingIT {
    private static final String SMUGGLED = "GET /internal/secret HTTP/1.1\r\nHost: a\r\n\r\n";

    private TestUpstream upstream;
    private LbUnderTest lb;

    @AfterEach
    void stop() {
        Cleanup.close(lb, upstream);
    }

    /** Only /public (and /rules, which sets framing headers by rule) is routed; /internal is not. */
    private void start(TestUpstream backend) {
        upstream = backend;
        lb = LbUnderTest.start("""
                event-loops = 1
                shutdown-drain = 5s
                upstreams.web { servers = [ { address = "%s" } ] }
                servers = [ { listen = "127.0.0.1:${PORT}", locations = [
                    { path = "/public", upstream = web },
                    { path = "/rules", upstream = web,
                      request-headers { Content-Length = "1", Transfer-Encoding = "chunked", X-Real-IP = "$remote_addr" },
                      response-headers { Content-Length = "" } } ] } ]
                """.formatted(backend.address()));
    }

    /** Answers every request with what it saw: method, target and body. */
    private static TestUpstream echoing() {
        return TestUpstream.http((ctx, req) -> TestUpstream.reply(ctx, req, TestUpstream.text(HttpResponseStatus.OK,
                "saw " + req.method() + " " + req.uri() + " [" + req.content().toString(StandardCharsets.UTF_8) + "]")));
    }

    private static String post(String path, String extraHeaders, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: a\r\n" + extraHeaders + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    /**
     * 08cb094 dropped Content-Length because Connection named it and streamed the body anyway: the backend read
     * it as a second request, GET /internal/secret, which vipgate's routing forbids, and its response waited on the
     * pooled connection for the next client. nginx and HAProxy forward Content-Length as sent (neither removes a
     * field for being named in Connection), so the backend sees one POST; nginx is run here on the same bytes.
     */
    @Test
    void aBodyNamingContentLengthInConnectionStaysABody() throws IOException {
        start(echoing());
        String attack = post("/public", "Connection: Content-Length\r\n", SMUGGLED);
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send(attack);
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("saw POST /public [" + SMUGGLED + "]");
        }
        try (RawHttp next = RawHttp.connect(lb.port)) {
            assertThat(next.get("/public/next", "a").bodyText()).as("the next client's answer").isEqualTo("saw GET /public/next []");
        }
        assertThat(upstream.seen).extracting(TestUpstream.Seen::uri).containsExactly("/public", "/public/next");
        assertThat(upstream.seen.get(0).header("Content-Length")).isEqualTo(Integer.toString(SMUGGLED.length()));

        int before = upstream.requests.get();
        try (NginxWebNode nginx = NginxWebNode.builder().location("location /public { proxy_pass http://" + upstream.address()
                        + "; proxy_http_version 1.1; proxy_set_header Connection \"\"; }").start();
                RawHttp c = RawHttp.connect(nginx.port())) {
            c.send(attack);
            assertThat(c.read().bodyText()).as("nginx").isEqualTo("saw POST /public [" + SMUGGLED + "]");
        }
        assertThat(upstream.seen.subList(before, upstream.seen.size())).extracting(TestUpstream.Seen::uri)
                .as("what nginx forwarded").containsExactly("/public");
    }

    /**
     * Header rules cannot reframe either: the body goes with the length it came with, and so does the response.
     * Nor can a client's Connection header take away what a rule sets or what the request was routed by.
     */
    @Test
    void headerRulesCannotChangeTheFraming() throws IOException {
        start(echoing());
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send(post("/rules", "Connection: X-Real-IP, Host, Content-Length\r\nX-Real-IP: 6.6.6.6\r\n", "hello"));
            RawHttp.Response r = c.read();
            assertThat(r.header("Content-Length")).isEqualTo(Integer.toString("saw POST /rules [hello]".length()));
            assertThat(r.bodyText()).isEqualTo("saw POST /rules [hello]");
            assertThat(c.get("/public/next", "a").bodyText()).isEqualTo("saw GET /public/next []");
        }
        assertThat(upstream.seen.get(0).header("Content-Length")).isEqualTo("5");
        assertThat(upstream.seen.get(0).header("Transfer-Encoding")).isNull();
        assertThat(upstream.seen.get(0).header("X-Real-IP")).isEqualTo("127.0.0.1");
        assertThat(upstream.seen.get(0).header("Host")).isEqualTo("a");
    }

    /**
     * A backend answering "Connection: Content-Length": 08cb094 stripped the length and kept the client
     * connection alive with no framing, so the client could not find the end (and would read the next response
     * as body). nginx keeps the length (it does not honour Connection-listed fields); HAProxy forwards the
     * response unchanged, Connection header and length included.
     */
    @Test
    void aResponseNamingContentLengthInConnectionKeepsItsLength() throws IOException {
        start(TestUpstream.raw((ctx, req) -> TestUpstream.sendRaw(ctx, req.uri().equals("/public/conn")
                ? "HTTP/1.1 200 OK\r\nConnection: Content-Length\r\nContent-Length: 5\r\n\r\nhello"
                : "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext")));
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.readTimeout(Duration.ofSeconds(3));
            RawHttp.Response r = c.get("/public/conn", "a");
            assertThat(r.header("Content-Length")).isEqualTo("5");
            assertThat(r.bodyText()).isEqualTo("hello");
            assertThat(c.get("/public/next", "a").bodyText()).isEqualTo("next");
        }
    }

    private static final String CLEAN = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nclean";
    /** A partial head: with the next response's status line as the value of X-Pad, it becomes a valid head. */
    private static final String PLANTED = "HTTP/1.1 200 OK\r\nSet-Cookie: session=attacker\r\nX-Pad: ";

    private void nextClientGetsACleanResponse() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.readTimeout(Duration.ofSeconds(3));
            RawHttp.Response r = c.get("/public/victim", "a");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headerValues("Set-Cookie")).as("the next client's cookies").isEmpty();
            assertThat(r.bodyText()).isEqualTo("clean");
        }
    }

    /**
     * Bytes after a complete response, in the same packet: 08cb094 pooled the connection with them buffered in
     * the decoder, and the next client got the attacker's Set-Cookie in its response. nginx logs "upstream sent
     * more data than specified in Content-Length" and closes the connection; HAProxy does not reuse it either:
     * the next client gets a clean response from both.
     */
    @Test
    void bytesAfterACompleteResponseNeverReachTheNextClient() throws IOException {
        start(TestUpstream.raw((ctx, req) -> TestUpstream.sendRaw(ctx, req.uri().equals("/public/attack")
                ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" + PLANTED : CLEAN)));
        try (RawHttp c = RawHttp.connect(lb.port)) {
            assertThat(c.get("/public/attack", "a").bodyText()).isEqualTo("ok");
        }
        nextClientGetsACleanResponse();
        assertThat(upstream.connections.get()).as("the tainted connection was not reused").isEqualTo(2);
    }

    /** The same bytes arriving while the connection idles in the pool: it leaves the pool at once. */
    @Test
    void bytesOnAnIdlePooledConnectionDiscardIt() throws IOException {
        start(TestUpstream.raw((ctx, req) -> {
            TestUpstream.sendRaw(ctx, CLEAN);
            if (req.uri().equals("/public/attack")) {
                ctx.executor().schedule(() -> TestUpstream.sendRaw(ctx, PLANTED), 100, TimeUnit.MILLISECONDS);
            }
        }));
        try (RawHttp c = RawHttp.connect(lb.port)) {
            assertThat(c.get("/public/attack", "a").bodyText()).isEqualTo("clean");
        }
        Await.require(Duration.ofSeconds(3), "the connection that received unasked bytes to leave the pool",
                () -> lb.idleUpstreamConnections() == 0);
        nextClientGetsACleanResponse();
    }

    /** A server closing an idle connection takes it out of the pool at once (08cb094: counted idle for 60 s). */
    @Test
    void anIdleConnectionTheServerClosesLeavesThePool() throws IOException {
        start(TestUpstream.raw((ctx, req) -> {
            TestUpstream.sendRaw(ctx, CLEAN);
            ctx.executor().schedule(() -> ctx.close(), 100, TimeUnit.MILLISECONDS);
        }));
        try (RawHttp c = RawHttp.connect(lb.port)) {
            assertThat(c.get("/public/a", "a").bodyText()).isEqualTo("clean");
        }
        Await.require(Duration.ofSeconds(3), "the closed connection to leave the pool", () -> lb.idleUpstreamConnections() == 0);
        nextClientGetsACleanResponse();
    }

    /**
     * A corrupt chunk after the response started: 08cb094 ended the client's chunked body cleanly, a truncated
     * 200 that looked complete. Now the client connection closes without the last chunk. nginx closes the
     * client connection (with the head and first chunk in one packet it sends nothing at all); HAProxy answers
     * 502 when it has not forwarded the head yet.
     */
    @Test
    void aCorruptChunkTruncatesTheClientResponseVisibly() throws IOException {
        start(TestUpstream.raw((ctx, req) -> {
            TestUpstream.sendRaw(ctx, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            ctx.executor().schedule(() -> TestUpstream.sendRaw(ctx, "zz\r\nmore\r\n0\r\n\r\n"), 100, TimeUnit.MILLISECONDS);
        }));
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("GET /public/chunks HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThatThrownBy(c::read).isInstanceOf(EOFException.class).hasMessageContaining("inside a chunked body");
        }
        assertThat(upstream.requests.get()).isEqualTo(1);
    }
}
