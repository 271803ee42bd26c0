package vipgate.ipvs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.health.CheckResult;

class NotifyCommandsTest {
    @TempDir
    Path dir;

    @Test
    void commandsRunInOrderAndFailuresAreReported() throws Exception {
        ScheduledExecutorService executor = Executors.newScheduledThreadPool(2);
        try {
            NotifyCommands notify = new NotifyCommands(executor, Duration.ofSeconds(5));
            Path log = dir.resolve("log");
            // the first is slower than the second: order must still be kept
            var first = notify.run(List.of("/bin/sh", "-c", "sleep 0.2; echo down >> " + log), "rs down");
            var second = notify.run(List.of("/bin/sh", "-c", "echo up >> " + log), "rs up");
            var failing = notify.run(List.of("/bin/false"), "quorum lost");
            assertThat(first.get(5, TimeUnit.SECONDS).healthy()).isTrue();
            assertThat(second.get(5, TimeUnit.SECONDS).healthy()).isTrue();
            CheckResult result = failing.get(5, TimeUnit.SECONDS);
            assertThat(result.healthy()).isFalse();
            assertThat(Files.readAllLines(log)).containsExactly("down", "up");
            assertThat(notify.run(List.of(), "nothing").get().healthy()).isTrue();
        } finally {
            executor.shutdownNow();
        }
    }
}
