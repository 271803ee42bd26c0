package vipgate.ipvs.netlink;

import java.util.Objects;

/** A service as a dump reports it: its settings and its counters. */
public record ServiceEntry(Service service, Stats stats) {
    public ServiceEntry {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(stats, "stats");
    }
}
