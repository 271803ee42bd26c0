package vipgate.ipvs.reconcile;

import java.util.List;
import java.util.Objects;
import vipgate.ipvs.netlink.Destination;
import vipgate.ipvs.netlink.Service;

/** What one owned service should look like in the kernel: its settings and exactly these real servers. */
public record DesiredService(Service service, List<Destination> destinations) {
    public DesiredService {
        Objects.requireNonNull(service, "service");
        destinations = List.copyOf(destinations);
        for (int i = 0; i < destinations.size(); i++) {
            for (int j = i + 1; j < destinations.size(); j++) {
                if (destinations.get(i).sameServer(destinations.get(j))) {
                    throw new IllegalArgumentException("real server " + destinations.get(i) + " twice in " + service);
                }
            }
        }
    }
}
