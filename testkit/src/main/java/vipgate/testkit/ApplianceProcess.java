package vipgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The real appliance jar running as a separate JVM: {@code java [jvmArgs] -jar vipgate.jar ARGS}, its stdout and
 * stderr captured to a file, signals sent to it by pid like an operator would ({@code kill -HUP}).
 *
 * <pre>{@code
 * try (ApplianceProcess p = ApplianceProcess.builder(ApplianceProcess.jar()).jvmArgs("-Xmx256m")
 *         .args("run", "-c", conf.toString()).adminPort(admin).start().awaitHealthy(Duration.ofSeconds(30))) {
 *     ...
 *     p.hangup();
 *     assertThat(p.stop(Duration.ofSeconds(20))).isZero();
 * }
 * }</pre>
 *
 * The jar is copied to a private temp file before it is started, so a concurrent build that rewrites
 * target/vipgate.jar cannot pull classes out from under the running JVM. Register {@link LogsOnFailure} on the
 * test class to get the output of every process of a failed test on stderr (the test report);
 * {@code -Dvipgate.it.logs=DIR} keeps every process's output in DIR as appliance-PID.log.
 */
public final class ApplianceProcess implements AutoCloseable {
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final int DUMP_LINES = 400;
    /** Processes started by the current test, for {@link LogsOnFailure}. */
    private static final List<ApplianceProcess> STARTED = Collections.synchronizedList(new ArrayList<>());

    private final Path dir;
    private final Path log;
    private final List<String> command;
    private final int adminPort;
    /** The network namespace it runs in, or null for the test's own. */
    private final String namespace;
    private final Process process;
    private volatile String finalLog;

    private ApplianceProcess(Path dir, Path log, List<String> command, int adminPort, String namespace, Process process) {
        this.dir = dir;
        this.log = log;
        this.command = command;
        this.adminPort = adminPort;
        this.namespace = namespace;
        this.process = process;
    }

    /**
     * The shaded jar of the build: {@code -Dvipgate.jar=PATH} when set, otherwise {@code target/vipgate.jar} under
     * the module being tested ({@code basedir}, set by surefire and failsafe) or under {@code appliance-image/}.
     */
    public static Path jar() {
        String explicit = System.getProperty("vipgate.jar");
        if (explicit != null && !explicit.isBlank()) {
            return requireJar(Path.of(explicit));
        }
        Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        for (Path candidate : List.of(base.resolve("target/vipgate.jar"), base.resolve("appliance-image/target/vipgate.jar"),
                base.resolve("../appliance-image/target/vipgate.jar").normalize())) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return requireJar(base.resolve("target/vipgate.jar"));
    }

    private static Path requireJar(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build it first (mvn package, or run the ITs with "
                    + "mvn verify, which packages before the integration tests)");
        }
        return jar;
    }

    public static Builder builder(Path jar) {
        return new Builder(jar);
    }

    /**
     * Runs a short command of the jar (check, --version, --help...) to its end and returns its exit code and
     * output (stdout and stderr together).
     */
    public static Completed run(Path jar, Duration timeout, String... args) {
        try (ApplianceProcess p = builder(jar).args(args).start()) {
            int code = p.awaitExit(timeout);
            return new Completed(code, p.log());
        }
    }

    /** A finished short command. */
    public record Completed(int exitCode, String output) {
        public List<String> lines() {
            return output.lines().toList();
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int adminPort() {
        return adminPort;
    }

    /**
     * Polls {@code GET http://127.0.0.1:ADMIN/healthz} until it answers 200. Fails with the process output when the
     * process exits first or the deadline passes.
     */
    public ApplianceProcess awaitHealthy(Duration timeout) {
        if (adminPort <= 0) {
            throw new IllegalStateException("no admin port given to the builder");
        }
        boolean healthy = Await.until(timeout, () -> !process.isAlive() || healthz());
        if (!process.isAlive()) {
            throw new AssertionError("the appliance exited with " + process.exitValue() + " before its admin API answered; "
                    + "output:\n" + log());
        }
        if (!healthy) {
            throw new AssertionError("the appliance's admin API on 127.0.0.1:" + adminPort + " did not answer /healthz within "
                    + timeout.toMillis() + " ms; output:\n" + log());
        }
        return this;
    }

    private boolean healthz() {
        if (namespace != null) {
            return "ok".equals(admin("/healthz").strip());
        }
        try (RawHttp c = RawHttp.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), adminPort),
                Duration.ofSeconds(2))) {
            return c.get("/healthz", "127.0.0.1").status() == 200;
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    /**
     * {@code GET path} on the admin API, from inside the appliance's namespace when it has one (its loopback is
     * not the test's); the body, or "" when it does not answer.
     */
    public String admin(String path) {
        List<String> curl = new ArrayList<>();
        if (namespace != null) {
            curl.addAll(List.of("ip", "netns", "exec", namespace));
        }
        curl.addAll(List.of("curl", "-s", "-m", "2", "http://127.0.0.1:" + adminPort + path));
        try {
            Process p = new ProcessBuilder(curl).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run curl (apt-get install curl)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Sends a signal by name ("HUP", "TERM", "INT", "KILL") with kill(1), as an operator would. */
    public void signal(String name) {
        if (!process.isAlive()) {
            throw new IllegalStateException("the appliance (pid " + pid() + ") is not running; output:\n" + log());
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).redirectErrorStream(true).start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid() + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** {@code kill -HUP pid}: reload the configuration file. */
    public void hangup() {
        signal("HUP");
    }

    /** {@code kill -TERM pid}: drain and stop. */
    public void terminate() {
        signal("TERM");
    }

    /** Waits for the process to end by itself; fails (and kills it) when it is still running after {@code timeout}. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                String threads = threadDump();
                kill();
                throw new AssertionError("the appliance (pid " + pid() + ") did not exit within " + timeout.toMillis()
                        + " ms; threads:\n" + threads + "\noutput:\n" + log());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new AssertionError("interrupted", e);
        }
    }

    /** SIGTERM, then waits for the exit; returns the exit status. */
    public int stop(Duration timeout) {
        terminate();
        return awaitExit(timeout);
    }

    /** Everything the process wrote to stdout and stderr so far. */
    public String log() {
        String kept = finalLog;
        if (kept != null) {
            return kept;
        }
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Peak resident set size (VmHWM) in KiB while the process runs, or -1 when unknown. */
    public long peakRssKiB() {
        return procStatus("VmHWM:");
    }

    /** Current resident set size (VmRSS) in KiB, or -1 when unknown. */
    public long rssKiB() {
        return procStatus("VmRSS:");
    }

    private long procStatus(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    private String threadDump() {
        try {
            Process jstack = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(),
                    Long.toString(pid())).redirectErrorStream(true).start();
            String out = new String(jstack.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jstack.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "(no jstack: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    private void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the process if it still runs, keeps the tail of its output for {@link LogsOnFailure}, deletes its files. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        String keep = System.getProperty("vipgate.it.logs");
        if (keep != null && !keep.isBlank() && finalLog == null && Files.exists(log)) {
            try {
                Path target = Files.createDirectories(Path.of(keep)).resolve("appliance-" + pid() + ".log");
                Files.copy(log, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                System.err.println("cannot keep the appliance log in " + keep + ": " + e);
            }
        }
        if (finalLog == null) {
            List<String> lines = log().lines().toList();
            finalLog = String.join("\n", lines.subList(Math.max(0, lines.size() - DUMP_LINES), lines.size()));
        }
        deleteTree(dir);
    }

    @Override
    public String toString() {
        return "appliance pid " + pid() + ": " + String.join(" ", command);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** How to launch it. */
    public static final class Builder {
        private final Path jar;
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private int adminPort;
        private Path workDir;
        private String namespace;
        private Path logDir;

        private Builder(Path jar) {
            this.jar = jar;
        }

        /** JVM options before -jar, e.g. -Xmx256m. */
        public Builder jvmArgs(String... a) {
            jvmArgs.addAll(List.of(a));
            return this;
        }

        /** Arguments after the jar, e.g. run -c FILE. */
        public Builder args(String... a) {
            args.addAll(List.of(a));
            return this;
        }

        /** The admin API port {@link #awaitHealthy} polls. */
        public Builder adminPort(int port) {
            this.adminPort = port;
            return this;
        }

        /** Runs the appliance inside a network namespace ({@code ip netns exec NAME java ...}). */
        public Builder inNamespace(NetNs ns) {
            this.namespace = ns.name();
            return this;
        }

        /**
         * Gives the process its own {@code /var/log}: {@code dir} bind-mounted there in a private mount namespace, so
         * a configuration written for a real box (an access log in /var/log/nginx, say) runs unchanged and leaves
         * the host's logs alone.
         */
        public Builder varLog(Path dir) {
            this.logDir = dir;
            return this;
        }

        /** Working directory of the process (relative paths in its arguments resolve there); a temp dir when unset. */
        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        public ApplianceProcess start() {
            Path dir;
            try {
                dir = Files.createTempDirectory("vipgate-appliance-");
                Path copy = dir.resolve("vipgate.jar");
                Files.copy(requireJar(jar), copy);
                Path log = dir.resolve("output.log");
                List<String> command = new ArrayList<>();
                if (logDir != null) {
                    // unshare and sh exec, so the pid stays the JVM's and signals reach it
                    command.addAll(List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                            "mount --bind \"$1\" /var/log && shift && exec \"$@\"", "sh", logDir.toString()));
                }
                if (namespace != null) {
                    command.addAll(List.of("ip", "netns", "exec", namespace));
                }
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.addAll(jvmArgs);
                command.add("-jar");
                command.add(copy.toString());
                command.addAll(args);
                Process p = new ProcessBuilder(command).directory((workDir != null ? workDir : dir).toFile())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                ApplianceProcess ap = new ApplianceProcess(dir, log, List.copyOf(command), adminPort, namespace, p);
                STARTED.add(ap);
                return ap;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the appliance from " + jar, e);
            }
        }
    }

    /**
     * {@code @ExtendWith(ApplianceProcess.LogsOnFailure.class)}: when a test fails, the output of every appliance it
     * started (and of those the class started in {@code @BeforeAll}) is printed to stderr, which surefire and
     * failsafe keep in the test report.
     */
    public static final class LogsOnFailure implements BeforeAllCallback, TestWatcher {
        @Override
        public void beforeAll(ExtensionContext context) {
            STARTED.clear();
        }

        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            List<ApplianceProcess> started;
            synchronized (STARTED) {
                started = List.copyOf(STARTED);
            }
            for (ApplianceProcess p : started) {
                System.err.println("==== " + context.getDisplayName() + " failed; output of " + p + " ====");
                System.err.println(p.log());
                System.err.println("==== end of output of pid " + p.pid() + " ====");
            }
            forgetClosed();
        }

        @Override
        public void testSuccessful(ExtensionContext context) {
            forgetClosed();
        }

        @Override
        public void testAborted(ExtensionContext context, Throwable cause) {
            forgetClosed();
        }

        /** Processes of finished tests are not shown again; those still running (a class's) stay. */
        private static void forgetClosed() {
            STARTED.removeIf(p -> p.finalLog != null);
        }
    }
}
