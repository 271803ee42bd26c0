package vipgate.stream.config;

import java.time.Duration;

/**
 * nginx stream proxy_next_upstream (on|off), proxy_next_upstream_tries and proxy_next_upstream_timeout: whether a
 * connect that failed or timed out is tried on the next server, at most {@code tries} servers in all (0: every
 * server), within {@code timeout} of the session's start (0: no limit).
 */
public record NextUpstreamSpec(boolean enabled, int tries, Duration timeout) {
}
