package vipgate.stream.config;

import java.time.Duration;
import java.util.List;
import vipgate.config.HostPort;

/**
 * One stream server block (nginx stream {@code server { listen ...; proxy_pass NAME; proxy_* ...; }}): where it
 * listens, the upstream its sessions go to and how they get there.
 *
 * @param timeout the idle timeout of an established session (nginx proxy_timeout)
 */
public record ListenerSpec(List<HostPort> listen, String proxyPass, Duration connectTimeout, Duration timeout,
        NextUpstreamSpec nextUpstream) {
}
