package vipgate.health;

/**
 * Debounces probe results the way nginx and keepalived do: a down target needs {@code rise} consecutive
 * successes to come up, an up target needs {@code fall} consecutive failures to go down, so one lost
 * packet does not flap a VIP or drain an upstream.
 *
 * <p>Pure (no clock, no I/O) and not thread-safe: one owner feeds it results in order.
 */
public final class RiseFall {

    /** What one result did to the verdict. */
    public enum Transition { NONE, UP, DOWN }

    private final int rise;
    private final int fall;
    private boolean healthy;
    private int successes;
    private int failures;

    public RiseFall(int rise, int fall, boolean initiallyHealthy) {
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be at least 1, got rise " + rise + ", fall " + fall);
        }
        this.rise = rise;
        this.fall = fall;
        this.healthy = initiallyHealthy;
    }

    public Transition record(boolean ok) {
        if (ok) {
            failures = 0;
            if (!healthy && ++successes >= rise) {
                healthy = true;
                successes = 0;
                return Transition.UP;
            }
        } else {
            successes = 0;
            if (healthy && ++failures >= fall) {
                healthy = false;
                failures = 0;
                return Transition.DOWN;
            }
        }
        return Transition.NONE;
    }

    public boolean isHealthy() {
        return healthy;
    }
}
