package vipgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Real HAProxy (Debian 12's 2.6) in the foreground on loopback, from a haproxy.cfg written as operators write it,
 * as a peer in front of or beside vipgate. Closing it kills the process and deletes its directory.
 */
public final class Haproxy implements AutoCloseable {
    public static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Path dir;
    private final Process process;

    private Haproxy(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    public static void requireHaproxy() {
        if (!Files.isExecutable(HAPROXY)) {
            throw new IllegalStateException(HAPROXY + " is missing: apt-get install haproxy (see .ci/install-deps)");
        }
    }

    /** Starts HAProxy on {@code config} and waits until every one of {@code ports} on 127.0.0.1 accepts. */
    public static Haproxy start(String config, int... ports) {
        requireHaproxy();
        Path dir;
        Process p;
        try {
            dir = Files.createTempDirectory("vipgate-haproxy-");
            Files.writeString(dir.resolve("haproxy.cfg"), config, StandardCharsets.UTF_8);
            p = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", dir.resolve("haproxy.cfg").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("haproxy.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + HAPROXY, e);
        }
        Haproxy h = new Haproxy(dir, p);
        boolean up = Await.until(START_TIMEOUT, () -> !p.isAlive() || allAccept(ports));
        if (!p.isAlive() || !up) {
            String log = h.log();
            h.close();
            throw new IllegalStateException("haproxy " + (up ? "exited" : "did not listen within " + START_TIMEOUT.toSeconds() + "s")
                    + ": " + log);
        }
        return h;
    }

    private static boolean allAccept(int... ports) {
        for (int port : ports) {
            if (!FreePort.accepts(port)) {
                return false;
            }
        }
        return true;
    }

    /** What HAProxy printed (warnings, alerts). */
    public String log() {
        try {
            return Files.readString(dir.resolve("haproxy.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp dir is harmless
        }
    }
}
