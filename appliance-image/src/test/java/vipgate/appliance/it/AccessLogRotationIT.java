package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.FreePort;
import vipgate.testkit.NginxWebNode;

/** logrotate's dance against the running jar: rename the access log, kill -USR1, and the next lines go to a new file. */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class AccessLogRotationIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void sigusr1ReopensTheAccessLogAfterARename() throws IOException {
        Path log = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        int admin = FreePort.tcp();
        int port = FreePort.tcp();
        NginxWebNode node = NginxWebNode.start("HTTP WEB NODE 01\n");
        ApplianceProcess p = null;
        try {
            Path conf = ItSupport.write(dir.resolve("vipgate.conf"), ItSupport.config(admin, List.of(port), List.of(node.address()),
                    "access-log { path = \"" + log + "\", format = short, flush = 50ms }\n"
                            + "log-formats.short = \"$request_uri $status $upstream_addr\"", ""));
            p = ItSupport.run(conf, admin);
            ItSupport.get(port, "/before");
            Await.require(WAIT, "the first line", () -> lines(log).size() == 1);

            Files.move(log, rotated);
            p.signal("USR1");
            Await.require(WAIT, "the reopened file", () -> Files.exists(log));
            ItSupport.get(port, "/after");
            Await.require(WAIT, "the line after the reopen", () -> lines(log).size() == 1);

            assertThat(lines(rotated)).containsExactly("/before 200 " + node.address());
            assertThat(lines(log)).containsExactly("/after 200 " + node.address());
            assertThat(p.isAlive()).isTrue();
            assertThat(p.log()).contains("SIGUSR1: reopening the access log");
            assertThat(p.stop(Duration.ofSeconds(20))).isZero();
            ItSupport.assertCleanLog(p);
        } finally {
            Cleanup.close(p, node);
        }
    }
}
