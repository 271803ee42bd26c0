package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.Await;
import vipgate.testkit.FreePort;
import vipgate.testkit.NginxWebNode;

/**
 * Issue 12 item 5 (e): how many server connections slow readers hold. Each of them asks for a file much larger than
 * the kernel's socket buffers and reads nothing. Without response buffering every one holds its server connection
 * (the backend's request never ends); with {@code proxy-buffering.responses} the proxy reads the responses into
 * memory and a temporary file and the backend is done with all of them, as it is behind nginx (proxy_buffering on,
 * its default). Measured by the backend's access log, which gets a line when a request has been answered.
 *
 * <p>Slow senders (a request body that trickles in) likewise: nginx (proxy_request_buffering on) and vipgate with
 * {@code proxy-buffering.requests} connect to the server only once they have the whole body; vipgate streaming
 * request bodies (the default) holds a server connection per slow sender. Counted by a server that counts
 * connections.
 */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class ProxyBufferingIT {
    private static final int READERS = 8;
    private static final long FILE = 32L << 20;
    private static final Duration SETTLE = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    private static NginxWebNode backend;
    /** A server that only counts the connections made to it. */
    private static ServerSocket counter;
    private static final AtomicInteger counted = new AtomicInteger();
    private static final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private static int streamingUploadPort;
    private static int bufferingUploadPort;
    private static NginxWebNode nginxProxy;
    private static ApplianceProcess streaming;
    private static ApplianceProcess buffering;
    private static int streamingPort;
    private static int bufferingPort;

    @BeforeAll
    static void start() throws IOException {
        Path big = dir.resolve("big.bin");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(FILE);
        }
        backend = NginxWebNode.builder().accessLog(true).location("location = /big { alias " + big + "; }").start();
        counter = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(counter.accept());
                    counted.incrementAndGet();
                }
            } catch (IOException closed) {
                // the test is over
            }
        }, "counting-server");
        accept.setDaemon(true);
        accept.start();
        String counterAddress = "127.0.0.1:" + counter.getLocalPort();
        nginxProxy = NginxWebNode.builder().location("location = /big { proxy_pass http://" + backend.address() + "; }")
                .location("location = /upload { proxy_pass http://" + counterAddress + "; }").start();
        Path temp = Files.createDirectories(dir.resolve("spool"));
        int streamingAdmin = FreePort.tcp();
        streamingPort = FreePort.tcp();
        streamingUploadPort = FreePort.tcp();
        streaming = ItSupport.run(ItSupport.write(dir.resolve("streaming.conf"),
                config(streamingAdmin, streamingPort, streamingUploadPort, counterAddress, "")), streamingAdmin);
        int bufferingAdmin = FreePort.tcp();
        bufferingPort = FreePort.tcp();
        bufferingUploadPort = FreePort.tcp();
        buffering = ItSupport.run(ItSupport.write(dir.resolve("buffering.conf"),
                config(bufferingAdmin, bufferingPort, bufferingUploadPort, counterAddress,
                        "proxy-buffering { responses = true, requests = true, temp-path = \"" + temp + "\" }")), bufferingAdmin);
    }

    /** The proxy's config: the backend on {@code port}, the counting server on {@code uploadPort}. */
    private static String config(int admin, int port, int uploadPort, String counterAddress, String lb) {
        return """
                vipgate {
                  node-name = "buffering"
                  admin.listen = "127.0.0.1:%d"
                  lb {
                    upstreams.web { servers = [{ address = "%s" }] }
                    upstreams.counter { servers = [{ address = "%s" }] }
                    servers = [
                      { listen = ["127.0.0.1:%d"], locations = [{ path = "/", upstream = web }] }
                      { listen = ["127.0.0.1:%d"], locations = [{ path = "/", upstream = counter }] }
                    ]
                    %s
                  }
                }
                """.formatted(admin, backend.address(), counterAddress, port, uploadPort, lb);
    }

    @AfterAll
    static void stop() {
        accepted.forEach(s -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        });
        for (AutoCloseable c : new AutoCloseable[] {streaming, buffering, nginxProxy, backend, counter}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the others still close
            }
        }
    }

    @Test
    void slowReadersHoldNoServerConnectionWithBufferingAsBehindNginx() throws Exception {
        int nginxHeld = held(nginxProxy.port(), true);
        int bufferedHeld = held(bufferingPort, true);
        int streamedHeld = held(streamingPort, false);
        System.out.printf("ProxyBufferingIT: server connections held by %d slow readers of %d MiB: nginx (proxy_buffering on) %d, "
                + "vipgate proxy-buffering.responses on %d, off %d%n", READERS, FILE >> 20, nginxHeld, bufferedHeld, streamedHeld);
        assertThat(nginxHeld).as("behind nginx").isZero();
        assertThat(bufferedHeld).as("behind vipgate with response buffering").isZero();
        assertThat(streamedHeld).as("behind vipgate streaming: the server is read as fast as the client reads")
                .isEqualTo(READERS);
        // the buffered responses are whole: a reader that reads now gets every byte
        assertThat(readAll(bufferingPort)).isEqualTo(FILE);
        ItSupport.assertCleanLog(buffering);
    }

    @Test
    void slowSendersHoldNoServerConnectionWithBufferingAsBehindNginx() throws Exception {
        int nginxHeld = sendersReachingTheServer(nginxProxy.port());
        int bufferedHeld = sendersReachingTheServer(bufferingUploadPort);
        int streamedHeld = sendersReachingTheServer(streamingUploadPort);
        System.out.printf("ProxyBufferingIT: server connections held by %d slow senders (1 KiB of a 1 MiB body): nginx "
                + "(proxy_request_buffering on) %d, vipgate proxy-buffering.requests on %d, off %d%n", READERS, nginxHeld,
                bufferedHeld, streamedHeld);
        assertThat(nginxHeld).as("behind nginx").isZero();
        assertThat(bufferedHeld).as("behind vipgate with request buffering").isZero();
        assertThat(streamedHeld).as("behind vipgate streaming request bodies").isEqualTo(READERS);
    }

    /** How many of READERS slow senders through {@code port} made the proxy connect to the counting server. */
    private static int sendersReachingTheServer(int port) throws IOException {
        int before = counted.get();
        List<Socket> senders = new ArrayList<>();
        try {
            for (int i = 0; i < READERS; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                s.getOutputStream().write(("POST /upload HTTP/1.1\r\nHost: it.test\r\nContent-Length: " + (1 << 20)
                        + "\r\n\r\n" + "x".repeat(1024)).getBytes(StandardCharsets.US_ASCII));
                senders.add(s);
            }
            // a proxy that streams connects at once; one that buffers does not connect at all: wait for the first
            Await.until(Duration.ofSeconds(3), () -> counted.get() - before >= READERS);
            return counted.get() - before;
        } finally {
            for (Socket s : senders) {
                s.close();
            }
        }
    }

    /**
     * Opens READERS slow readers through {@code port}, waits until the backend answered them all (when {@code
     * expectAll}) or for the settle time, and returns how many of their requests the backend is still serving.
     */
    private static int held(int port, boolean expectAll) throws IOException {
        long before = backend.accessLogLines();
        List<Socket> readers = new ArrayList<>();
        try {
            for (int i = 0; i < READERS; i++) {
                readers.add(slowReader(port));
            }
            Await.until(expectAll ? SETTLE : Duration.ofSeconds(5), () -> backend.accessLogLines() - before >= READERS);
            return (int) (READERS - (backend.accessLogLines() - before));
        } finally {
            for (Socket s : readers) {
                s.close();
            }
            // the streamed requests end (cut) once their readers are gone
            Await.require(SETTLE, "the backend to finish every request", () -> backend.accessLogLines() - before >= READERS);
        }
    }

    private static Socket slowReader(int port) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(2048);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        s.getOutputStream().write("GET /big HTTP/1.1\r\nHost: it.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    private static long readAll(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /big HTTP/1.1\r\nHost: it.test\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] all = s.getInputStream().readAllBytes();
            String text = new String(all, 0, Math.min(all.length, 4096), StandardCharsets.ISO_8859_1);
            int headEnd = text.indexOf("\r\n\r\n");
            assertThat(text).startsWith("HTTP/1.1 200");
            return all.length - (headEnd + 4);
        }
    }
}
