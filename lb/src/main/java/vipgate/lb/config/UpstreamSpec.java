package vipgate.lb.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import vipgate.health.HealthCheckSpec;
import vipgate.balance.Algorithm;

/**
 * A named group of servers (nginx {@code upstream NAME { ... }}) and how requests reach them: plaintext, or TLS when
 * {@code tls} is present (nginx {@code proxy_pass https://}); {@code sendProxy}: the PROXY protocol header its
 * connections start with (HAProxy's send-proxy, send-proxy-v2).
 */
public record UpstreamSpec(String name, Algorithm algorithm, String hashKey, List<ServerSpec> servers,
        KeepaliveSpec keepalive, NextUpstreamSpec nextUpstream, Duration connectTimeout, Duration readTimeout,
        Duration sendTimeout, HealthCheckSpec healthCheck, Optional<UpstreamTlsSpec> tls, SendProxy sendProxy) {

    public enum SendProxy { OFF, V1, V2 }
}
