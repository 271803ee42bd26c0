package vipgate.lb.config;

import java.time.Duration;
import vipgate.config.HostPort;

/** One upstream server (nginx {@code server ADDRESS weight=.. max_fails=.. ...;} inside an upstream). */
public record ServerSpec(HostPort address, int weight, int maxFails, Duration failTimeout, boolean backup,
        boolean down, int maxConns) {
}
