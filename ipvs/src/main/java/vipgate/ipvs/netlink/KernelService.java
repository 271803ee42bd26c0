package vipgate.ipvs.netlink;

import java.util.List;
import java.util.Objects;

/** A service of the kernel's table with its real servers, as read by a service dump and one destination dump per service. */
public record KernelService(ServiceEntry entry, List<DestinationEntry> destinations) {
    public KernelService {
        Objects.requireNonNull(entry, "entry");
        destinations = List.copyOf(destinations);
    }

    public Service service() {
        return entry.service();
    }
}
