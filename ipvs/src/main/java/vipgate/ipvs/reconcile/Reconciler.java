package vipgate.ipvs.reconcile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import vipgate.ipvs.netlink.Destination;
import vipgate.ipvs.netlink.DestinationEntry;
import vipgate.ipvs.netlink.Forwarding;
import vipgate.ipvs.netlink.KernelService;
import vipgate.ipvs.netlink.ServiceKey;

/**
 * The minimal ordered list of operations that turns the kernel's table into the desired one, for the services
 * vipgate owns only. Pure: the same inputs give the same plan, and applying a plan then planning again against
 * the result gives nothing (tested with random tables).
 *
 * <p>Order: services that are no longer wanted go first; then, service by service, the service is created or
 * changed, real servers are added, changed, and only then removed, so a service that swaps its real servers
 * (e.g. for its sorry server) is never empty in between.
 */
public final class Reconciler {
    private Reconciler() {
    }

    /**
     * @param desired the services vipgate wants, each with exactly its real servers; all of them are owned
     * @param actual the kernel's table as dumped
     * @param alsoOwned services vipgate created earlier and may delete when they are no longer desired (those of
     *        the configuration before a reload); any other service of the table is never touched
     */
    public static List<Operation> plan(List<DesiredService> desired, List<KernelService> actual, Set<ServiceKey> alsoOwned) {
        Map<ServiceKey, KernelService> kernel = new LinkedHashMap<>();
        actual.forEach(k -> kernel.put(k.service().key(), k));
        Map<ServiceKey, DesiredService> wanted = new LinkedHashMap<>();
        for (DesiredService d : desired) {
            if (wanted.put(d.service().key(), d) != null) {
                throw new IllegalArgumentException("service " + d.service().key() + " desired twice");
            }
        }
        List<Operation> plan = new ArrayList<>();
        for (KernelService k : actual) {
            ServiceKey key = k.service().key();
            if (alsoOwned.contains(key) && !wanted.containsKey(key)) {
                plan.add(new Operation.DeleteService(k.service()));
            }
        }
        for (DesiredService d : desired) {
            KernelService k = kernel.get(d.service().key());
            List<DestinationEntry> present = List.of();
            if (k == null) {
                plan.add(new Operation.AddService(d.service()));
            } else {
                if (!k.service().equals(d.service())) {
                    plan.add(new Operation.EditService(d.service()));
                }
                present = k.destinations();
            }
            planDestinations(d, present, plan);
        }
        return plan;
    }

    private static void planDestinations(DesiredService d, List<DestinationEntry> present, List<Operation> plan) {
        List<Operation> edits = new ArrayList<>();
        for (Destination want : d.destinations()) {
            Optional<Destination> have = present.stream().map(DestinationEntry::destination).filter(want::sameServer).findFirst();
            if (have.isEmpty()) {
                plan.add(new Operation.AddDestination(d.service(), want));
            } else if (!same(want, have.get())) {
                edits.add(new Operation.EditDestination(d.service(), want));
            }
        }
        plan.addAll(edits);
        for (DestinationEntry e : present) {
            if (d.destinations().stream().noneMatch(e.destination()::sameServer)) {
                plan.add(new Operation.DeleteDestination(d.service(), e.destination()));
            }
        }
    }

    /**
     * Equal as far as the kernel lets us say: it reports LOCAL instead of the method written for a real server that
     * is an address of this box, whatever was asked for, so LOCAL matches any method.
     */
    static boolean same(Destination want, Destination have) {
        if (have.forwarding() == Forwarding.LOCAL && want.forwarding() != Forwarding.LOCAL) {
            return want.equals(new Destination(have.address(), have.port(), want.forwarding(), have.weight(),
                    have.upperThreshold(), have.lowerThreshold(), want.tunnel()));
        }
        return want.equals(have);
    }
}
