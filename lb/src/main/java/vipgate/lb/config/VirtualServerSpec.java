package vipgate.lb.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vipgate.config.HostPort;

/**
 * nginx {@code server { listen ... [ssl]; server_name ...; rewrite ...; return ...; limit_req ...; limit_conn ...; allow/deny ...;
 * set_real_ip_from ...; location ... }}; {@code returns} is "" when the server has no return, {@code tls} empty for
 * plaintext, {@code proxyProtocol} nginx's {@code listen ... proxy_protocol}.
 */
public record VirtualServerSpec(List<HostPort> listen, List<String> serverNames, boolean isDefault,
        List<RewriteSpec> rewrites, String returns, LimitsSpec.Applied limits, List<String> access,
        RealIpSpec realIp, boolean proxyProtocol, List<LocationSpec> locations, Map<Integer, Path> errorPages,
        Optional<TlsSpec> tls) {

    /** nginx's set_real_ip_from, real_ip_header and real_ip_recursive. */
    public record RealIpSpec(List<String> from, String header, boolean recursive) {
    }
}
