package vipgate.lb.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import vipgate.config.HostPort;

/** nginx {@code server { listen ...; server_name ...; location ... }}. */
public record VirtualServerSpec(List<HostPort> listen, List<String> serverNames, boolean isDefault,
        List<LocationSpec> locations, Map<Integer, Path> errorPages) {
}
