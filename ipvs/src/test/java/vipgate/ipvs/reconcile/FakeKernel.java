package vipgate.ipvs.reconcile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vipgate.ipvs.netlink.Destination;
import vipgate.ipvs.netlink.DestinationEntry;
import vipgate.ipvs.netlink.KernelService;
import vipgate.ipvs.netlink.Service;
import vipgate.ipvs.netlink.ServiceEntry;
import vipgate.ipvs.netlink.ServiceKey;
import vipgate.ipvs.netlink.Stats;

/** An IPVS table in memory with the kernel's refusals (EEXIST, ESRCH, ENOENT) as exceptions, for planning tests. */
final class FakeKernel {
    private final Map<ServiceKey, Service> services = new LinkedHashMap<>();
    private final Map<ServiceKey, List<Destination>> destinations = new LinkedHashMap<>();

    FakeKernel(List<KernelService> table) {
        for (KernelService k : table) {
            services.put(k.service().key(), k.service());
            destinations.put(k.service().key(), new ArrayList<>(k.destinations().stream().map(DestinationEntry::destination).toList()));
        }
    }

    void apply(List<Operation> plan) {
        plan.forEach(this::apply);
    }

    void apply(Operation op) {
        if (op instanceof Operation.AddService a) {
            require(!services.containsKey(a.service().key()), "EEXIST " + op);
            services.put(a.service().key(), a.service());
            destinations.put(a.service().key(), new ArrayList<>());
        } else if (op instanceof Operation.EditService e) {
            require(services.containsKey(e.service().key()), "ESRCH " + op);
            services.put(e.service().key(), e.service());
        } else if (op instanceof Operation.DeleteService d) {
            require(services.remove(d.service().key()) != null, "ESRCH " + op);
            destinations.remove(d.service().key());
        } else if (op instanceof Operation.AddDestination a) {
            List<Destination> list = destinationsOf(a.service());
            require(list.stream().noneMatch(a.destination()::sameServer), "EEXIST " + op);
            list.add(a.destination());
        } else if (op instanceof Operation.EditDestination e) {
            List<Destination> list = destinationsOf(e.service());
            int i = indexOf(list, e.destination());
            list.set(i, e.destination());
        } else if (op instanceof Operation.DeleteDestination d) {
            List<Destination> list = destinationsOf(d.service());
            list.remove(indexOf(list, d.destination()));
        }
    }

    List<KernelService> table() {
        List<KernelService> out = new ArrayList<>();
        services.forEach((key, s) -> out.add(new KernelService(new ServiceEntry(s, Stats.ZERO),
                destinations.get(key).stream().map(d -> new DestinationEntry(d, 0, 0, 0, Stats.ZERO)).toList())));
        return out;
    }

    private List<Destination> destinationsOf(Service service) {
        List<Destination> list = destinations.get(service.key());
        require(list != null, "ESRCH no such service " + service);
        return list;
    }

    private static int indexOf(List<Destination> list, Destination d) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).sameServer(d)) {
                return i;
            }
        }
        throw new IllegalStateException("ENOENT no real server " + d);
    }

    private static void require(boolean ok, String error) {
        if (!ok) {
            throw new IllegalStateException(error);
        }
    }
}
