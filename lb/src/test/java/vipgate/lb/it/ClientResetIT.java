package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
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

/**
 * A client that resets its connection in the middle of an upload: the proxy must let the backend go at once (close
 * the upstream connection), on every transport, not hold it until the client body timeout (60 s). The io_uring
 * transport missed a reset that came with the last bytes of an upstream read (issue 12 item 4); this is the same
 * question asked of the client side. nginx ({@code proxy_request_buffering off}, so it streams as the proxy does)
 * runs beside under the same assertion.
 */
@OnEveryTransport
@ExtendWith(NoLeaks.class)
class ClientResetIT {
    private static final int TRIES = 10;
    private static final Duration BACKEND_RELEASED_WITHIN = Duration.ofSeconds(5);
    /** Under the 1 MiB body limit of both proxies (client.max-body-size, client_max_body_size). */
    private static final int PROMISED = 900_000;

    private static Backend backend;
    private static NginxWebNode nginx;
    private static LbUnderTest lb;
    @Parameter
    Transport transport;

    @BeforeAll
    static void startUpstreams() throws IOException {
        backend = new Backend();
        nginx = NginxWebNode.builder().location("location /upload { proxy_pass http://" + backend.address()
                + "; proxy_request_buffering off; proxy_http_version 1.1; }").start();
    }

    @BeforeParameterizedClassInvocation
    static void start(Transport transport) {
        lb = LbUnderTest.start(transport, LbUnderTest.proxyingTo(backend.address()));
    }

    @AfterParameterizedClassInvocation
    static void stopProxy() {
        Cleanup.close(lb);
    }

    @AfterAll
    static void stop() throws IOException {
        Cleanup.close(nginx);
        backend.close();
    }

    @Test
    void aResetMidUploadReleasesTheBackendAtOnce() throws Exception {
        assertThat(tries(lb.port)).as("vipgate on %s", transport).containsOnly("released");
        assertThat(tries(nginx.port())).as("nginx").containsOnly("released");
    }

    private static List<String> tries(int port) throws Exception {
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            backend.closed.clear();
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                OutputStream out = client.getOutputStream();
                out.write(("POST /upload HTTP/1.1\r\nHost: app\r\nContent-Length: " + PROMISED + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] part = new byte[100_000];
                out.write(part);
                out.flush();
                // the upload reached the backend: the proxy is streaming it, with a backend connection held
                if (backend.received.poll(10, TimeUnit.SECONDS) == null) {
                    outcomes.add("the upload never reached the backend");
                    continue;
                }
                client.setSoLinger(true, 0); // close() now sends RST
            }
            Long closedAfter = backend.closed.poll(BACKEND_RELEASED_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
            outcomes.add(closedAfter != null ? "released" : "backend connection still held after " + BACKEND_RELEASED_WITHIN);
        }
        return outcomes;
    }

    /** Reads request bytes until the connection ends; says when body bytes first arrive and when it ends. */
    private static final class Backend implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final BlockingQueue<Boolean> received = new ArrayBlockingQueue<>(64);
        final BlockingQueue<Long> closed = new ArrayBlockingQueue<>(64);

        Backend() throws IOException {
            Thread t = new Thread(this::accept, "client-reset-backend");
            t.setDaemon(true);
            t.start();
        }

        String address() {
            InetSocketAddress a = (InetSocketAddress) server.getLocalSocketAddress();
            return a.getAddress().getHostAddress() + ":" + a.getPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread reader = new Thread(() -> drain(s), "client-reset-backend-conn");
                    reader.setDaemon(true);
                    reader.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void drain(Socket s) {
            long total = 0;
            boolean told = false;
            try (s; InputStream in = s.getInputStream()) {
                byte[] buf = new byte[65536];
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                    if (!told && total > 50_000) {
                        told = true;
                        received.offer(true);
                    }
                }
            } catch (IOException e) {
                // a reset ends it as well as a close
            }
            if (told) {
                closed.offer(System.nanoTime());
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
