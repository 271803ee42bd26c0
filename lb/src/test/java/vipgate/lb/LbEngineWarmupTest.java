package vipgate.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import vipgate.lb.config.LbConfigText;
import vipgate.testkit.FreePort;

/** {@code vipgate.lb.warmup}: the start-up warm-up runs by default and not at all when turned off. */
class LbEngineWarmupTest {

    private static List<String> warmupLog(String warmupSetting) throws Exception {
        return warmupLog(warmupSetting, "servers = [ { listen = \"127.0.0.1:%d\", locations = [ { path = \"/\", upstream = web } ] } ]"
                .formatted(FreePort.tcp()));
    }

    private static List<String> warmupLog(String warmupSetting, String servers) throws Exception {
        List<String> messages = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(Warmup.class.getName());
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                messages.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(h);
        try (LbEngine engine = LbEngine.start(LbConfigText.bind("""
                vipgate.lb {
                  %s
                  event-loops = 1
                  shutdown-drain = 1s
                  upstreams.web { servers = [ { address = "127.0.0.1:9" } ], health-check.type = none }
                  %s
                }
                """.formatted(warmupSetting, servers)))) {
            // the warm-up logs before it closes its channels, so wait for its thread to end, not for the line
            Thread warmup = warmupThread();
            if (warmup != null) {
                warmup.join(20_000);
            }
            assertThat(warmupThread()).isNull();
        } finally {
            log.removeHandler(h);
        }
        return messages;
    }

    private static Thread warmupThread() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("vipgate-lb-warmup")).findFirst().orElse(null);
    }

    @Test
    void runsByDefault() throws Exception {
        assertThat(warmupLog("")).anyMatch(m -> m.startsWith("proxy warmed up"));
    }

    @Test
    void doesNotRunWhenTurnedOff() throws Exception {
        assertThat(warmupLog("warmup = false")).isEmpty();
    }

    @Test
    void doesNotRunWithoutListeners() throws Exception {
        assertThat(warmupLog("", "servers = []")).isEmpty();
    }
}
