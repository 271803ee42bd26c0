package vipgate.lb.config;

import java.time.Duration;

/**
 * Upstream connection reuse: idle connections per event loop, idle timeout, requests per connection, and how long
 * connections beyond {@code idle} (left by a burst) may idle before they close.
 */
public record KeepaliveSpec(int idle, Duration idleTimeout, int maxRequests, Duration surplusTimeout) {
}
