package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.RawHttp;

/**
 * limit_req and limit_conn side by side with nginx on one imported site (importer/limits/timeline.conf): the same
 * scripted timeline of requests to each, the accepted, delayed and refused counts compared (within one request at
 * a bucket edge, where the two clocks may fall either side).
 */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class NginxLimitsParityIT {
    private static final Path SITE = Path.of("src/test/resources/importer/limits/timeline.conf");

    @TempDir
    Path dir;

    private final List<AutoCloseable> running = new ArrayList<>();
    private HoldingBackend backend;
    private SideBySide pair;

    @BeforeEach
    void start() throws IOException {
        backend = new HoldingBackend();
        running.add(backend);
        pair = SideBySide.start(dir, "timeline.conf", Files.readString(SITE), backend.port(), "", running);
    }

    @AfterEach
    void stop() {
        Cleanup.close(running.toArray(AutoCloseable[]::new));
    }

    /** A backend answering at once, except /slow/ which it holds until {@link #release()}. */
    private static final class HoldingBackend implements AutoCloseable {
        private final ServerSocket server;
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final AtomicInteger heldNow = new AtomicInteger();
        private volatile CountDownLatch release = new CountDownLatch(0);

        HoldingBackend() throws IOException {
            server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
            threads.submit(this::accept);
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    threads.submit(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                String head = readHead(s.getInputStream());
                if (head.startsWith("GET /slow/")) {
                    heldNow.incrementAndGet();
                    release.await(30, TimeUnit.SECONDS);
                    heldNow.decrementAndGet();
                }
                s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"
                        .getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // the proxy went away: nothing to answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static String readHead(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                head.append((char) c);
            }
            return head.toString();
        }

        /** From now on /slow/ is held. */
        void hold() {
            release = new CountDownLatch(1);
        }

        /** The held requests (and later ones) are answered. */
        void release() {
            release.countDown();
        }

        @Override
        public void close() throws IOException {
            release.countDown();
            server.close();
            threads.shutdownNow();
        }
    }

    private static int status(int port, String path) {
        try (RawHttp http = RawHttp.connect(port)) {
            return http.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").read().status();
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " to " + port, e);
        }
    }

    /** How many of {@code n} back-to-back requests were accepted. */
    private static int accepted(int port, String path, int n) {
        int ok = 0;
        for (int i = 0; i < n; i++) {
            int s = status(port, path);
            assertThat(s).as(path).isIn(200, 503);
            ok += s == 200 ? 1 : 0;
        }
        return ok;
    }

    /** A burst of 12, 1.5 s of rest, 6 more, 3 s of rest, 12 more: accepted per phase. */
    private static List<Integer> burstTimeline(int port) throws InterruptedException {
        List<Integer> out = new ArrayList<>();
        out.add(accepted(port, "/burst/a", 12));
        Thread.sleep(1500); // the scenario's own time: the bucket drains 3 requests' worth
        out.add(accepted(port, "/burst/a", 6));
        Thread.sleep(3000);
        out.add(accepted(port, "/burst/a", 12));
        return out;
    }

    private static void assertWithinOne(List<Integer> nginx, List<Integer> vipgate, String what) {
        assertThat(vipgate).as(what + ": vipgate " + vipgate + " vs nginx " + nginx).hasSameSizeAs(nginx);
        for (int i = 0; i < nginx.size(); i++) {
            assertThat(Math.abs(nginx.get(i) - vipgate.get(i))).as(what + " phase " + i + ": vipgate " + vipgate + " vs nginx " + nginx)
                    .isLessThanOrEqualTo(1);
        }
    }

    @Test
    void aNodelayBurstAcceptsAndRefusesAsNginxDoes() throws InterruptedException {
        List<Integer> nginx = burstTimeline(pair.nginxPort());
        List<Integer> vipgate = burstTimeline(pair.vipgatePort());
        System.out.printf("limit_req nodelay timeline, accepted per phase: nginx %s, vipgate %s%n", nginx, vipgate);
        // 2r/s, burst 5: 1 + 5, then 3 drained in 1.5 s, then empty after 3 s
        assertWithinOne(List.of(6, 3, 6), nginx, "nginx's own arithmetic");
        assertWithinOne(nginx, vipgate, "nodelay burst");
    }

    /** 6 at once to the paced location: [accepted at once, delayed, refused], delayed = answered after 250 ms or more. */
    private static List<Integer> pacedBurst(int port) {
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
            List<CompletableFuture<long[]>> answers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                answers.add(CompletableFuture.supplyAsync(() -> {
                    long start = System.nanoTime();
                    int s = status(port, "/paced/a");
                    return new long[] {s, (System.nanoTime() - start) / 1_000_000};
                }, clients));
            }
            int now = 0;
            int delayed = 0;
            int refused = 0;
            for (CompletableFuture<long[]> a : answers) {
                long[] r = a.join();
                if (r[0] == 503) {
                    refused++;
                } else if (r[1] >= 250) {
                    delayed++;
                } else {
                    now++;
                }
            }
            return List.of(now, delayed, refused);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aPacedBurstWaitsItsTurnAsNginxDoes() {
        // each proxy has zones of its own
        List<Integer> nginx = pacedBurst(pair.nginxPort());
        List<Integer> vipgate = pacedBurst(pair.vipgatePort());
        System.out.printf("limit_req paced burst of 6, [at once, delayed, refused]: nginx %s, vipgate %s%n", nginx, vipgate);
        // 2r/s, burst 3 without nodelay: one at once, three paced 500 ms apart, two refused
        assertWithinOne(List.of(1, 3, 2), nginx, "nginx's own arithmetic");
        assertWithinOne(nginx, vipgate, "paced burst");
    }

    /** 5 concurrent requests to /slow/ (held by the backend): [refused while 3 are held, answered once released]. */
    private List<Integer> concurrent(int port) {
        ExecutorService clients = Executors.newFixedThreadPool(5);
        backend.hold();
        try {
            List<CompletableFuture<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                answers.add(CompletableFuture.supplyAsync(() -> status(port, "/slow/a"), clients));
            }
            Await.require(Duration.ofSeconds(10), "3 requests held at the backend", () -> backend.heldNow.get() == 3
                    && answers.stream().filter(CompletableFuture::isDone).count() == 2);
            int refused = (int) answers.stream().filter(CompletableFuture::isDone).filter(a -> a.join() == 503).count();
            backend.release();
            int answered = (int) answers.stream().map(CompletableFuture::join).filter(s -> s == 200).count();
            return List.of(refused, answered);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void limitConnRefusesConcurrentRequestsAsNginxDoes() {
        List<Integer> nginx = concurrent(pair.nginxPort());
        List<Integer> vipgate = concurrent(pair.vipgatePort());
        System.out.printf("limit_conn 3 with 5 at once, [refused, answered]: nginx %s, vipgate %s%n", nginx, vipgate);
        assertThat(nginx).containsExactly(2, 3);
        assertThat(vipgate).isEqualTo(nginx);
        // once they ended, the key is free again in both
        assertThat(List.of(status(pair.nginxPort(), "/slow/a"), status(pair.vipgatePort(), "/slow/a"))).containsExactly(200, 200);
    }
}
