package vipgate.ipvs.config;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import vipgate.ipvs.netlink.Forwarding;
import vipgate.ipvs.netlink.Service;
import vipgate.ipvs.netlink.Tunnel;

/**
 * One {@code virtual-servers} entry (keepalived virtual_server): the kernel service it asks for, its real servers,
 * and keepalived's rules for which of them are in the table.
 *
 * @param quorum live weight needed for the service to have quorum
 * @param sorryServer put in the table while quorum is lost
 * @param sorryServerInhibit keep the sorry server in the table at weight 0 while unused
 */
public record VirtualServerSpec(Service service, Forwarding forwarding, Tunnel tunnel, List<RealServerSpec> realServers,
        int quorum, int hysteresis, Optional<SorryServer> sorryServer, boolean sorryServerInhibit,
        boolean inhibitOnFailure, boolean alpha, boolean omega, List<String> notifyQuorumUp,
        List<String> notifyQuorumDown) {

    /** keepalived sorry_server. */
    public record SorryServer(InetAddress address, int port) {
        public SorryServer {
            Objects.requireNonNull(address, "address");
        }
    }

    public VirtualServerSpec {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(forwarding, "forwarding");
        Objects.requireNonNull(tunnel, "tunnel");
        Objects.requireNonNull(sorryServer, "sorryServer");
        realServers = List.copyOf(realServers);
        notifyQuorumUp = List.copyOf(notifyQuorumUp);
        notifyQuorumDown = List.copyOf(notifyQuorumDown);
    }

    @Override
    public String toString() {
        return service.toString();
    }
}
