package vipgate.health;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Probes one target forever: runs the checker, waits {@code interval} after the probe completes (so a slow
 * target never gets overlapping probes), debounces results through {@link RiseFall} and tells the listener
 * when the verdict changes.
 *
 * <p>All bookkeeping and listener calls run on the injected scheduler (a plain executor or a Netty
 * {@code EventLoop}), one at a time; the getters may be read from any thread.
 */
public final class HealthMonitor {
    private static final System.Logger LOG = System.getLogger(HealthMonitor.class.getName());

    private final Checker checker;
    private final Duration interval;
    private final ScheduledExecutorService scheduler;
    private final HealthListener listener;
    /** Only touched by the probe sequence, whose steps are ordered by the scheduler hand-offs. */
    private final RiseFall riseFall;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicLong checks = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean stopped;
    private volatile boolean healthy;
    private volatile CheckResult lastResult;
    private volatile ScheduledFuture<?> next;

    /**
     * @param initiallyHealthy the verdict before enough probes have run: true (nginx's default) keeps
     *        traffic flowing at start-up, false waits for {@code rise} successes first
     */
    public HealthMonitor(Checker checker, Duration interval, int rise, int fall, boolean initiallyHealthy,
            ScheduledExecutorService scheduler, HealthListener listener) {
        this.checker = Objects.requireNonNull(checker, "checker");
        this.interval = Details.requirePositive(interval, "interval");
        this.riseFall = new RiseFall(rise, fall, initiallyHealthy);
        this.healthy = initiallyHealthy;
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Runs the first probe now. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("health monitor for " + checker + " already started");
        }
        scheduleProbe(0);
    }

    /** No probe starts after this returns; a listener call already under way may still finish. */
    public void stop() {
        stopped = true;
        ScheduledFuture<?> pending = next;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    public boolean isHealthy() {
        return healthy;
    }

    /** The latest probe result, empty until the first probe completes. */
    public Optional<CheckResult> lastResult() {
        return Optional.ofNullable(lastResult);
    }

    public long checks() {
        return checks.get();
    }

    public long failures() {
        return failures.get();
    }

    private void scheduleProbe(long delayNanos) {
        try {
            next = scheduler.schedule(this::probe, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The scheduler is shutting down, and the monitor with it.
            stopped = true;
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
            // Checkers promise not to throw; a broken one is reported as a failing target, not a dead monitor.
            probe = CompletableFuture.completedFuture(new CheckResult(false, "checker failed: " + Details.failure(e), 0));
        }
        probe.whenCompleteAsync(this::completed, scheduler);
    }

    private void completed(CheckResult result, Throwable error) {
        if (stopped) {
            return;
        }
        CheckResult r = error == null ? result : new CheckResult(false, "checker failed: " + Details.failure(error), 0);
        lastResult = r;
        checks.incrementAndGet();
        if (!r.healthy()) {
            failures.incrementAndGet();
        }
        RiseFall.Transition transition = riseFall.record(r.healthy());
        try {
            listener.onProbe(r);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "health listener for " + checker + " failed", e);
        }
        if (transition != RiseFall.Transition.NONE) {
            healthy = riseFall.isHealthy();
            try {
                listener.onChange(healthy, r);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "health listener for " + checker + " failed", e);
            }
        }
        scheduleProbe(interval.toNanos());
    }

    @Override
    public String toString() {
        return checker + (healthy ? " up" : " down");
    }
}
