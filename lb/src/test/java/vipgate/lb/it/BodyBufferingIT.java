package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import vipgate.transport.Transport;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.RawHttp;

/**
 * proxy-buffering.requests with 4 KiB of memory, so the body here goes through the temporary file: it reaches the
 * server whole, and only once it is complete (a slow sender holds no server connection); the file is unlinked at once.
 * On every transport: the body is written from the file in a loop that a flush can re-enter on epoll and nio.
 * (Responses read ahead of a slow client: ProxyBufferingIT in appliance-image.)
 */
@OnEveryTransport
class BodyBufferingIT {
    private static final byte[] BODY = new byte[300_000];

    @TempDir
    static Path temp;

    private static TestUpstream upstream;
    private static LbUnderTest lb;
    @Parameter
    Transport transport;

    @BeforeAll
    static void startUpstream() {
        new Random(5).nextBytes(BODY);
        // echoes the request body
        upstream = TestUpstream.http((ctx, req) -> {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(ByteBufUtil.getBytes(req.content())));
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
            TestUpstream.reply(ctx, req, r);
        });
    }

    @BeforeParameterizedClassInvocation
    static void start(Transport transport) {
        lb = LbUnderTest.start(transport, LbUnderTest.proxyingTo(upstream.address()) + """
                client { max-body-size = 1m }
                proxy-buffering { responses = true, requests = true, memory = 4k, temp-path = "%s" }
                """.formatted(temp));
    }

    @AfterParameterizedClassInvocation
    static void stopProxy() {
        Cleanup.close(lb);
    }

    @AfterAll
    static void stop() {
        Cleanup.close(upstream);
    }

    @Test
    void aRequestBodyReachesTheServerWholeAndOnlyOnceComplete() throws IOException {
        int before = upstream.connections.get();
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("POST /echo HTTP/1.1\r\nHost: app\r\nContent-Length: " + BODY.length + "\r\n\r\n");
            c.send(Arrays.copyOf(BODY, BODY.length / 2));
            // half a body: no server is asked yet
            assertThat(Await.until(Duration.ofMillis(500), () -> upstream.connections.get() > before)).isFalse();
            c.send(Arrays.copyOfRange(BODY, BODY.length / 2, BODY.length));
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(BODY);
            // the connection goes on: the next request on it is answered too
            c.send("POST /again HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("hello");
        }
        assertThat(upstream.seen.stream().filter(s -> s.uri().equals("/echo")).reduce((a, b) -> b).orElseThrow().body())
                .isEqualTo(BODY);
        try (var files = Files.list(temp)) {
            assertThat(files).as("temporary files are unlinked").isEmpty();
        }
    }
}
