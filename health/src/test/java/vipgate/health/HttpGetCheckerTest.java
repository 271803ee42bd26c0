package vipgate.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import vipgate.testkit.NoLeaks;

@ExtendWith(NoLeaks.class)
class HttpGetCheckerTest {
    private static final StatusRange OK = StatusRange.parse("200-399");
    private static final CountDownLatch RELEASE_HUNG = new CountDownLatch(1);
    private static final AtomicReference<Headers> LAST_HEADERS = new AtomicReference<>();

    private static EventLoopGroup group;
    private static HttpServer server;
    private static ExecutorService serverThreads;

    @BeforeAll
    static void start() throws IOException {
        group = NettyTestSupport.newGroup();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ok", ex -> {
            LAST_HEADERS.set(ex.getRequestHeaders());
            respond(ex, 200, "all good: vipgate ready\n");
        });
        server.createContext("/down", ex -> respond(ex, 503, "maintenance\n"));
        server.createContext("/big", ex -> respond(ex, 200, "x".repeat(100 * 1024) + "ready"));
        server.createContext("/hang", ex -> {
            try {
                RELEASE_HUNG.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.start();
    }

    @AfterAll
    static void stop() {
        RELEASE_HUNG.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
        NettyTestSupport.shutdown(group);
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static CheckResult probe(String path, String host, String bodyContains, Duration timeout) throws Exception {
        return probe(server.getAddress().getPort(), path, host, bodyContains, timeout);
    }

    private static CheckResult probe(int port, String path, String host, String bodyContains, Duration timeout) throws Exception {
        HttpGetChecker checker = new HttpGetChecker(group, NettyTestSupport.NIO,
                new InetSocketAddress("127.0.0.1", port), host, path, OK, timeout, bodyContains);
        return checker.check().get(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
    }

    @Test
    void status200IsHealthyAndRequestCarriesTheAdvertisedHeaders() throws Exception {
        CheckResult result = probe("/ok", "", "", Duration.ofSeconds(2));
        assertThat(result.healthy()).isTrue();
        assertThat(result.detail()).isEqualTo("status 200");
        Headers headers = LAST_HEADERS.get();
        assertThat(headers.getFirst("Host")).isEqualTo("127.0.0.1:" + server.getAddress().getPort());
        assertThat(headers.getFirst("User-Agent")).isEqualTo("vipgate-health");
        assertThat(headers.getFirst("Connection")).isEqualTo("close");
    }

    @Test
    void configuredHostHeaderIsSent() throws Exception {
        assertThat(probe("/ok", "www.example.com", "", Duration.ofSeconds(2)).healthy()).isTrue();
        assertThat(LAST_HEADERS.get().getFirst("Host")).isEqualTo("www.example.com");
    }

    /** /down answers 503; /nope is not there (404). */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "/down, status 503 not in 200-399",
        "/nope, status 404 not in 200-399",
    })
    void aStatusOutsideTheRangeIsUnhealthy(String path, String detail) throws Exception {
        CheckResult result = probe(path, "", "", Duration.ofSeconds(2));
        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).isEqualTo(detail);
    }

    @Test
    void bodyMustContainTheMarkerWhenAsked() throws Exception {
        CheckResult found = probe("/ok", "", "vipgate ready", Duration.ofSeconds(2));
        assertThat(found.healthy()).isTrue();
        assertThat(found.detail()).isEqualTo("status 200, body contains 'vipgate ready'");

        CheckResult missing = probe("/ok", "", "database down", Duration.ofSeconds(2));
        assertThat(missing.healthy()).isFalse();
        assertThat(missing.detail()).isEqualTo("status 200 but the body lacks 'database down'");
    }

    @Test
    void bodyIsOnlySearchedWithinTheLimit() throws Exception {
        CheckResult result = probe("/big", "", "ready", Duration.ofSeconds(2));
        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).isEqualTo("status 200 but the first 64 KiB of the body lack 'ready'");
        assertThat(probe("/big", "", "xxxx", Duration.ofSeconds(2)).healthy()).isTrue();
    }

    @Test
    void serverThatNeverAnswersTimesOutWithinTheTimeout() throws Exception {
        Duration timeout = Duration.ofMillis(300);
        long start = System.nanoTime();
        CheckResult result = probe("/hang", "", "", timeout);
        long elapsed = System.nanoTime() - start;
        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).isEqualTo("timeout after 300ms waiting for response");
        assertThat(Duration.ofNanos(elapsed)).isBetween(timeout, timeout.plusSeconds(1));
    }

    @Test
    void closedPortIsRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CheckResult result = probe(port, "/", "", "", Duration.ofSeconds(2));
        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).contains("refused");
    }

    @Test
    void peerThatClosesWithoutAnsweringIsUnhealthy() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread closer = new Thread(() -> {
                try {
                    s.accept().close();
                } catch (IOException ignored) {
                    // the test fails on the result instead
                }
            });
            closer.start();
            CheckResult result = probe(s.getLocalPort(), "/", "", "", Duration.ofSeconds(2));
            closer.join(2000);
            assertThat(result.healthy()).isFalse();
            assertThat(result.detail()).isIn("connection closed before the response was complete", "connection reset");
        }
    }

    @Test
    void defaultHostHeaderIsTheTargetAsGivenBracketingIpv6AndOmittingPort80() {
        assertThat(HttpGetChecker.hostHeader(new InetSocketAddress("::1", 8080))).isEqualTo("[0:0:0:0:0:0:0:1]:8080");
        assertThat(HttpGetChecker.hostHeader(new InetSocketAddress("127.0.0.1", 80))).isEqualTo("127.0.0.1");
        assertThat(HttpGetChecker.hostHeader(new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080))).isEqualTo("localhost:8080");
    }
}
