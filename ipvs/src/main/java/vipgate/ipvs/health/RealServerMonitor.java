package vipgate.ipvs.health;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import vipgate.health.CheckResult;
import vipgate.health.Checker;

/**
 * Probes one real server forever with one of the shared checkers, timed by {@link CheckState}, and reports
 * verdict changes. Every step (and the listener call) runs on {@code scheduler}, the engine's single thread, so the
 * state needs no lock. Not the health module's HealthMonitor: that one probes at a fixed interval through
 * rise/fall, while keepalived's timing picks the next delay from each result (delay_before_retry while retrying).
 */
public final class RealServerMonitor {
    private static final System.Logger LOG = System.getLogger(RealServerMonitor.class.getName());

    /** Called on the scheduler's thread when the server comes up or goes down. */
    public interface Listener {
        void onVerdict(boolean up, CheckResult result);
    }

    private final Checker checker;
    private final CheckState state;
    private final ScheduledExecutorService scheduler;
    private final Listener listener;
    private volatile boolean stopped;
    private volatile ScheduledFuture<?> next;
    private volatile CheckResult lastResult;

    public RealServerMonitor(Checker checker, CheckState state, ScheduledExecutorService scheduler, Listener listener) {
        this.checker = Objects.requireNonNull(checker, "checker");
        this.state = Objects.requireNonNull(state, "state");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Runs the first probe after {@code firstDelay} (see {@link CheckState#firstDelay}). */
    public void start(Duration firstDelay) {
        schedule(firstDelay);
    }

    /** No probe starts after this returns. */
    public void stop() {
        stopped = true;
        ScheduledFuture<?> pending = next;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    /** The latest probe's result, null before the first. */
    public CheckResult lastResult() {
        return lastResult;
    }

    private void schedule(Duration delay) {
        try {
            next = scheduler.schedule(this::probe, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            stopped = true; // the engine is shutting down
        }
    }

    private void probe() {
        if (stopped) {
            return;
        }
        CompletableFuture<CheckResult> probe;
        try {
            probe = checker.check();
        } catch (RuntimeException e) {
            probe = CompletableFuture.completedFuture(new CheckResult(false, "checker failed: " + e, 0));
        }
        probe.whenCompleteAsync((result, error) -> completed(error == null ? result
                : new CheckResult(false, "checker failed: " + error, 0)), scheduler);
    }

    private void completed(CheckResult result) {
        if (stopped) {
            return;
        }
        lastResult = result;
        CheckState.Step step = state.record(result.healthy());
        if (step.verdict() != CheckState.Verdict.NONE) {
            try {
                listener.onVerdict(step.verdict() == CheckState.Verdict.UP, result);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "real server listener for " + checker + " failed", e);
            }
        }
        schedule(step.nextProbe());
    }

    @Override
    public String toString() {
        return checker + (state.isUp() ? " up" : " down");
    }
}
