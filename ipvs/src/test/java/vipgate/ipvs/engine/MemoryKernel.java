package vipgate.ipvs.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vipgate.ipvs.netlink.Daemon;
import vipgate.ipvs.netlink.Destination;
import vipgate.ipvs.netlink.DestinationEntry;
import vipgate.ipvs.netlink.IpvsException;
import vipgate.ipvs.netlink.IpvsKernel;
import vipgate.ipvs.netlink.IpvsRequest;
import vipgate.ipvs.netlink.KernelService;
import vipgate.ipvs.netlink.Service;
import vipgate.ipvs.netlink.ServiceEntry;
import vipgate.ipvs.netlink.ServiceKey;
import vipgate.ipvs.netlink.Stats;

/** The kernel's IPVS table in memory, answering requests as ip_vs_ctl.c does (EEXIST, ESRCH, ENOENT). */
final class MemoryKernel implements IpvsKernel {
    final Map<ServiceKey, Service> services = new LinkedHashMap<>();
    final Map<ServiceKey, List<Destination>> destinations = new LinkedHashMap<>();
    final Map<Daemon.State, Daemon> daemons = new LinkedHashMap<>();
    final List<String> log = new ArrayList<>();
    boolean closed;

    /** How often the whole table was read. */
    int tableReads;

    @Override
    public synchronized List<KernelService> table() {
        tableReads++;
        List<KernelService> out = new ArrayList<>();
        services.keySet().forEach(k -> out.add(entry(k)));
        return out;
    }

    @Override
    public synchronized Optional<KernelService> service(Service service) {
        return services.containsKey(service.key()) ? Optional.of(entry(service.key())) : Optional.empty();
    }

    private KernelService entry(ServiceKey k) {
        return new KernelService(new ServiceEntry(services.get(k), Stats.ZERO),
                destinations.get(k).stream().map(d -> new DestinationEntry(d, 0, 0, 0, Stats.ZERO)).toList());
    }

    @Override
    public synchronized void execute(IpvsRequest r) throws IpvsException {
        log.add(r.describe());
        Service s = r.service().orElse(null);
        switch (r.command()) {
            case NEW_SERVICE -> {
                check(!services.containsKey(s.key()), IpvsException.Reason.EXISTS);
                services.put(s.key(), s);
                destinations.put(s.key(), new ArrayList<>());
            }
            case SET_SERVICE -> {
                check(services.containsKey(s.key()), IpvsException.Reason.NO_SUCH_SERVICE);
                services.put(s.key(), s);
            }
            case DEL_SERVICE -> {
                check(services.remove(s.key()) != null, IpvsException.Reason.NO_SUCH_SERVICE);
                destinations.remove(s.key());
            }
            case NEW_DEST, SET_DEST, DEL_DEST -> {
                List<Destination> list = destinations.get(s.key());
                check(list != null, IpvsException.Reason.NO_SUCH_SERVICE);
                Destination d = r.destination().orElseThrow();
                int i = indexOf(list, d);
                switch (r.command()) {
                    case NEW_DEST -> {
                        check(i < 0, IpvsException.Reason.EXISTS);
                        list.add(d);
                    }
                    case SET_DEST -> {
                        check(i >= 0, IpvsException.Reason.NO_SUCH_DESTINATION);
                        list.set(i, d);
                    }
                    default -> {
                        check(i >= 0, IpvsException.Reason.NO_SUCH_DESTINATION);
                        list.remove(i);
                    }
                }
            }
            case NEW_DAEMON -> {
                Daemon d = r.daemon().orElseThrow();
                check(!daemons.containsKey(d.state()), IpvsException.Reason.EXISTS);
                daemons.put(d.state(), d);
            }
            case DEL_DAEMON -> check(daemons.remove(r.daemon().orElseThrow().state()) != null, IpvsException.Reason.NO_SUCH_SERVICE);
            case SET_CONFIG -> {
                // timeouts: nothing to model
            }
            default -> throw new IllegalArgumentException("not modelled: " + r.command());
        }
    }

    @Override
    public synchronized List<Daemon> daemons() {
        return List.copyOf(daemons.values());
    }

    @Override
    public void close() {
        closed = true;
    }

    synchronized List<Destination> destinationsOf(ServiceKey key) {
        return List.copyOf(destinations.getOrDefault(key, List.of()));
    }

    private static int indexOf(List<Destination> list, Destination d) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).sameServer(d)) {
                return i;
            }
        }
        return -1;
    }

    private static void check(boolean ok, IpvsException.Reason reason) throws IpvsException {
        if (!ok) {
            throw new IpvsException(reason, 0, reason.name(), null);
        }
    }
}
