package vipgate.ipvs.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import vipgate.health.HealthCheckSpec;
import vipgate.health.StatusRange;

/**
 * A real server's health check with keepalived's timing: probes {@code interval} (delay_loop) apart; after a
 * failure {@code retry} more tries {@code delayBeforeRetry} apart before the server counts as failed; the first
 * probe after a random delay up to {@code warmup}.
 *
 * @param port the port to probe (keepalived connect_port); 0 probes the real server's port
 */
public record CheckSpec(HealthCheckSpec.Type type, Duration interval, Duration connectTimeout, int retry,
        Duration delayBeforeRetry, Duration warmup, int port, String path, StatusRange expectStatus, String host,
        List<String> script) {

    public CheckSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(delayBeforeRetry, "delayBeforeRetry");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(expectStatus, "expectStatus");
        Objects.requireNonNull(host, "host");
        script = List.copyOf(script);
    }

    /** False for {@code type = none}: the real server is always up and nothing is probed. */
    public boolean enabled() {
        return type != HealthCheckSpec.Type.NONE;
    }

    /**
     * The shared checkers' spec for one probe. Rise and fall are 1: the retry logic of keepalived lives in
     * {@link vipgate.ipvs.health.CheckState}, not in the checker.
     */
    public HealthCheckSpec probe() {
        return new HealthCheckSpec(type, interval, connectTimeout, 1, 1, path, expectStatus, host, "", script);
    }
}
