package vipgate.bench.loadgen;

import org.HdrHistogram.Histogram;

/**
 * The open-loop send times of one connection and the latency bookkeeping that goes with them (wrk2's
 * coordinated-omission correction). Request k is due at {@code first + k * interval} whatever happened to request
 * k-1: a slow response delays the sends behind it, and their latency is counted from when they were due, not from
 * when the connection got round to sending them. Only requests due inside the measurement window
 * [{@code windowStart}, {@code windowEnd}) are recorded; none is scheduled at or after {@code windowEnd}.
 * Times are {@link System#nanoTime()} values. Not thread-safe: one connection, one event loop.
 */
final class Schedule {

    private final long interval;
    private final long windowStart;
    private final long windowEnd;
    private long due;
    private long inFlightDue = -1;

    Schedule(long first, long interval, long windowStart, long windowEnd) {
        if (interval <= 0 || windowStart > windowEnd) {
            throw new IllegalArgumentException("interval must be > 0 and the window start <= its end");
        }
        this.due = first;
        this.interval = interval;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
    }

    /** When the next request is due; meaningless once {@link #exhausted()}. */
    long due() {
        return due;
    }

    /** No request is due before the end of the window any more. */
    boolean exhausted() {
        return due >= windowEnd;
    }

    /** The due request goes out now. */
    void sent() {
        inFlightDue = due;
        due += interval;
    }

    /**
     * The due request could not be sent (no connection): it is given up, for the caller to count as an error; returns
     * whether it was due inside the window.
     */
    boolean skip() {
        long skipped = due;
        due += interval;
        return skipped >= windowStart;
    }


    /** A request is sent and not yet answered. */
    boolean awaiting() {
        return inFlightDue >= 0;
    }

    /**
     * The answer to the request in flight arrived at {@code now}: records its latency from its due time when it was
     * due inside the window, and returns whether it was.
     */
    boolean answered(long now, Histogram latencies) {
        long intended = inFlightDue;
        inFlightDue = -1;
        if (intended < windowStart) {
            return false;
        }
        latencies.recordValue(Math.min(now - intended, latencies.getHighestTrackableValue()));
        return true;
    }

    /** The request in flight is lost (connection closed under it); returns whether it was due inside the window. */
    boolean lost() {
        long intended = inFlightDue;
        inFlightDue = -1;
        return intended >= windowStart;
    }

    /** Requests due inside the window that were never answered: the one in flight plus those never sent. */
    long unfinished() {
        long inFlight = inFlightDue >= windowStart ? 1 : 0;
        long from = due >= windowStart ? due : due + ceilDiv(windowStart - due, interval) * interval;
        long notSent = from >= windowEnd ? 0 : ceilDiv(windowEnd - from, interval);
        return inFlight + notSent;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
