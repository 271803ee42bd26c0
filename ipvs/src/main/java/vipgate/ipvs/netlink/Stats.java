package vipgate.ipvs.netlink;

/**
 * Traffic counters of a service or real server (STATS64; totals since creation or the last ZERO) and the
 * kernel's estimated rates (per second, averaged over a few seconds).
 */
public record Stats(long connections, long inPackets, long outPackets, long inBytes, long outBytes,
        long connectionsPerSecond, long inPacketsPerSecond, long outPacketsPerSecond, long inBytesPerSecond,
        long outBytesPerSecond) {
    public static final Stats ZERO = new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
