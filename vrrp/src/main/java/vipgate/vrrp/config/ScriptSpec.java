package vipgate.vrrp.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A named check script ({@code vipgate.vrrp.scripts.NAME}, keepalived {@code vrrp_script}).
 *
 * @param command the command and its arguments, run without a shell
 * @param timeout already resolved: keepalived's timeout 0 means the interval
 * @param weight the default weight where an instance tracks it without one
 * @param initFail start FAILED instead of undecided
 */
public record ScriptSpec(String name, List<String> command, Duration interval, Duration timeout, int weight, int rise, int fall,
        boolean initFail) {

    public ScriptSpec {
        Objects.requireNonNull(name, "name");
        command = List.copyOf(command);
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
    }
}
