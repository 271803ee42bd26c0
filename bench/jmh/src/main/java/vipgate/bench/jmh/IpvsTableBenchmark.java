package vipgate.bench.jmh;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import vipgate.ipvs.netlink.AddressFamily;
import vipgate.ipvs.netlink.Destination;
import vipgate.ipvs.netlink.DestinationEntry;
import vipgate.ipvs.netlink.Forwarding;
import vipgate.ipvs.netlink.IpvsCodec;
import vipgate.ipvs.netlink.IpvsRequest;
import vipgate.ipvs.netlink.KernelService;
import vipgate.ipvs.netlink.Protocol;
import vipgate.ipvs.netlink.Service;
import vipgate.ipvs.netlink.ServiceEntry;
import vipgate.ipvs.netlink.ServiceKey;
import vipgate.ipvs.netlink.Stats;
import vipgate.ipvs.reconcile.DesiredService;
import vipgate.ipvs.reconcile.Operation;
import vipgate.ipvs.reconcile.Reconciler;
import vipgate.netlink.genl.GenericNetlink;
import vipgate.netlink.message.Attribute;
import vipgate.netlink.message.NetlinkMessage;

/**
 * The Java side of the ipvs engine's work on the IpvsVmIT table (1,000 services x 10 real servers), without a
 * kernel: what a reconciliation costs in the JVM besides the system calls. The VM lab measures it under qemu TCG,
 * where every instruction is emulated; this is the same work on the real CPU.
 *
 * <ul>
 *   <li>{@code encodeFullTable}: the 11,000 NEW_SERVICE/NEW_DEST messages of a first programming, encoded;</li>
 *   <li>{@code parseDestinationDumps}: the 1,000 destination dumps of a table read-back, parsed (replies
 *       made with the request encoder plus a STATS64 nest, about the kernel's size);</li>
 *   <li>{@code planOnePercentChange}: the plan of a reload that changes 100 weights.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IpvsTableBenchmark {
    private static final int SERVICES = 1000;
    private static final int REAL_SERVERS = 10;
    private static final int IPVS_FAMILY_ID = 0x20;

    private List<DesiredService> table;
    private List<DesiredService> changed;
    private List<KernelService> kernel;
    private List<byte[]> destinationDumps;

    @Setup
    public void setUp() throws UnknownHostException {
        table = new ArrayList<>();
        changed = new ArrayList<>();
        kernel = new ArrayList<>();
        destinationDumps = new ArrayList<>();
        for (int s = 0; s < SERVICES; s++) {
            Service service = Service.of(ServiceKey.of(Protocol.TCP,
                    InetAddress.getByName("10.5." + s / 250 + "." + (s % 250 + 1)), 80), "wrr");
            List<Destination> destinations = new ArrayList<>();
            for (int d = 1; d <= REAL_SERVERS; d++) {
                destinations.add(Destination.of(InetAddress.getByName("10.6.0." + d), 80, Forwarding.DIRECT_ROUTE, 1));
            }
            table.add(new DesiredService(service, destinations));
            List<Destination> reweighted = new ArrayList<>(destinations);
            if (s % 10 == 0) {
                reweighted.set(0, reweighted.get(0).withWeight(2));
            }
            changed.add(new DesiredService(service, reweighted));
            kernel.add(new KernelService(new ServiceEntry(service, Stats.ZERO),
                    destinations.stream().map(d -> new DestinationEntry(d, 0, 0, 0, Stats.ZERO)).toList()));
            destinationDumps.add(dumpReply(service, destinations));
        }
    }

    /** One datagram as the kernel answers a destination dump: a NEW_DEST message per real server. */
    private static byte[] dumpReply(Service service, List<Destination> destinations) {
        ByteArrayOutputStream datagram = new ByteArrayOutputStream();
        for (Destination d : destinations) {
            Attribute request = IpvsCodec.newDestination(service, d).attributes().get(1);
            List<Attribute> fields = new ArrayList<>(request.asNested().list());
            Attribute[] stats = new Attribute[10];
            for (int i = 0; i < stats.length; i++) {
                stats[i] = Attribute.u64(i + 1, 1_000_000L * (i + 1));
            }
            fields.add(Attribute.nested(12, stats)); // DEST_ATTR_STATS64
            byte[] message = GenericNetlink.message(IPVS_FAMILY_ID, 5, IpvsCodec.VERSION,
                    Attribute.nested(request.type(), fields.toArray(Attribute[]::new))).encode();
            datagram.writeBytes(message);
        }
        return datagram.toByteArray();
    }

    @Benchmark
    public int encodeFullTable() {
        int bytes = 0;
        for (Operation op : Reconciler.plan(table, List.of(), Set.of())) {
            IpvsRequest r = op.request();
            bytes += GenericNetlink.message(IPVS_FAMILY_ID, r.command().code(), IpvsCodec.VERSION,
                    r.attributes().toArray(Attribute[]::new)).encode().length;
        }
        return bytes;
    }

    @Benchmark
    public int parseDestinationDumps() {
        int weights = 0;
        for (byte[] datagram : destinationDumps) {
            for (NetlinkMessage m : NetlinkMessage.parseAll(datagram, datagram.length)) {
                weights += IpvsCodec.parseDestination(m.attributes(4), AddressFamily.INET).destination().weight();
            }
        }
        return weights;
    }

    @Benchmark
    public List<Operation> planOnePercentChange() {
        return Reconciler.plan(changed, kernel, Set.of());
    }
}
