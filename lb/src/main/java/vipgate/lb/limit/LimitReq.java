package vipgate.lb.limit;

import java.util.List;
import vipgate.lb.http.RequestVariables;

/**
 * nginx's {@code limit_req zone=NAME [burst=N] [nodelay | delay=N]} of a server or location: requests over the
 * zone's rate up to {@code burst} are let through ({@code delay} of them at once, the rest paced at the rate), more
 * are refused. Immutable.
 */
public record LimitReq(LimitZone zone, int burst, int delay) {

    /**
     * Takes a request against every limit in order: -1 when one refuses it (the limits before it have already
     * counted it; nginx counts a refused request in none), else the longest wait of them in milliseconds. An empty
     * key is not limited, as in nginx.
     */
    public static long take(List<LimitReq> limits, RequestVariables vars, long nowMillis) {
        long wait = 0;
        for (LimitReq l : limits) {
            String key = l.zone().key().evaluate(vars);
            if (key.isEmpty()) {
                continue;
            }
            long w = l.zone().take(key, nowMillis, l.burst(), l.delay());
            if (w < 0) {
                return -1;
            }
            wait = Math.max(wait, w);
        }
        return wait;
    }
}
