package vipgate.ipvs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import vipgate.health.CheckResult;
import vipgate.health.Checker;
import vipgate.health.HealthCheckSpec;
import vipgate.health.StatusRange;
import vipgate.ipvs.config.CheckSpec;

class RealServerMonitorTest {
    @Test
    void reportsDownAfterRetriesThenUpAgain() throws Exception {
        // probes: ok, fail, fail (down after 1 + retry 1), fail, ok (up)
        List<Boolean> script = List.of(true, false, false, false, true);
        AtomicInteger probes = new AtomicInteger();
        Checker checker = () -> {
            int i = probes.getAndIncrement();
            boolean ok = i < script.size() ? script.get(i) : true;
            return CompletableFuture.completedFuture(new CheckResult(ok, ok ? "connected" : "refused", 0));
        };
        CheckSpec spec = new CheckSpec(HealthCheckSpec.Type.TCP, Duration.ofMillis(5), Duration.ofMillis(5), 1,
                Duration.ofMillis(1), Duration.ZERO, 80, "/", StatusRange.parse("200-299"), "", List.of());
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
        List<String> verdicts = new CopyOnWriteArrayList<>();
        try {
            RealServerMonitor monitor = new RealServerMonitor(checker, new CheckState(spec, true), loop,
                    (up, result) -> verdicts.add((up ? "up " : "down ") + result.detail()));
            monitor.start(Duration.ZERO);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (verdicts.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            monitor.stop();
            assertThat(verdicts).containsExactly("down refused", "up connected");
            assertThat(monitor.lastResult()).isNotNull();
            int after = probes.get();
            Thread.sleep(50);
            assertThat(probes.get()).as("no probe after stop").isLessThanOrEqualTo(after + 1);
        } finally {
            loop.shutdownNow();
        }
    }
}
