package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import vipgate.transport.Transport;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;

/**
 * Bodies larger than the socket buffers, both ways, on every transport: they cross the point where the proxy
 * stops reading one side until the other drains, and must come through whole and at once. On epoll and nio a
 * 1 MiB body used to stop after ~100 kB until the upstream read timeout (issue 12 item 0), while io_uring,
 * whose writes complete later, delivered it.
 */
@OnEveryTransport
@ExtendWith(NoLeaks.class)
class LargeBodiesIT {
    private static final int MIB = 1 << 20;
    /** Far below the proxy's read and send timeouts (60 s): a stalled body fails here, not after a minute. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] FILE = random(MIB, 12);

    private static NginxWebNode nginx;
    private static TestUpstream counter;
    private static LbUnderTest lb;
    @Parameter
    Transport transport;

    @BeforeAll
    static void startUpstreams() {
        nginx = NginxWebNode.builder().file("big.bin", FILE).start();
        counter = TestUpstream.http((ctx, req) -> TestUpstream.reply(ctx, req,
                TestUpstream.text(HttpResponseStatus.OK, summary(req.content().nioBuffer()))));
    }

    @BeforeParameterizedClassInvocation
    static void start(Transport transport) {
        lb = LbUnderTest.start(transport, """
                event-loops = 2
                upstreams.files { servers = [ { address = "%s" } ] }
                upstreams.counter { servers = [ { address = "%s" } ] }
                servers = [ { listen = "127.0.0.1:${PORT}", locations = [
                  { path = "/files/", upstream = files }, { path = "/count", upstream = counter } ] } ]
                """.formatted(nginx.address(), counter.address()));
    }

    @AfterParameterizedClassInvocation
    static void stopProxy() {
        Cleanup.close(lb);
    }

    @AfterAll
    static void stop() {
        Cleanup.close(counter, nginx);
    }

    @Test
    void aMebibyteFromNginxArrivesWhole() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port).readTimeout(CLIENT_TIMEOUT)) {
            RawHttp.Response r = c.get("/files/big.bin", "app");
            assertThat(r.status()).isEqualTo(200);
            assertThat(Arrays.equals(r.body(), FILE)).as("1 MiB body intact (%d bytes came)", r.body().length).isTrue();
            assertThat(c.get("/files/big.bin", "app").body()).as("and again on the same connection").hasSize(MIB);
        }
    }

    @Test
    void aMebibyteReachesAClientThatPausesBeforeReading() throws Exception {
        try (RawHttp c = RawHttp.connect(lb.port).readTimeout(CLIENT_TIMEOUT)) {
            c.socket().setReceiveBufferSize(16 * 1024);
            c.send("GET /files/big.bin HTTP/1.1\r\nHost: app\r\n\r\n");
            // the proxy fills the client's socket and stops reading nginx; reading resumes it
            Thread.sleep(300);
            RawHttp.Response r = c.read();
            assertThat(Arrays.equals(r.body(), FILE)).as("1 MiB body intact (%d bytes came)", r.body().length).isTrue();
        }
    }

    @Test
    void aMebibyteUploadArrivesWholeWithContentLength() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port).readTimeout(CLIENT_TIMEOUT)) {
            c.send("POST /count HTTP/1.1\r\nHost: app\r\nContent-Length: " + MIB + "\r\n\r\n");
            c.send(FILE);
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(summary(ByteBuffer.wrap(FILE)));
        }
    }

    @Test
    void aMebibyteUploadArrivesWholeChunked() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port).readTimeout(CLIENT_TIMEOUT)) {
            c.send("POST /count HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int off = 0; off < MIB; off += 64 * 1024) {
                c.send(Integer.toHexString(64 * 1024) + "\r\n");
                c.send(Arrays.copyOfRange(FILE, off, off + 64 * 1024));
                c.send("\r\n");
            }
            c.send("0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(summary(ByteBuffer.wrap(FILE)));
        }
    }

    /** Length and CRC32 of a body, as the counting upstream answers. */
    private static String summary(ByteBuffer body) {
        CRC32 crc = new CRC32();
        int n = body.remaining();
        crc.update(body);
        return n + " " + Long.toHexString(crc.getValue()) + "\n";
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
