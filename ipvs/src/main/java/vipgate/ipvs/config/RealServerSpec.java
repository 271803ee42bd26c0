package vipgate.ipvs.config;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import vipgate.ipvs.netlink.Addresses;

/** One {@code real-servers} entry (keepalived real_server). */
public record RealServerSpec(InetAddress address, int port, int weight, int upperThreshold, int lowerThreshold,
        CheckSpec check, List<String> notifyUp, List<String> notifyDown) {

    public RealServerSpec {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(check, "check");
        notifyUp = List.copyOf(notifyUp);
        notifyDown = List.copyOf(notifyDown);
    }

    /** The port health checks probe: the check's own, else the real server's. */
    public int checkPort() {
        return check.port() != 0 ? check.port() : port;
    }

    @Override
    public String toString() {
        return Addresses.withPort(address, port);
    }
}
