package vipgate.lb.config;

import java.time.Duration;
import java.util.List;
import vipgate.health.HealthCheckSpec;
import vipgate.balance.Algorithm;

/**
 * A named group of servers (nginx {@code upstream NAME { ... }}) and how requests reach them; {@code sendProxy}: the
 * PROXY protocol header its connections start with (HAProxy's send-proxy, send-proxy-v2).
 */
public record UpstreamSpec(String name, Algorithm algorithm, String hashKey, List<ServerSpec> servers,
        KeepaliveSpec keepalive, NextUpstreamSpec nextUpstream, Duration connectTimeout, Duration readTimeout,
        Duration sendTimeout, HealthCheckSpec healthCheck, SendProxy sendProxy) {

    public enum SendProxy { OFF, V1, V2 }
}
