package vipgate.lb.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import vipgate.config.HostPort;

/**
 * nginx {@code server { listen ...; server_name ...; rewrite ...; return ...; location ... }}; {@code returns} is ""
 * when the server has no return.
 */
public record VirtualServerSpec(List<HostPort> listen, List<String> serverNames, boolean isDefault,
        List<RewriteSpec> rewrites, String returns, List<LocationSpec> locations, Map<Integer, Path> errorPages) {
}
