package vipgate.health;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import vipgate.config.Section;

/**
 * One {@code health-check { }} block, as written under an lb upstream, a vrrp track script or an ipvs
 * real server. Defaults and per-key documentation live in reference.conf under
 * {@code vipgate-defaults.health-check}.
 *
 * @param expectStatus statuses counted as healthy by {@code http} checks
 * @param host the {@code Host} header of {@code http} checks; empty means the target's address
 * @param bodyContains text an {@code http} response body must contain; empty for no body check
 * @param script the command of {@code script} checks, run without a shell
 */
public record HealthCheckSpec(Type type, Duration interval, Duration timeout, int rise, int fall, String path,
        StatusRange expectStatus, String host, String bodyContains, List<String> script) {

    /** What a probe does. */
    public enum Type { NONE, TCP, HTTP, SCRIPT }

    /** Where other modules find the element template, e.g. for {@code Section.elementDefaults}. */
    public static final String DEFAULTS_PATH = "vipgate-defaults.health-check";

    public HealthCheckSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(expectStatus, "expectStatus");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(bodyContains, "bodyContains");
        script = List.copyOf(script);
    }

    /** False for {@code type = none}: the target is taken as always up and nothing is probed. */
    public boolean enabled() {
        return type != Type.NONE;
    }

    /**
     * Reads every key of the block, so the section itself reports unknown (misspelt) keys, and records a
     * problem for each invalid value; the returned spec then holds usable fallbacks.
     */
    public static HealthCheckSpec bind(Section s) {
        Type type = s.enumValue("type", Type.class);
        Duration interval = positive(s, "interval");
        Duration timeout = positive(s, "timeout");
        if (!interval.isZero() && !timeout.isZero() && timeout.compareTo(interval) > 0) {
            // A probe longer than the interval would make interval meaningless (probes never overlap).
            s.problem("timeout", "must not exceed interval (" + Details.duration(interval) + "), got " + Details.duration(timeout)
                    + "; raise interval or lower timeout");
        }
        int rise = atLeastOne(s, "rise");
        int fall = atLeastOne(s, "fall");
        String path = s.string("path");
        if (!path.startsWith("/") || path.chars().anyMatch(Character::isWhitespace)) {
            s.problem("path", "must start with / and contain no spaces, e.g. \"/healthz\"; got '" + path + "'");
            path = "/";
        }
        StatusRange expectStatus;
        try {
            expectStatus = StatusRange.parse(s.string("expect-status"));
        } catch (IllegalArgumentException e) {
            s.problem("expect-status", e.getMessage());
            expectStatus = StatusRange.parse("200-399");
        }
        String host = s.string("host");
        if (host.chars().anyMatch(Character::isWhitespace)) {
            s.problem("host", "must be a host name such as \"www.example.com\", got '" + host + "'");
            host = "";
        }
        String bodyContains = s.string("body-contains");
        List<String> script = s.strings("script");
        if (type == Type.SCRIPT && (script.isEmpty() || script.get(0).isBlank())) {
            s.problem("script", "type = script needs a command, e.g. script = [\"/etc/vipgate/check-app.sh\", \"--quick\"]");
        }
        return new HealthCheckSpec(type, interval, timeout, rise, fall, path, expectStatus, host, bodyContains, script);
    }

    private static Duration positive(Section s, String key) {
        Duration d = s.duration(key);
        if (d.isZero()) {
            s.problem(key, "must be greater than 0, e.g. 2s or 500ms");
        }
        return d;
    }

    private static int atLeastOne(Section s, String key) {
        int n = s.integer(key);
        if (n < 1) {
            s.problem(key, "must be at least 1, got " + n);
            return 1;
        }
        return n;
    }
}
