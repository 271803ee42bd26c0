package vipgate.stream.config;

import java.time.Duration;
import vipgate.config.HostPort;

/** One server of a stream upstream (nginx {@code server ADDRESS weight=.. max_fails=.. ...;} inside an upstream). */
public record PeerSpec(HostPort address, int weight, int maxFails, Duration failTimeout, boolean backup, boolean down,
        int maxConns) {
}
