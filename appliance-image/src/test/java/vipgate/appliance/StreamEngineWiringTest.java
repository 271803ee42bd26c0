package vipgate.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.config.ConfigException;
import vipgate.testkit.Cleanup;
import vipgate.testkit.FreePort;
import vipgate.testkit.NoLeaks;

/** vipgate.stream in the appliance's file: started with the daemon, reloaded for new sessions only, stopped with it. */
@ExtendWith(NoLeaks.class)
class StreamEngineWiringTest {
    @TempDir
    Path dir;

    private static String config(int admin, int listen, int server) {
        return """
                vipgate {
                  admin.listen = "127.0.0.1:%d"
                  stream {
                    event-loops = 1
                    upstreams.app.servers = [ { address = "127.0.0.1:%d" } ]
                    servers = [ { listen = "127.0.0.1:%d", proxy-pass = app } ]
                  }
                }
                """.formatted(admin, server, listen);
    }

    @Test
    void aReloadSendsNewSessionsToTheNewUpstreamAndKeepsEstablishedOnes() throws Exception {
        LineServer a = null;
        LineServer b = null;
        Appliance appliance = null;
        try {
            a = new LineServer("A");
            b = new LineServer("B");
            int admin = FreePort.tcp();
            int listen = FreePort.tcp();
            Path file = Files.writeString(dir.resolve("vipgate.conf"), config(admin, listen, a.port()));
            appliance = Appliance.start(Optional.of(file), ApplianceConfig.load(Optional.of(file)));
            try (Session old = new Session(listen)) {
                assertThat(old.ask("1")).isEqualTo("A:1");
                Files.writeString(file, config(admin, listen, b.port()));
                appliance.reload();
                try (Session fresh = new Session(listen)) {
                    assertThat(fresh.ask("2")).isEqualTo("B:2");
                }
                assertThat(old.ask("3")).as("the established session keeps its server").isEqualTo("A:3");
            }
            Appliance running = appliance;
            appliance = null;
            running.close();
            assertThat(FreePort.accepts(listen)).as("the listener stops with the appliance").isFalse();
        } finally {
            Cleanup.close(appliance, a, b);
        }
    }

    @Test
    void aMisspeltStreamKeyIsReportedAtItsLine() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.conf"), """
                vipgate.stream {
                  upstreams.app.servers = [ { address = "127.0.0.1:1", max-fail = 2 } ]
                  servers = [ { listen = "127.0.0.1:2", proxy-pass = app } ]
                }
                """);
        try {
            ApplianceConfig.load(Optional.of(file));
            throw new AssertionError("the file should be refused");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).contains(file + ":2: unknown key 'vipgate.stream.upstreams.app.servers[0].max-fail'; "
                    + "did you mean 'max-fails'?");
        }
    }

    /** A client connection that sends lines and reads the answers. */
    private static final class Session implements AutoCloseable {
        private final Socket socket = new Socket();
        private final BufferedReader in;

        Session(int port) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        }

        String ask(String line) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Answers every line with its name, ':' and the line, on every connection. */
    private static final class LineServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final ExecutorService threads = Executors.newCachedThreadPool();

        LineServer(String name) throws IOException {
            threads.submit(() -> {
                while (!socket.isClosed()) {
                    Socket s = socket.accept();
                    threads.submit(() -> {
                        try (s; BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(),
                                StandardCharsets.US_ASCII))) {
                            for (String l = r.readLine(); l != null; l = r.readLine()) {
                                s.getOutputStream().write((name + ":" + l + "\n").getBytes(StandardCharsets.US_ASCII));
                            }
                        }
                        return null;
                    });
                }
                return null;
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            threads.shutdownNow();
            assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
