package vipgate.vrrp.track;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import vipgate.health.CheckResult;
import vipgate.health.ScriptChecker;
import vipgate.vrrp.config.ScriptSpec;

/**
 * Runs one vrrp script every {@code interval} (keepalived schedules from the start of each run, and never
 * starts a run while the previous one is still going), kills it at {@code timeout}, and debounces the
 * results with {@link ScriptStatus}. Running as root, a script that non-root users could modify is refused
 * and never run (keepalived's "SECURITY VIOLATION"): its status stays {@link TrackStatus#UNKNOWN}, so it
 * counts neither way, as keepalived ignores an insecure script.
 *
 * <p>Bookkeeping runs on the executor, one step at a time; the listener is called there too, so the engine
 * must hand the change over to its own thread.
 */
public final class TrackScript {
    private static final System.Logger LOG = System.getLogger(TrackScript.class.getName());

    /** Called on the executor when the status changes. */
    @FunctionalInterface
    public interface Listener {
        void changed(TrackScript script, TrackStatus status, CheckResult result);
    }

    private final ScriptSpec spec;
    private final ScheduledExecutorService executor;
    private final Listener listener;
    private final ScriptChecker checker;
    /** Only touched by steps on the executor, which runs them one at a time (it is the checker's too). */
    private final ScriptStatus counter;
    private volatile TrackStatus status;
    private volatile Optional<String> refusal = Optional.empty();
    private volatile CheckResult lastResult;
    private volatile boolean running;
    private volatile boolean stopped;
    private volatile ScheduledFuture<?> ticks;

    /** @param executor a single-threaded scheduler: steps must not overlap */
    public TrackScript(ScriptSpec spec, ScheduledExecutorService executor, Listener listener) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.checker = new ScriptChecker(spec.command(), spec.timeout(), executor);
        this.counter = new ScriptStatus(spec.rise(), spec.fall(), spec.initFail());
        this.status = counter.status();
    }

    /** Refuses an unsafe script, else runs the first check now and then every interval. */
    public void start() {
        refusal = ScriptChecker.refuseUnsafeScript(Path.of(spec.command().get(0)));
        if (refusal.isPresent()) {
            LOG.log(Level.ERROR, "SECURITY VIOLATION - vrrp script " + spec.name() + " will not be run: " + refusal.get());
            status = TrackStatus.UNKNOWN;
            return;
        }
        try {
            ticks = executor.scheduleAtFixedRate(this::tick, 0, spec.interval().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            stopped = true;
        }
    }

    /** No run starts after this; one already running still completes but reports nothing. */
    public void stop() {
        stopped = true;
        ScheduledFuture<?> t = ticks;
        if (t != null) {
            t.cancel(false);
        }
    }

    public String name() {
        return spec.name();
    }

    public TrackStatus status() {
        return status;
    }

    /** Why the script was refused (running as root, writable by others), if it was. */
    public Optional<String> refusal() {
        return refusal;
    }

    public Optional<CheckResult> lastResult() {
        return Optional.ofNullable(lastResult);
    }

    private void tick() {
        if (stopped || running) {
            return; // keepalived never runs a check twice at once; a slow script just skips a beat
        }
        running = true;
        CompletableFuture<CheckResult> probe = checker.check();
        probe.whenCompleteAsync((result, error) -> completed(error == null ? result
                : new CheckResult(false, "script failed: " + error, 0)), executor);
    }

    private void completed(CheckResult result) {
        running = false;
        if (stopped) {
            return;
        }
        lastResult = result;
        if (counter.record(result.healthy())) {
            status = counter.status();
            try {
                listener.changed(this, status, result);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "listener of vrrp script " + spec.name() + " failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "vrrp script " + spec.name() + " " + status;
    }
}
