package vipgate.vrrp.track;

import vipgate.health.RiseFall;

/**
 * keepalived's vrrp_script result counter. Without {@code init-fail} a script starts undecided at
 * {@code rise - 1}: its first result decides at once (one success is enough to be OK, one failure makes it
 * FAILED). With {@code init-fail} it starts FAILED and needs {@code rise} successes. After that an OK script
 * needs {@code fall} consecutive failures to fail and a FAILED one {@code rise} consecutive successes to
 * recover: exactly {@link RiseFall}.
 *
 * <p>Pure and not thread-safe.
 */
public final class ScriptStatus {
    private final int rise;
    private final int fall;
    private RiseFall counter;

    public ScriptStatus(int rise, int fall, boolean initFail) {
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be at least 1, got rise " + rise + ", fall " + fall);
        }
        this.rise = rise;
        this.fall = fall;
        this.counter = initFail ? new RiseFall(rise, fall, false) : null;
    }

    /** Records one run's result; true when the status changed. */
    public boolean record(boolean success) {
        TrackStatus before = status();
        if (counter == null) {
            counter = new RiseFall(rise, fall, success);
        } else {
            counter.record(success);
        }
        return status() != before;
    }

    public TrackStatus status() {
        if (counter == null) {
            return TrackStatus.UNKNOWN;
        }
        return counter.isHealthy() ? TrackStatus.OK : TrackStatus.FAILED;
    }
}
