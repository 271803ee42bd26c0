package vipgate.transport.timer;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An inactivity timeout that costs next to nothing per request. {@link #touch()} only records the time;
 * {@link #disarm()} only clears a flag; {@link #arm} schedules a task only when none is pending early enough.
 * The one pending task re-checks when it fires and re-schedules itself for the remainder (as Netty's
 * IdleStateHandler does). A connection keeps its deadlines across requests, so a keep-alive connection serving
 * thousands of requests schedules a handful of tasks instead of several per request.
 *
 * <p>Used for the proxy's timeouts and the pool's idle connections. Confined to one event loop.
 */
public final class Deadline {
    private final EventExecutor executor;
    private final Runnable onExpiry;
    private boolean armed;
    private long timeoutNanos;
    private long lastActivity;
    private ScheduledFuture<?> task;
    private long taskFiresAt;

    public Deadline(EventExecutor executor, Runnable onExpiry) {
        this.executor = executor;
        this.onExpiry = onExpiry;
    }

    public void arm(long timeoutNanos) {
        long now = System.nanoTime();
        this.armed = true;
        this.timeoutNanos = timeoutNanos;
        this.lastActivity = now;
        long due = now + timeoutNanos;
        if (task != null && taskFiresAt - due > 0) {
            // the pending check comes too late for this shorter timeout
            task.cancel(false);
            task = null;
        }
        if (task == null) {
            schedule(timeoutNanos);
        }
    }

    public void touch() {
        lastActivity = System.nanoTime();
    }

    public void disarm() {
        armed = false;
    }

    /** Drops the pending task too; for a connection that is gone. */
    public void cancel() {
        armed = false;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void schedule(long delayNanos) {
        taskFiresAt = System.nanoTime() + delayNanos;
        task = executor.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        task = null;
        if (!armed) {
            return;
        }
        long idle = System.nanoTime() - lastActivity;
        if (idle >= timeoutNanos) {
            armed = false;
            onExpiry.run();
        } else {
            schedule(timeoutNanos - idle);
        }
    }
}
