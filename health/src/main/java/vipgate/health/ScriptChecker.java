package vipgate.health;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * keepalived's {@code MISC_CHECK} / {@code vrrp_script}: runs a command; exit status 0 is healthy. A
 * command still running at the timeout is killed with all its descendants and counts as a failure.
 */
public final class ScriptChecker implements Checker {
    private static final int DETAIL_CHARS = 200;
    private static final int MODE_GROUP_OTHER_WRITE = 0022;
    private static final int MODE_STICKY = 01000;

    private final List<String> argv;
    private final Duration timeout;
    private final ScheduledExecutorService executor;

    /**
     * @param argv the command and its arguments, run without a shell
     * @param executor starts processes and enforces the timeout; never a Netty event loop, since
     *        forking blocks. Waiting for exit costs it no thread.
     */
    public ScriptChecker(List<String> argv, Duration timeout, ScheduledExecutorService executor) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("script needs a command, e.g. [\"/etc/vipgate/check.sh\"]");
        }
        this.argv = List.copyOf(argv);
        this.timeout = Details.requirePositive(timeout, "timeout");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    @Override
    public CompletableFuture<CheckResult> check() {
        CompletableFuture<CheckResult> result = new CompletableFuture<>();
        try {
            executor.execute(() -> run(result));
        } catch (RejectedExecutionException e) {
            result.complete(new CheckResult(false, "script executor is shut down", 0));
        }
        return result;
    }

    private void run(CompletableFuture<CheckResult> result) {
        long start = System.nanoTime();
        Path output = null;
        Process process = null;
        try {
            // Output goes to a file, not a pipe: a chatty script can never block on a full pipe, and a
            // background child holding the pipe open cannot delay the verdict.
            output = Files.createTempFile("vipgate-health-", ".out");
            process = new ProcessBuilder(argv)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            process.getOutputStream().close(); // a script reading stdin sees EOF instead of hanging
            watch(process, output, start, result);
        } catch (IOException | RuntimeException e) {
            if (process != null) {
                killTree(process);
            }
            delete(output);
            // ProcessBuilder wraps the errno text ("error=2, No such file or directory") in a longer message.
            String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            result.complete(CheckResult.since(start, false, "cannot run " + argv.get(0) + ": " + why));
        }
    }

    private void watch(Process process, Path output, long start, CompletableFuture<CheckResult> result) {
        ScheduledFuture<?> deadline = executor.schedule(() -> {
            if (!result.isDone()) {
                // Killed before the verdict, so the next probe never meets a leftover of this one.
                killTree(process);
                result.complete(CheckResult.since(start, false, "timeout after " + Details.duration(timeout)));
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        // onExit() waits on the JDK's reaper thread; the short follow-up work comes back to our executor.
        process.onExit().thenRunAsync(() -> {
            deadline.cancel(false);
            try {
                if (!result.isDone()) {
                    int code = process.exitValue();
                    String line = firstLine(output);
                    result.complete(CheckResult.since(start, code == 0, "exit " + code + (line.isEmpty() ? "" : ": " + line)));
                }
            } finally {
                delete(output);
            }
        }, executor);
    }

    /** Descendants are listed before the parent dies, as they are re-parented to init afterwards. */
    private static void killTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /** The first non-blank line of what the script printed, shortened for a status page. */
    private static String firstLine(Path output) {
        byte[] head;
        try (InputStream in = Files.newInputStream(output)) {
            head = in.readNBytes(4096);
        } catch (IOException e) {
            return "";
        }
        for (String line : new String(head, StandardCharsets.UTF_8).split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty()) {
                return trimmed.length() > DETAIL_CHARS ? trimmed.substring(0, DETAIL_CHARS) + "..." : trimmed;
            }
        }
        return "";
    }

    private static void delete(Path output) {
        if (output == null) {
            return;
        }
        try {
            Files.deleteIfExists(output);
        } catch (IOException ignored) {
            // a leftover temp file is harmless; the result matters more
        }
    }

    /**
     * keepalived's {@code enable_script_security}: a daemon running as root, or holding capabilities (as
     * vipgate.service's unprivileged user does: scripts inherit them as ambient capabilities), must not run a
     * script that a non-root user could change. Checks the script and every directory above it (after resolving
     * symlinks): each must be owned by root and not writable by group or others; a sticky directory such
     * as /tmp may be world-writable, since others cannot replace root's entries in it.
     *
     * @return why the script is unsafe and what to do, or empty when it is safe or vipgate has no privileges
     */
    public static Optional<String> refuseUnsafeScript(Path script) {
        return refuseUnsafeScript(script, runsPrivileged());
    }

    private static boolean runsPrivileged() {
        if (new UnixSystem().getUid() == 0) {
            return true;
        }
        try {
            return holdsCapabilities(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException e) {
            return true; // cannot tell: check the script
        }
    }

    /** Whether a /proc/PID/status text shows effective capabilities. */
    static boolean holdsCapabilities(String procStatus) {
        return procStatus.lines().filter(l -> l.startsWith("CapEff:"))
                .anyMatch(l -> Long.parseUnsignedLong(l.substring("CapEff:".length()).strip(), 16) != 0);
    }

    static Optional<String> refuseUnsafeScript(Path script, boolean runningAsRoot) {
        if (!runningAsRoot) {
            return Optional.empty();
        }
        Path real;
        try {
            real = script.toRealPath();
        } catch (IOException e) {
            return Optional.of("script " + script + " cannot be checked (" + e.getMessage() + "); give its full path");
        }
        for (Path p = real; p != null; p = p.getParent()) {
            String what = p.equals(real) ? "script " + p : "directory " + p + " above script " + real;
            try {
                int uid = (Integer) Files.getAttribute(p, "unix:uid");
                int mode = (Integer) Files.getAttribute(p, "unix:mode");
                if (uid != 0) {
                    return Optional.of(what + " is owned by uid " + uid + ", so that user could change what vipgate runs with its privileges;"
                            + " run: chown root " + p);
                }
                boolean stickyDirectory = !p.equals(real) && (mode & MODE_STICKY) != 0;
                if ((mode & MODE_GROUP_OTHER_WRITE) != 0 && !stickyDirectory) {
                    return Optional.of(what + " is writable by group or others, so they could change what vipgate runs with its privileges;"
                            + " run: chmod go-w " + p);
                }
            } catch (IOException | UnsupportedOperationException e) {
                return Optional.of(what + " cannot be checked (" + e.getMessage() + ")");
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "script " + String.join(" ", argv);
    }
}
