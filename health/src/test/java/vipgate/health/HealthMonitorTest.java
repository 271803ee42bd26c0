package vipgate.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {
    private static final Duration TICK = Duration.ofMillis(1);

    private ScheduledExecutorService scheduler;
    private final BlockingQueue<CheckResult> changes = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** Replays scripted outcomes ('S' or 'F'), then keeps repeating the last one. */
    private static final class ScriptedChecker implements Checker {
        private final Deque<Character> outcomes = new ArrayDeque<>();
        private final AtomicInteger calls = new AtomicInteger();
        private char last;

        ScriptedChecker(String outcomes) {
            for (char c : outcomes.toCharArray()) {
                this.outcomes.add(c);
            }
        }

        @Override
        public synchronized CompletableFuture<CheckResult> check() {
            int n = calls.incrementAndGet();
            if (!outcomes.isEmpty()) {
                last = outcomes.poll();
            }
            return CompletableFuture.completedFuture(new CheckResult(last == 'S', "probe " + n, 1000));
        }
    }

    private HealthMonitor monitor(Checker checker, int rise, int fall, boolean initiallyHealthy) {
        return new HealthMonitor(checker, TICK, rise, fall, initiallyHealthy, scheduler,
                (healthy, last) -> changes.add(new CheckResult(healthy, last.detail(), last.latencyNanos())));
    }

    private CheckResult nextChange() throws InterruptedException {
        CheckResult change = changes.poll(5, TimeUnit.SECONDS);
        assertThat(change).as("a transition within 5s").isNotNull();
        return change;
    }

    @Test
    void reportsOnlyTransitionsWithTheProbeThatCausedThem() throws Exception {
        ScriptedChecker checker = new ScriptedChecker("SFFSFSS");
        HealthMonitor m = monitor(checker, 2, 2, true);
        assertThat(m.isHealthy()).isTrue();
        assertThat(m.lastResult()).isEmpty();
        m.start();

        CheckResult down = nextChange();
        assertThat(down.healthy()).isFalse();
        assertThat(down.detail()).isEqualTo("probe 3");
        CheckResult up = nextChange();
        assertThat(up.healthy()).isTrue();
        assertThat(up.detail()).isEqualTo("probe 7");

        m.stop();
        assertThat(m.isHealthy()).isTrue();
        assertThat(m.checks()).isGreaterThanOrEqualTo(7);
        assertThat(m.failures()).isEqualTo(3);
        assertThat(m.lastResult()).get().extracting(CheckResult::healthy).isEqualTo(true);
        assertThat(changes).isEmpty();
    }

    @Test
    void initiallyDownTargetNeedsRiseSuccesses() throws Exception {
        HealthMonitor m = monitor(new ScriptedChecker("SFSSS"), 3, 1, false);
        m.start();
        CheckResult up = nextChange();
        assertThat(up.healthy()).isTrue();
        assertThat(up.detail()).isEqualTo("probe 5");
        m.stop();
    }

    @Test
    void probesNeverOverlapAndTheNextWaitsForTheSlowOne() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        CountDownLatch tenProbes = new CountDownLatch(10);
        // Each probe takes 5ms, five times the interval: overlapping scheduling would show at once.
        Checker slow = () -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            CompletableFuture<CheckResult> f = new CompletableFuture<>();
            scheduler.schedule(() -> {
                inFlight.decrementAndGet();
                tenProbes.countDown();
                f.complete(new CheckResult(true, "ok", 0));
            }, 5, TimeUnit.MILLISECONDS);
            return f;
        };
        HealthMonitor m = monitor(slow, 1, 1, true);
        m.start();
        assertThat(tenProbes.await(5, TimeUnit.SECONDS)).isTrue();
        m.stop();
        assertThat(maxInFlight.get()).isEqualTo(1);
    }

    @Test
    void stopPreventsFurtherProbesAndNotifications() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<CheckResult> third = new CompletableFuture<>();
        CountDownLatch thirdStarted = new CountDownLatch(1);
        Checker checker = () -> {
            if (calls.incrementAndGet() == 3) {
                thirdStarted.countDown();
                return third;
            }
            return CompletableFuture.completedFuture(new CheckResult(true, "ok", 0));
        };
        HealthMonitor m = monitor(checker, 1, 1, true);
        m.start();
        assertThat(thirdStarted.await(5, TimeUnit.SECONDS)).isTrue();
        m.stop();
        third.complete(new CheckResult(false, "would take it down", 0));
        scheduler.shutdown();
        assertThat(scheduler.awaitTermination(5, TimeUnit.SECONDS)).isTrue();

        assertThat(calls.get()).isEqualTo(3);
        assertThat(changes).isEmpty();
        assertThat(m.isHealthy()).isTrue();
    }

    @Test
    void throwingCheckerCountsAsAFailureAndFailingListenerDoesNotStopTheMonitor() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Checker checker = () -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                throw new IllegalStateException("bug");
            }
            if (n == 2) {
                return CompletableFuture.failedFuture(new IllegalStateException("another bug"));
            }
            return CompletableFuture.completedFuture(new CheckResult(true, "ok", 0));
        };
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch up = new CountDownLatch(1);
        HealthMonitor m = new HealthMonitor(checker, TICK, 1, 1, true, scheduler, (healthy, last) -> {
            seen.add(healthy + " " + last.detail());
            if (healthy) {
                up.countDown();
            } else {
                throw new IllegalStateException("listener bug (expected by the test)");
            }
        });
        m.start();
        assertThat(up.await(5, TimeUnit.SECONDS)).isTrue();
        m.stop();
        assertThat(seen).containsExactly("false checker failed: IllegalStateException: bug", "true ok");
        assertThat(m.failures()).isEqualTo(2);
    }
}
