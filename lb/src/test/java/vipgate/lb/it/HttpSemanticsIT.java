package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;

/** HTTP/1.1 details a proxy must carry through unchanged: 100-continue, HEAD, 204/304, chunked bodies, pipelining. */
@ExtendWith(NoLeaks.class)
class HttpSemanticsIT {
    private static final byte[] BIG = new byte[8 * 1024 * 1024 + 123];

    private static TestUpstream upstream;
    private static NginxWebNode nginx;
    private static LbUnderTest lb;

    @BeforeAll
    static void start() {
        new Random(2).nextBytes(BIG);
        upstream = TestUpstream.http(HttpSemanticsIT::respond);
        nginx = NginxWebNode.builder().body("HTTP WEB NODE 01\n").file("big.bin", BIG).start();
        lb = LbUnderTest.start("""
                event-loops = 2
                client { max-body-size = 16m }
                upstreams {
                  app { servers = [ { address = "%s" } ] }
                  web { servers = [ { address = "%s" } ] }
                }
                servers = [ { listen = "127.0.0.1:${PORT}", locations = [
                  { path = "/", upstream = app }, { path = "/web/", upstream = web }, { path = "/files/", upstream = web } ] } ]
                """.formatted(upstream.address(), nginx.address()));
    }

    @AfterAll
    static void stop() {
        Cleanup.close(lb, upstream, nginx);
    }

    /** /echo streams the request body back chunked; /204, /304 and /chunked-head answer without a body. */
    private static void respond(ChannelHandlerContext ctx, FullHttpRequest req) {
        String path = req.uri();
        if (path.startsWith("/echo")) {
            byte[] body = ByteBufUtil.getBytes(req.content());
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked")
                    .set("X-Received-Sha256", sha256(body))
                    .set("X-Received-Te", String.valueOf(TestUpstream.rawHeaders(ctx).get(HttpHeaderNames.TRANSFER_ENCODING)))
                    .set("X-Received-Expect", String.valueOf(TestUpstream.rawHeaders(ctx).get(HttpHeaderNames.EXPECT)));
            ctx.write(head);
            int step = Math.max(1, body.length / 3);
            for (int off = 0; off < body.length; off += step) {
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(body, off, Math.min(step, body.length - off))));
            }
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else if (path.equals("/204")) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT));
        } else if (path.equals("/304")) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
            // a 304 may carry the Content-Length of the representation it stands for; it never has a body
            r.headers().set(HttpHeaderNames.ETAG, "\"v1\"").set(HttpHeaderNames.CONTENT_LENGTH, 1234);
            ctx.writeAndFlush(r);
        } else if (path.equals("/chunked-head")) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
            ctx.write(head);
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            TestUpstream.reply(ctx, req, TestUpstream.text(HttpResponseStatus.OK, "app " + path + "\n"));
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The next request on {@code c} gets its own answer from the app upstream: the response before was read to its
     * exact end, nothing of it left over and nothing of this one swallowed.
     */
    private static void assertNextRequestInStep(RawHttp c, String path) throws IOException {
        assertThat(c.get(path, "app").bodyText()).isEqualTo("app " + path + "\n");
    }

    @Test
    void expectContinueGets100ThenTheFinalResponse() throws IOException {
        byte[] body = new byte[200_000];
        new Random(1).nextBytes(body);
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("POST /echo HTTP/1.1\r\nHost: app\r\nExpect: 100-continue\r\nContent-Length: " + body.length + "\r\n\r\n");
            RawHttp.Response interim = c.read();
            assertThat(interim.status()).isEqualTo(100);
            assertThat(interim.statusLine()).isEqualTo("HTTP/1.1 100 Continue");
            c.send(body);
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-Received-Sha256")).isEqualTo(sha256(body));
            assertThat(r.header("X-Received-Expect")).as("Expect is the proxy's business").isEqualTo("null");
            assertThat(r.body()).isEqualTo(body);
            assertNextRequestInStep(c, "/after");
        }
    }

    @Test
    void headCarriesContentLengthButNoBody() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("HEAD /web/ HTTP/1.1\r\nHost: app\r\n\r\n");
            RawHttp.Response r = c.read(true);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Length")).isEqualTo("17");
            // no body followed: the next response on the connection parses from its first byte
            assertThat(c.get("/web/", "app").bodyText()).isEqualTo("HTTP WEB NODE 01\n");

            c.send("HEAD /chunked-head HTTP/1.1\r\nHost: app\r\n\r\n");
            RawHttp.Response chunked = c.read(true);
            assertThat(chunked.status()).isEqualTo(200);
            // Netty's client codec drops Transfer-Encoding from a HEAD response, so none is passed on; no length
            // may be invented either
            assertThat(chunked.hasHeader("Content-Length")).isFalse();
            assertNextRequestInStep(c, "/next");
        }
    }

    @Test
    void noContentAndNotModifiedPassWithoutBody() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            RawHttp.Response noContent = c.get("/204", "app");
            assertThat(noContent.status()).isEqualTo(204);
            assertThat(noContent.hasHeader("Transfer-Encoding")).isFalse();
            RawHttp.Response notModified = c.get("/304", "app");
            assertThat(notModified.status()).isEqualTo(304);
            assertThat(notModified.header("ETag")).isEqualTo("\"v1\"");
            assertThat(notModified.hasHeader("Transfer-Encoding")).isFalse();
            assertNextRequestInStep(c, "/after");
        }
    }

    @Test
    void aChunkedRequestBodyAndAChunkedResponsePassIntact() throws IOException {
        byte[] body = new byte[1_000_003];
        new Random(3).nextBytes(body);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes("POST /echo HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes());
        for (int off = 0; off < body.length; off += 8191) {
            int n = Math.min(8191, body.length - off);
            wire.writeBytes((Integer.toHexString(n) + ";ext=1\r\n").getBytes());
            wire.write(body, off, n);
            wire.writeBytes("\r\n".getBytes());
        }
        wire.writeBytes("0\r\nX-Trailer: t\r\n\r\n".getBytes());
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send(wire.toByteArray());
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-Received-Te")).isEqualTo("chunked");
            assertThat(r.header("X-Received-Sha256")).isEqualTo(sha256(body));
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(sha256(r.body())).isEqualTo(sha256(body));
            assertNextRequestInStep(c, "/after");
        }
    }

    @Test
    void aLargeFileFromNginxArrivesIntact() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            RawHttp.Response r = c.get("/files/big.bin", "app");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(BIG.length));
            assertThat(sha256(r.body())).isEqualTo(sha256(BIG));
            assertThat(c.get("/web/", "app").bodyText()).isEqualTo("HTTP WEB NODE 01\n");
        }
    }

    @Test
    void anHttp10ClientKeepsAliveOnlyWhenItAsksAndGetsAChunkedResponseDelimitedByClose() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            for (int i = 0; i < 2; i++) {
                c.send("GET /ten HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                RawHttp.Response r = c.read();
                assertThat(r.version()).isEqualTo("HTTP/1.0");
                assertThat(r.header("Connection")).isEqualToIgnoringCase("keep-alive");
                assertThat(r.bodyText()).isEqualTo("app /ten\n");
            }
            // the upstream answers /echo chunked, which an HTTP/1.0 client cannot read: delimited by close instead
            c.send("POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhello");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.hasHeader("Transfer-Encoding")).isFalse();
            assertThat(r.closes()).isTrue();
            assertThat(r.bodyText()).isEqualTo("hello");
        }
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("GET /ten HTTP/1.0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.bodyText()).isEqualTo("app /ten\n");
            assertThat(c.closedWithin(java.time.Duration.ofSeconds(5))).as("HTTP/1.0 without keep-alive closes").isTrue();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("GET /one HTTP/1.1\r\nHost: app\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: app\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /web/ HTTP/1.1\r\nHost: app\r\n\r\n"
                    + "GET /three HTTP/1.1\r\nHost: app\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("app /one\n");
            assertThat(c.read().bodyText()).isEqualTo("hello");
            assertThat(c.read().bodyText()).isEqualTo("HTTP WEB NODE 01\n");
            assertThat(c.read().bodyText()).isEqualTo("app /three\n");
        }
    }
}
