package vipgate.lb.config;

import java.time.Duration;

/** Upstream connection reuse: idle connections per event loop, idle timeout, requests per connection. */
public record KeepaliveSpec(int idle, Duration idleTimeout, int maxRequests) {
}
