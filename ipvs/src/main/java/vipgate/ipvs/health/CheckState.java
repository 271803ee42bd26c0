package vipgate.ipvs.health;

import java.time.Duration;
import java.util.Objects;
import vipgate.ipvs.config.CheckSpec;

/**
 * keepalived's checker bookkeeping (check_tcp.c tcp_epilog, the same in its other checkers): after a failed probe
 * the server gets {@code retry} more tries, {@code delay-before-retry} apart, before it counts as failed; one
 * successful probe brings it back; otherwise probes are {@code interval} (delay_loop) apart. Pure: it only says
 * what a result means and when to probe next; {@link RealServerMonitor} does the waiting. Not thread-safe.
 */
public final class CheckState {

    /** What one result did to the server's state. */
    public enum Verdict { NONE, UP, DOWN }

    /** The verdict of a result and the pause before the next probe. */
    public record Step(Verdict verdict, Duration nextProbe) {
    }

    private final int retry;
    private final Duration interval;
    private final Duration delayBeforeRetry;
    private boolean up;
    private int retries;
    private boolean hasRun;

    /** @param initiallyUp false with keepalived's alpha: the server joins after its first successful probe */
    public CheckState(CheckSpec spec, boolean initiallyUp) {
        Objects.requireNonNull(spec, "spec");
        this.retry = spec.retry();
        this.interval = spec.interval();
        this.delayBeforeRetry = spec.delayBeforeRetry();
        this.up = initiallyUp;
    }

    /**
     * The delay before the very first probe: a random share of {@code warmup}, so that many real servers (and two
     * directors) do not probe in lockstep.
     *
     * @param random01 a uniform random number in [0, 1)
     */
    public static Duration firstDelay(Duration warmup, double random01) {
        return Duration.ofNanos((long) (warmup.toNanos() * random01));
    }

    public Step record(boolean success) {
        Verdict verdict = Verdict.NONE;
        Duration next;
        if (success || retries >= retry) {
            next = interval;
            retries = 0;
            // The first result of all is always taken as the truth, even when it only confirms the start state.
            if (success && (!up || !hasRun)) {
                verdict = up ? Verdict.NONE : Verdict.UP;
                up = true;
            } else if (!success && (up || !hasRun)) {
                verdict = up ? Verdict.DOWN : Verdict.NONE;
                up = false;
            }
        } else {
            next = delayBeforeRetry;
            retries++;
        }
        hasRun = true;
        return new Step(verdict, next);
    }

    public boolean isUp() {
        return up;
    }
}
