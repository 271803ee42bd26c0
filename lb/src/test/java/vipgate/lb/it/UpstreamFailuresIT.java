package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;

/** Upstreams that misbehave: the client gets an error or a visibly broken response, never a hang or a wrong one. */
@ExtendWith(NoLeaks.class)
class UpstreamFailuresIT {
    private static TestUpstream broken;
    private static TestUpstream slow;
    private static LbUnderTest lb;

    /** Writes raw bytes past the HTTP encoder, then closes. */
    private static void raw(ChannelHandlerContext ctx, String bytes) {
        ctx.pipeline().firstContext().writeAndFlush(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @BeforeAll
    static void start() {
        broken = TestUpstream.http((ctx, req) -> {
            switch (req.uri()) {
                case "/truncated" -> raw(ctx, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part of it");
                case "/truncated-chunked" -> raw(ctx, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
                case "/garbage" -> raw(ctx, "SMTP ready\r\n\r\n");
                case "/close" -> ctx.close();
                case "/unframed" -> raw(ctx, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
                case "/switching" -> raw(ctx, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n");
                default -> TestUpstream.reply(ctx, req, TestUpstream.text(HttpResponseStatus.OK, "fine\n"));
            }
        });
        slow = TestUpstream.http(TestUpstream.slow(1_000, "slow\n"));
        lb = LbUnderTest.start("""
                event-loops = 2
                upstreams {
                  broken { servers = [ { address = "%s" } ] }
                  slow { servers = [ { address = "%s", max-conns = 1 } ] }
                }
                servers = [ { listen = "127.0.0.1:${PORT}", locations = [
                  { path = "/", upstream = broken }, { path = "/slow", upstream = slow } ] } ]
                """.formatted(broken.address(), slow.address()));
    }

    @AfterAll
    static void stop() {
        Cleanup.close(lb, broken, slow);
    }

    @Test
    void aResponseCutShortIsCutShortForTheClientToo() throws IOException {
        for (String path : new String[] {"/truncated", "/truncated-chunked"}) {
            try (RawHttp c = RawHttp.connect(lb.port)) {
                c.send("GET " + path + " HTTP/1.1\r\nHost: app\r\n\r\n");
                assertThatThrownBy(c::read).as(path).isInstanceOf(EOFException.class);
            }
        }
    }

    @Test
    void anInvalidResponseIs502() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            RawHttp.Response r = c.get("/garbage", "app");
            assertThat(r.status()).isEqualTo(502);
            assertThat(c.get("/fine", "app").bodyText()).isEqualTo("fine\n");
        }
    }

    @Test
    void aConnectionClosedWithoutAResponseIs502() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            assertThat(c.get("/close", "app").status()).isEqualTo(502);
        }
    }

    @Test
    void anUnsolicitedSwitchingProtocolsIs502() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            assertThat(c.get("/switching", "app").status()).isEqualTo(502);
        }
    }

    @Test
    void aResponseFramedByCloseReachesAnHttp11ClientChunkedAndAnHttp10ClientByClose() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            RawHttp.Response r = c.get("/unframed", "app");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(r.bodyText()).isEqualTo("until the end");
            assertThat(c.get("/fine", "app").bodyText()).as("the client connection goes on").isEqualTo("fine\n");
        }
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("GET /unframed HTTP/1.0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.hasHeader("Content-Length")).isFalse();
            assertThat(r.bodyText()).isEqualTo("until the end");
        }
    }

    @Test
    void aClientThatGivesUpFreesItsMaxConnsSlot() throws IOException {
        int before = slow.requests.get();
        RawHttp quitter = RawHttp.connect(lb.port);
        try {
            quitter.send("GET /slow HTTP/1.1\r\nHost: app\r\n\r\n");
            Await.require(Duration.ofSeconds(5), "the request at the upstream", () -> slow.requests.get() > before);
        } finally {
            quitter.close();
        }
        // once the proxy noticed the client left, the only slot is free again (without it: 503 for good)
        AtomicInteger busy = new AtomicInteger();
        Await.require(Duration.ofSeconds(5), () -> "a 200 from the slow upstream (" + busy + " times 503)", () -> {
            try (RawHttp c = RawHttp.connect(lb.port)) {
                RawHttp.Response r = c.get("/slow", "app");
                if (r.status() == 503) {
                    busy.incrementAndGet();
                    return false;
                }
                assertThat(r.status()).isEqualTo(200);
                return true;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }
}
