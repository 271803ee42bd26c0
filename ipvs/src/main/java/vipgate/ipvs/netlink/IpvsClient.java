package vipgate.ipvs.netlink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import vipgate.netlink.NetlinkBatchException;
import vipgate.netlink.NetlinkException;
import vipgate.netlink.genl.FamilyNotFoundException;
import vipgate.netlink.genl.GenericNetlink;
import vipgate.netlink.genl.GenlMessage;
import vipgate.netlink.message.Attribute;
import vipgate.netlink.message.NetlinkMessage;

/**
 * Talks to the kernel's IPVS over generic netlink: sends what {@link IpvsCodec} builds and parses what comes back.
 * Deliberately thin (every byte is decided and tested in the codec); it can only run where ip_vs is loaded, i.e.
 * in the VM lab. Thread-safe: exchanges queue on one socket, in the network namespace of the thread that opened it.
 */
public final class IpvsClient implements IpvsKernel {
    private final GenericNetlink genl;
    private final int familyId;

    private IpvsClient(GenericNetlink genl, int familyId) {
        this.genl = genl;
        this.familyId = familyId;
    }

    /**
     * @throws IpvsNotAvailableException when the kernel has no IPVS family (ip_vs not loaded or not built)
     */
    public static IpvsClient open() throws IOException {
        GenericNetlink genl = GenericNetlink.open();
        try {
            return new IpvsClient(genl, genl.resolveFamily(IpvsCodec.FAMILY).id());
        } catch (FamilyNotFoundException e) {
            genl.close();
            throw new IpvsNotAvailableException(e);
        } catch (IOException | RuntimeException e) {
            genl.close();
            throw e;
        }
    }

    /** Sends a command that changes the table (NEW/SET/DEL_*, daemons, SET_CONFIG, ZERO, FLUSH) and waits for its ACK. */
    @Override
    public void execute(IpvsRequest request) throws IpvsException {
        request(request);
    }

    /**
     * Like {@link #execute} for each, but several requests per system call (NetlinkSocket#requestAll): a table of
     * thousands of changes is programmed with a few hundred sends.
     */
    @Override
    public void executeAll(List<IpvsRequest> requests) throws IpvsException {
        List<NetlinkMessage> messages = new ArrayList<>(requests.size());
        for (IpvsRequest r : requests) {
            messages.add(GenericNetlink.message(familyId, r.command().code(), IpvsCodec.VERSION,
                    r.attributes().toArray(Attribute[]::new)));
        }
        try {
            genl.requestAll(messages, i -> requests.get(i).describe());
        } catch (NetlinkBatchException e) {
            throw IpvsException.of(requests.get(e.index()), e);
        } catch (IOException e) {
            throw new IpvsException(IpvsException.Reason.OTHER, 0, requests.size() + " IPVS changes: " + e.getMessage(), e);
        }
    }

    /** Every service of the table, each with its real servers (one service dump, then one destination dump per service). */
    @Override
    public List<KernelService> table() throws IpvsException {
        List<KernelService> table = new ArrayList<>();
        for (ServiceEntry entry : services()) {
            table.add(new KernelService(entry, destinations(entry.service())));
        }
        return table;
    }

    /** One GET_SERVICE and one destination dump, where {@link #table} needs one dump per service of the kernel. */
    @Override
    public Optional<KernelService> service(Service service) throws IpvsException {
        ServiceEntry entry;
        try {
            entry = IpvsCodec.parseService(single(IpvsCodec.getService(service)).attributes());
        } catch (IpvsException e) {
            if (e.reason() == IpvsException.Reason.NO_SUCH_SERVICE) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.of(new KernelService(entry, destinations(entry.service())));
    }

    public List<ServiceEntry> services() throws IpvsException {
        return dump(IpvsCodec.dumpServices()).stream().map(m -> IpvsCodec.parseService(m.attributes())).toList();
    }

    public List<DestinationEntry> destinations(Service service) throws IpvsException {
        return dump(IpvsCodec.dumpDestinations(service)).stream()
                .map(m -> IpvsCodec.parseDestination(m.attributes(), service.key().family())).toList();
    }

    @Override
    public List<Daemon> daemons() throws IpvsException {
        return dump(IpvsCodec.dumpDaemons()).stream().map(m -> IpvsCodec.parseDaemon(m.attributes())).toList();
    }

    public Timeouts timeouts() throws IpvsException {
        return IpvsCodec.parseTimeouts(single(IpvsCodec.getTimeouts()).attributes());
    }

    public Info info() throws IpvsException {
        return IpvsCodec.parseInfo(single(IpvsCodec.getInfo()).attributes());
    }

    /** Zeroes the counters of {@code service}, or of every service when empty. */
    public void zero(Optional<Service> service) throws IpvsException {
        execute(IpvsCodec.zero(service));
    }

    @Override
    public void close() {
        genl.close();
    }

    private GenlMessage single(IpvsRequest request) throws IpvsException {
        List<GenlMessage> replies = request(request);
        if (replies.isEmpty()) {
            throw new IpvsException(IpvsException.Reason.OTHER, 0, request.describe() + ": the kernel sent no reply", null);
        }
        return replies.get(0);
    }

    private List<GenlMessage> request(IpvsRequest request) throws IpvsException {
        return exchange(request, attributes -> genl.request(familyId, request.command().code(), IpvsCodec.VERSION, attributes));
    }

    private List<GenlMessage> dump(IpvsRequest request) throws IpvsException {
        return exchange(request, attributes -> genl.dump(familyId, request.command().code(), IpvsCodec.VERSION, attributes));
    }

    /** One request/ACK or dump exchange, with the kernel's errors explained in IPVS terms. */
    private static List<GenlMessage> exchange(IpvsRequest request, Exchange exchange) throws IpvsException {
        try {
            return exchange.run(request.attributes().toArray(Attribute[]::new));
        } catch (NetlinkException e) {
            throw IpvsException.of(request, e);
        } catch (IOException e) {
            throw new IpvsException(IpvsException.Reason.OTHER, 0, request.describe() + ": " + e.getMessage(), e);
        }
    }

    private interface Exchange {
        List<GenlMessage> run(Attribute[] attributes) throws IOException;
    }
}
