package vipgate.lb.config;

import java.time.Duration;
import java.util.Set;

/** nginx proxy_next_upstream, proxy_next_upstream_tries and proxy_next_upstream_timeout. */
public record NextUpstreamSpec(Set<RetryOn> on, int tries, Duration timeout, boolean nonIdempotent) {

    /** A condition under which the request goes to the next server. */
    public enum RetryOn {
        ERROR, TIMEOUT, INVALID_HEADER, HTTP_500, HTTP_502, HTTP_503, HTTP_504, HTTP_429, OFF;

        /** The condition for an upstream status, or null when a status is never retried. */
        public static RetryOn forStatus(int status) {
            return switch (status) {
                case 500 -> HTTP_500;
                case 502 -> HTTP_502;
                case 503 -> HTTP_503;
                case 504 -> HTTP_504;
                case 429 -> HTTP_429;
                default -> null;
            };
        }
    }

    public boolean retries(RetryOn condition) {
        return condition != null && on.contains(condition);
    }
}
