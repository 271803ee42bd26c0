package vipgate.lb.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vipgate.config.HostPort;

/** nginx {@code server { listen ... [ssl]; server_name ...; location ... }}; {@code tls} empty for plaintext. */
public record VirtualServerSpec(List<HostPort> listen, List<String> serverNames, boolean isDefault,
        List<LocationSpec> locations, Map<Integer, Path> errorPages, Optional<TlsSpec> tls) {
}
