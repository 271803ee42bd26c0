package vipgate.appliance.admin;

import java.time.Duration;
import java.util.List;
import vipgate.config.HostPort;

/**
 * {@code vipgate.admin}: where the admin API listens, its token, the host names it answers to, and how long and
 * how many connections it keeps open.
 */
public record AdminConfig(HostPort listen, String token, List<String> serverNames, Duration requestTimeout,
        Duration idleTimeout, int maxConnections) {
}
