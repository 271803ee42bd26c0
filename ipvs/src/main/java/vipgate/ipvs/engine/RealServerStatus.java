package vipgate.ipvs.engine;

import java.util.List;

/**
 * One virtual server as the admin API shows it.
 *
 * @param realServers each real server with its health ("up"/"down") and the last probe's detail
 */
public record RealServerStatus(String service, boolean quorum, List<RealServer> realServers) {
    public RealServerStatus {
        realServers = List.copyOf(realServers);
    }

    public record RealServer(String address, boolean up, String lastProbe) {
    }
}
