package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.RawHttp;

/** What the appliance ITs share: config files, the admin API, launching the jar, checking its log. */
final class ItSupport {
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private ItSupport() {
    }

    /**
     * A proxy config: one upstream {@code web} of {@code servers}, one virtual server listening on {@code listen}
     * (127.0.0.1 ports) with location / to it. {@code lb} and {@code upstream} are extra lines for those objects.
     */
    static String config(int admin, List<Integer> listen, List<String> servers, String lb, String upstream) {
        String serverList = servers.stream().map(s -> "{ address = \"" + s + "\" }").collect(Collectors.joining(", "));
        String listenList = listen.stream().map(p -> "\"127.0.0.1:" + p + "\"").collect(Collectors.joining(", "));
        return """
                vipgate {
                  node-name = "it"
                  admin.listen = "127.0.0.1:%d"
                  lb {
                    event-loops = 2
                    upstreams.web {
                      servers = [ %s ]
                      %s
                    }
                    servers = [{
                      listen = [ %s ]
                      locations = [{ path = "/", upstream = web }]
                    }]
                    %s
                  }
                }
                """.formatted(admin, serverList, upstream, listenList, lb);
    }

    static Path write(Path file, String text) {
        try {
            // write and rename, so a reload never reads a half-written file
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            return Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code java [jvmArgs] -jar vipgate.jar run -c conf}, returned once /healthz answers. */
    static ApplianceProcess run(Path conf, int admin, String... jvmArgs) {
        ApplianceProcess p = ApplianceProcess.builder(ApplianceProcess.jar()).jvmArgs(jvmArgs)
                .args("run", "-c", conf.toString()).adminPort(admin).start();
        try {
            return p.awaitHealthy(START_TIMEOUT);
        } catch (RuntimeException | AssertionError e) {
            p.close();
            throw e;
        }
    }

    static RawHttp.Response admin(int port, String method, String path) throws IOException {
        try (RawHttp c = RawHttp.connect(port)) {
            c.send(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + (method.equals("POST") ? "X-Vipgate-Admin: 1\r\nContent-Length: 0\r\n" : "") + "\r\n");
            return c.read();
        }
    }

    static String get(int port, String path) throws IOException {
        try (RawHttp c = RawHttp.connect(port)) {
            RawHttp.Response r = c.get(path, "it.test");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            return r.bodyText();
        }
    }

    /** No OutOfMemoryError and no Netty leak report in the appliance's output. */
    static void assertCleanLog(ApplianceProcess p) {
        String log = p.log();
        assertThat(log).as("appliance output").doesNotContain("OutOfMemoryError").doesNotContain("OutOfDirectMemory")
                .doesNotContain("LEAK:");
    }
}
