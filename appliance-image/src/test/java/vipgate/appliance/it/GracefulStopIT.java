package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.FreePort;
import vipgate.testkit.RawHttp;

/** SIGTERM drains: a request in flight completes, new connections are refused, the process exits 0. */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class GracefulStopIT {
    private static final int BODY = 256 * 1024;

    @TempDir
    Path dir;

    private HttpServer slow;
    private ExecutorService slowThreads;
    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private ApplianceProcess proxy;
    private int admin;
    private int listen;

    @BeforeEach
    void startSlowUpstream() throws IOException {
        slow = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        slowThreads = Executors.newCachedThreadPool();
        slow.setExecutor(slowThreads);
        slow.createContext("/slow", ex -> {
            ex.getRequestBody().readAllBytes();
            arrived.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = new byte[BODY];
            Arrays.fill(body, (byte) 's');
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        slow.start();
        admin = FreePort.tcp();
        listen = FreePort.tcp();
    }

    @AfterEach
    void stop() {
        release.countDown();
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            slow.stop(0);
            slowThreads.shutdownNow();
        }
    }

    private void startProxy(String drain) {
        Path file = ItSupport.write(dir.resolve("vipgate.conf"), ItSupport.config(admin, List.of(listen),
                List.of("127.0.0.1:" + slow.getAddress().getPort()), "shutdown-drain = " + drain, ""));
        proxy = ItSupport.run(file, admin, "-Dio.netty.leakDetection.level=paranoid");
    }

    private CompletableFuture<RawHttp.Response> slowRequest() {
        return CompletableFuture.supplyAsync(() -> {
            try (RawHttp c = RawHttp.connect(listen).readTimeout(Duration.ofSeconds(60))) {
                return c.get("/slow", "it.test");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void sigtermLetsTheRequestInFlightFinishThenExitsZero() throws Exception {
        startProxy("20s");
        CompletableFuture<RawHttp.Response> inFlight = slowRequest();
        assertThat(arrived.await(15, TimeUnit.SECONDS)).as("the request reached the upstream").isTrue();

        long sigterm = System.nanoTime();
        proxy.terminate();
        assertThat(FreePort.awaitRefusing(listen, Duration.ofSeconds(10))).as("the listener closes at once").isTrue();
        assertThat(FreePort.awaitRefusing(admin, Duration.ofSeconds(10))).as("the admin API closes at once").isTrue();
        assertThat(proxy.isAlive()).as("still draining the request in flight").isTrue();
        assertThat(inFlight).isNotDone();

        release.countDown();
        RawHttp.Response r = inFlight.get(30, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).hasSize(BODY);
        assertThat(r.closes()).as("Connection: close while draining").isTrue();

        int exit = proxy.awaitExit(Duration.ofSeconds(20));
        double seconds = (System.nanoTime() - sigterm) / 1e9;
        System.out.printf("GracefulStopIT: SIGTERM to exit %.2f s with a request in flight%n", seconds);
        assertThat(exit).as("exit status after a drained SIGTERM").isZero();
        assertThat(proxy.log()).contains("SIGTERM: stopping").contains("lb engine stopped").doesNotContain("still busy");
        ItSupport.assertCleanLog(proxy);
    }

    @Test
    void aRequestOutlastingTheDrainIsCutAndTheProcessStillExitsZero() throws Exception {
        startProxy("2s");
        CompletableFuture<RawHttp.Response> inFlight = slowRequest();
        assertThat(arrived.await(15, TimeUnit.SECONDS)).isTrue();

        long sigterm = System.nanoTime();
        proxy.terminate();
        int exit = proxy.awaitExit(Duration.ofSeconds(15));
        double seconds = (System.nanoTime() - sigterm) / 1e9;
        assertThat(exit).isZero();
        assertThat(seconds).as("exit within the 2s drain plus a margin").isBetween(1.5, 8.0);
        assertThat(proxy.log()).contains("still busy after the 2s drain");
        assertThat(inFlight).failsWithin(Duration.ofSeconds(10));
    }
}
