package vipgate.ipvs.config;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/** {@code real-server-mode}: this box is a DR real server for {@code virtualAddresses}, held on {@code interfaceName}. */
public record RealServerModeSpec(List<InetAddress> virtualAddresses, String interfaceName) {
    public RealServerModeSpec {
        virtualAddresses = List.copyOf(virtualAddresses);
        Objects.requireNonNull(interfaceName, "interfaceName");
    }

    public boolean enabled() {
        return !virtualAddresses.isEmpty();
    }
}
