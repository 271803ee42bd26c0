package vipgate.health;

import java.time.Duration;
import java.util.Objects;

/**
 * The outcome of one probe.
 *
 * @param healthy whether the target passed
 * @param detail a reason an operator can act on, e.g. {@code connect refused} or {@code status 503 not in 200-399}
 * @param latencyNanos how long the probe took, failures included
 */
public record CheckResult(boolean healthy, String detail, long latencyNanos) {

    public CheckResult {
        Objects.requireNonNull(detail, "detail");
    }

    /** A result whose latency runs from {@code startNanos} (a {@link System#nanoTime()} reading) to now. */
    static CheckResult since(long startNanos, boolean healthy, String detail) {
        return new CheckResult(healthy, detail, System.nanoTime() - startNanos);
    }

    public Duration latency() {
        return Duration.ofNanos(latencyNanos);
    }
}
