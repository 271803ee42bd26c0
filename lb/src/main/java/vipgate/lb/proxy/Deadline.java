package vipgate.lb.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An inactivity timeout that is cheap to push back: {@link #touch()} only records the time, and the single
 * scheduled task re-arms itself for the remainder when it finds recent activity (as Netty's IdleStateHandler
 * does), so a busy stream does not cancel and reschedule a task per read.
 */
final class Deadline {
    private final EventExecutor executor;
    private final Runnable onExpiry;
    private long timeoutNanos;
    private long lastActivity;
    private ScheduledFuture<?> task;

    Deadline(EventExecutor executor, Runnable onExpiry) {
        this.executor = executor;
        this.onExpiry = onExpiry;
    }

    void arm(long timeoutNanos) {
        disarm();
        this.timeoutNanos = timeoutNanos;
        this.lastActivity = System.nanoTime();
        task = executor.schedule(this::check, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    void touch() {
        lastActivity = System.nanoTime();
    }

    boolean isArmed() {
        return task != null;
    }

    void disarm() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void check() {
        if (task == null) {
            return;
        }
        long idle = System.nanoTime() - lastActivity;
        if (idle >= timeoutNanos) {
            task = null;
            onExpiry.run();
        } else {
            task = executor.schedule(this::check, timeoutNanos - idle, TimeUnit.NANOSECONDS);
        }
    }
}
