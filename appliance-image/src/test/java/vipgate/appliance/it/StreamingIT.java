package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import vipgate.transport.Transport;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.FreePort;
import vipgate.testkit.NginxWebNode;

/**
 * 1 GiB through a proxy JVM limited to a 256 MiB heap, in both directions: bodies must stream, never be held.
 * Downloads come from a real nginx serving a sparse file; uploads go to an in-test upstream that counts and
 * checksums what arrives, reading as it goes. On every transport: epoll and nio (what {@code transport = auto}
 * falls back to without io_uring) used to stop such bodies after ~100 kB until the read timeout.
 */
@ParameterizedClass(name = "transport = {0}")
@EnumSource(value = Transport.class, mode = EnumSource.Mode.EXCLUDE, names = "AUTO")
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class StreamingIT {
    private static final long GIB = 1L << 30;
    private static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(120);
    private static final int BLOCK = 1 << 20;

    @TempDir
    static Path dir;

    private static NginxWebNode nginx;
    private static HttpServer counter;
    private static ExecutorService counterThreads;
    private static ApplianceProcess proxy;
    private static int downloadPort;
    private static int uploadPort;
    private static HttpClient client;
    @Parameter
    Transport transport;

    @BeforeAll
    static void start() throws IOException {
        Path big = dir.resolve("big.bin");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(GIB); // truncate -s 1G: sparse, all zeros
        }
        nginx = NginxWebNode.builder().location("location = /big { alias " + big + "; }").start();

        counter = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        counterThreads = Executors.newFixedThreadPool(2);
        counter.setExecutor(counterThreads);
        counter.createContext("/count", ex -> {
            CRC32 crc = new CRC32();
            long n = 0;
            byte[] buf = new byte[256 * 1024];
            try (InputStream in = ex.getRequestBody()) {
                for (int r; (r = in.read(buf)) > 0; ) {
                    crc.update(buf, 0, r);
                    n += r;
                }
            }
            byte[] answer = (n + " " + Long.toHexString(crc.getValue()) + "\n").getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        counter.start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @BeforeParameterizedClassInvocation
    static void startProxy(Transport transport) {
        int admin = FreePort.tcp();
        downloadPort = FreePort.tcp();
        uploadPort = FreePort.tcp();
        // two virtual servers, one per upstream
        String conf = """
                vipgate {
                  node-name = "streaming"
                  admin.listen = "127.0.0.1:%d"
                  lb {
                    transport = %s
                    client { max-body-size = 2g }
                    upstreams.files { servers = [ { address = "%s" } ] }
                    upstreams.counter { servers = [ { address = "127.0.0.1:%d" } ] }
                    servers = [
                      { listen = ["127.0.0.1:%d"], locations = [{ path = "/", upstream = files }] }
                      { listen = ["127.0.0.1:%d"], locations = [{ path = "/", upstream = counter }] }
                    ]
                  }
                }
                """.formatted(admin, transport.name().toLowerCase(Locale.ROOT), nginx.address(), counter.getAddress().getPort(),
                downloadPort, uploadPort);
        Path file = ItSupport.write(dir.resolve("vipgate.conf"), conf);
        proxy = ItSupport.run(file, admin, "-Xmx256m", "-XX:+ExitOnOutOfMemoryError");
    }

    @AfterParameterizedClassInvocation
    static void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @AfterAll
    static void stop() {
        if (counter != null) {
            counter.stop(0);
            counterThreads.shutdownNow();
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void downloadsOneGibibyte() throws Exception {
        long start = System.nanoTime();
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + downloadPort + "/big"))
                .timeout(TRANSFER_TIMEOUT).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValueAsLong("content-length")).hasValue(GIB);
        byte[] buf = new byte[BLOCK];
        byte[] zeros = new byte[BLOCK];
        long n = 0;
        long firstNonZero = -1;
        try (InputStream in = r.body()) {
            for (int k; (k = in.read(buf)) > 0; ) {
                if (firstNonZero < 0 && Arrays.mismatch(buf, 0, k, zeros, 0, k) >= 0) {
                    firstNonZero = n + Arrays.mismatch(buf, 0, k, zeros, 0, k);
                }
                n += k;
            }
        }
        report("download", start);
        assertThat(n).isEqualTo(GIB);
        assertThat(firstNonZero).as("offset of the first non-zero byte of a sparse file").isEqualTo(-1);
        assertProxyHealthy();
    }

    @Test
    void uploadsOneGibibyteWithContentLength() throws Exception {
        upload(true);
    }

    @Test
    void uploadsOneGibibyteChunked() throws Exception {
        upload(false);
    }

    private void upload(boolean withLength) throws Exception {
        Generated body = new Generated(GIB, withLength ? 1 : 2);
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> body);
        long start = System.nanoTime();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + uploadPort + "/count"))
                .timeout(TRANSFER_TIMEOUT)
                .POST(withLength ? HttpRequest.BodyPublishers.fromPublisher(stream, GIB) : stream).build(),
                HttpResponse.BodyHandlers.ofString());
        report(withLength ? "upload (Content-Length)" : "upload (chunked)", start);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(body.produced).isEqualTo(GIB);
        assertThat(r.body()).isEqualTo(GIB + " " + Long.toHexString(body.crc.getValue()) + "\n");
        assertProxyHealthy();
    }

    private static void assertProxyHealthy() throws IOException {
        assertThat(proxy.isAlive()).as("proxy process alive").isTrue();
        ItSupport.assertCleanLog(proxy);
        Config status = ConfigFactory.parseString(ItSupport.admin(proxy.adminPort(), "GET", "/status").bodyText());
        assertThat(status.getLong("lb.error-responses")).isZero();
        assertThat(status.getLong("lb.retries")).isZero();
    }

    private void report(String what, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf("StreamingIT: 1 GiB %s through the proxy (-Xmx256m, %s) in %.1f s (%.0f MiB/s); proxy RSS now %d MiB, "
                + "peak %d MiB%n", what, transport, seconds, 1024 / seconds, proxy.rssKiB() / 1024, proxy.peakRssKiB() / 1024);
    }

    /** {@code size} pseudo-random bytes, made as they are read, with their CRC32. Blocks differ by their index. */
    static final class Generated extends InputStream {
        private final long size;
        private final byte[] pattern = new byte[BLOCK];
        final CRC32 crc = new CRC32();
        long produced;

        Generated(long size, long seed) {
            this.size = size;
            new SplittableRandom(seed).nextBytes(pattern);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (produced >= size) {
                return -1;
            }
            int pos = (int) (produced % BLOCK);
            if (pos == 0) {
                long block = produced / BLOCK;
                for (int i = 0; i < 8; i++) {
                    pattern[i] = (byte) (block >>> (8 * i));
                }
            }
            int n = (int) Math.min(Math.min(len, BLOCK - pos), size - produced);
            System.arraycopy(pattern, pos, b, off, n);
            crc.update(b, off, n);
            produced += n;
            return n;
        }
    }
}
