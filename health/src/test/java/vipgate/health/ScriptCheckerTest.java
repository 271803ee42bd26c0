package vipgate.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScriptCheckerTest {
    private static ScheduledExecutorService executor;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        executor = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stop() {
        executor.shutdownNow();
    }

    private static CheckResult run(String shell, Duration timeout) throws Exception {
        return new ScriptChecker(List.of("/bin/sh", "-c", shell), timeout, executor).check()
                .get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
    }

    @Test
    void exitZeroIsHealthy() throws Exception {
        CheckResult result = run("exit 0", Duration.ofSeconds(5));
        assertThat(result.healthy()).isTrue();
        assertThat(result.detail()).isEqualTo("exit 0");
    }

    @Test
    void nonZeroExitIsUnhealthy() throws Exception {
        CheckResult result = run("exit 3", Duration.ofSeconds(5));
        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).isEqualTo("exit 3");
    }

    @Test
    void firstNonBlankLineOfOutputIsTheDetail() throws Exception {
        CheckResult result = run("echo; echo 'replica lag 40s' >&2; echo second; exit 1", Duration.ofSeconds(5));
        assertThat(result.detail()).isEqualTo("exit 1: replica lag 40s");
    }

    @Test
    void scriptReadingStdinSeesEndOfFile() throws Exception {
        assertThat(run("cat; exit 0", Duration.ofSeconds(5)).healthy()).isTrue();
    }

    @Test
    void timeoutKillsTheScriptAndItsChildren() throws Exception {
        Path pids = dir.resolve("pids");
        Duration timeout = Duration.ofMillis(300);
        long start = System.nanoTime();
        // The background sleep would outlive a kill of the shell alone.
        CheckResult result = run("sleep 30 & echo $$ $! > " + pids + "; wait", timeout);
        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).isEqualTo("timeout after 300ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(timeout, timeout.plusSeconds(2));

        for (String pid : Files.readString(pids).trim().split(" ")) {
            Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(pid));
            if (process.isPresent()) {
                process.get().onExit().get(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void missingProgramIsUnhealthyWithTheReason() throws Exception {
        CheckResult result = new ScriptChecker(List.of(dir.resolve("no-such-script").toString()), Duration.ofSeconds(1), executor)
                .check().get(5, TimeUnit.SECONDS);
        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).startsWith("cannot run " + dir.resolve("no-such-script")).contains("No such file");
    }

    @Test
    void shutDownExecutorGivesAnUnhealthyResult() throws Exception {
        ScheduledExecutorService gone = Executors.newSingleThreadScheduledExecutor();
        gone.shutdown();
        CheckResult result = new ScriptChecker(List.of("/bin/true"), Duration.ofSeconds(1), gone).check().get(1, TimeUnit.SECONDS);
        assertThat(result.healthy()).isFalse();
    }

    @Test
    void emptyCommandIsRejected() {
        assertThatThrownBy(() -> new ScriptChecker(List.of(), Duration.ofSeconds(1), executor))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a command");
    }

    @Test
    void rootOwnedSystemBinaryIsSafe() {
        assertThat(ScriptChecker.refuseUnsafeScript(Path.of("/bin/sh"), true)).isEmpty();
    }

    @Test
    void worldWritableScriptIsRefusedWithTheFix() throws Exception {
        Path script = Files.createFile(dir.resolve("check.sh"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxrwxrwx")); // past the umask
        Optional<String> refusal = ScriptChecker.refuseUnsafeScript(script, true);
        assertThat(refusal).isPresent();
        String real = script.toRealPath().toString();
        // Running as root the file is root's, so the mode is the complaint; otherwise the owner is.
        assertThat(refusal.get()).containsAnyOf("run: chmod go-w " + real, "run: chown root " + real);
    }

    @Test
    void groupWritableDirectoryIsRefused() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("scripts"));
        Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwxrwxr-x"));
        Path script = Files.createFile(sub.resolve("check.sh"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Optional<String> refusal = ScriptChecker.refuseUnsafeScript(script, true);
        assertThat(refusal).isPresent();
        if (new com.sun.security.auth.module.UnixSystem().getUid() == 0) {
            assertThat(refusal.get()).isEqualTo("directory " + sub.toRealPath() + " above script " + script.toRealPath()
                    + " is writable by group or others, so they could change what vipgate runs with its privileges; run: chmod go-w "
                    + sub.toRealPath());
        }
    }

    @Test
    void missingScriptCannotBeVouchedFor() {
        assertThat(ScriptChecker.refuseUnsafeScript(dir.resolve("absent.sh"), true)).get().asString().contains("cannot be checked");
    }

    /** vipgate.service's user is not root but holds network capabilities, which its scripts inherit. */
    @Test
    void capabilitiesCountAsPrivileges() {
        assertThat(ScriptChecker.holdsCapabilities("Uid:\t997\t997\t997\t997\nCapInh:\t0000000000003400\n"
                + "CapPrm:\t0000000000003400\nCapEff:\t0000000000003400\nCapAmb:\t0000000000003400\n")).isTrue();
        assertThat(ScriptChecker.holdsCapabilities("Uid:\t1000\t1000\t1000\t1000\nCapPrm:\t0000000000000000\n"
                + "CapEff:\t0000000000000000\n")).isFalse();
    }

    @Test
    void nonRootDaemonIsNotRestricted() {
        assertThat(ScriptChecker.refuseUnsafeScript(dir.resolve("absent.sh"), false)).isEmpty();
    }
}
