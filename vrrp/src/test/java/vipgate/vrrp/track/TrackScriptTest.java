package vipgate.vrrp.track;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.vrrp.config.ScriptSpec;

class TrackScriptTest {
    final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void aScriptThatStartsFailingIsReportedAfterFallRuns() throws Exception {
        Path flag = dir.resolve("down");
        Path script = dir.resolve("check.sh");
        Files.writeString(script, "#!/bin/sh\n[ ! -e " + flag + " ]\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        LinkedBlockingQueue<TrackStatus> changes = new LinkedBlockingQueue<>();
        TrackScript t = new TrackScript(new ScriptSpec("chk", List.of(script.toString()), Duration.ofMillis(50),
                Duration.ofSeconds(5), -20, 1, 2, false), executor, (s, status, result) -> changes.add(status));
        t.start();
        assertThat(changes.poll(10, TimeUnit.SECONDS)).isEqualTo(TrackStatus.OK);
        Files.createFile(flag);
        assertThat(changes.poll(10, TimeUnit.SECONDS)).isEqualTo(TrackStatus.FAILED);
        assertThat(t.lastResult()).hasValueSatisfying(r -> assertThat(r.detail()).startsWith("exit 1"));
        t.stop();
        assertThat(t.refusal()).isEmpty();
    }
}
