package vipgate.lb.limit;

/**
 * One key's state in a limit_req zone, with nginx's arithmetic (ngx_http_limit_req_module): the excess over the
 * rate in thousandths of a request, drained at {@code rate} thousandths per second since the last accepted request;
 * a request adds 1000 (a new key starts at 0). The caller refuses a request whose excess would pass its burst and
 * accepts the others; a refused request leaves the state as it was. Not thread-safe: the zone serialises the
 * requests of one key.
 */
final class LeakyBucket {
    /** Excess in thousandths of a request. */
    private long excess;
    private long lastMillis;

    LeakyBucket(long nowMillis) {
        this.lastMillis = nowMillis;
    }

    /** The excess a request at {@code nowMillis} would leave, in thousandths ({@code rate}: thousandths per second). */
    long excessAt(long nowMillis, long rate) {
        long next = excess - rate * elapsed(nowMillis) / 1000 + 1000;
        return Math.max(0, next);
    }

    /** Records an accepted request at {@code nowMillis} that left {@code newExcess}. */
    void accept(long nowMillis, long newExcess) {
        excess = newExcess;
        if (elapsed(nowMillis) != 0) {
            lastMillis = nowMillis;
        }
    }

    /** When the last accepted request came, for the zone's eviction. */
    long lastMillis() {
        return lastMillis;
    }

    /** nginx's guard against the clock: a step back of a minute or more counts 1 ms, a smaller one 0. */
    private long elapsed(long nowMillis) {
        long ms = nowMillis - lastMillis;
        return ms < -60_000 ? 1 : Math.max(0, ms);
    }
}
