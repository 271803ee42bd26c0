package vipgate.ipvs.netlink;

import java.util.Objects;

/**
 * A real server as a dump reports it.
 *
 * @param activeConnections established connections (ipvsadm ActiveConn)
 * @param inactiveConnections connections in any other state, e.g. TIME_WAIT (InActConn)
 * @param persistentConnections persistence templates pointing at this server (PersistConn)
 */
public record DestinationEntry(Destination destination, int activeConnections, int inactiveConnections,
        int persistentConnections, Stats stats) {
    public DestinationEntry {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(stats, "stats");
    }
}
