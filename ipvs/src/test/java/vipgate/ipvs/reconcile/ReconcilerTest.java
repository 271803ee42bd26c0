package vipgate.ipvs.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import vipgate.ipvs.netlink.Destination;
import vipgate.ipvs.netlink.DestinationEntry;
import vipgate.ipvs.netlink.Forwarding;
import vipgate.ipvs.netlink.KernelService;
import vipgate.ipvs.netlink.Protocol;
import vipgate.ipvs.netlink.Service;
import vipgate.ipvs.netlink.ServiceEntry;
import vipgate.ipvs.netlink.ServiceKey;
import vipgate.ipvs.netlink.Stats;

class ReconcilerTest {
    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Service web(int port, String scheduler) {
        return Service.of(ServiceKey.of(Protocol.TCP, ip("192.168.1.120"), port), scheduler);
    }

    static Destination dr(String address, int weight) {
        return Destination.of(ip(address), 80, Forwarding.DIRECT_ROUTE, weight);
    }

    static KernelService kernel(Service s, Destination... ds) {
        return new KernelService(new ServiceEntry(s, Stats.ZERO),
                List.of(ds).stream().map(d -> new DestinationEntry(d, 3, 4, 0, Stats.ZERO)).toList());
    }

    @Test
    void emptyKernelGetsServiceThenItsRealServers() {
        DesiredService want = new DesiredService(web(80, "wrr"), List.of(dr("10.0.0.3", 1), dr("10.0.0.4", 5)));
        assertThat(Reconciler.plan(List.of(want), List.of(), Set.of())).containsExactly(
                new Operation.AddService(web(80, "wrr")),
                new Operation.AddDestination(web(80, "wrr"), dr("10.0.0.3", 1)),
                new Operation.AddDestination(web(80, "wrr"), dr("10.0.0.4", 5)));
    }

    @Test
    void onlyTheDifferenceIsApplied() {
        Service wanted = web(80, "wrr").withPersistence(50, 0xffffffff);
        DesiredService want = new DesiredService(wanted, List.of(dr("10.0.0.3", 2), dr("10.0.0.5", 1)));
        List<KernelService> actual = List.of(kernel(web(80, "wrr"), dr("10.0.0.3", 1), dr("10.0.0.4", 5)));
        assertThat(Reconciler.plan(List.of(want), actual, Set.of())).containsExactly(
                new Operation.EditService(wanted),
                new Operation.AddDestination(wanted, dr("10.0.0.5", 1)),      // adds first,
                new Operation.EditDestination(wanted, dr("10.0.0.3", 2)),     // then changes,
                new Operation.DeleteDestination(wanted, dr("10.0.0.4", 5)));  // removals last: never empty between
        assertThat(Reconciler.plan(List.of(want), List.of(kernel(wanted, dr("10.0.0.3", 2), dr("10.0.0.5", 1))), Set.of()))
                .isEmpty();
    }

    @Test
    void servicesNotOwnedAreNeverTouchedAndFormerlyOwnedOnesGo() {
        KernelService foreign = kernel(web(443, "rr"), dr("10.0.0.9", 1));
        KernelService former = kernel(web(8080, "wlc"), dr("10.0.0.3", 1));
        DesiredService want = new DesiredService(web(80, "wrr"), List.of());
        List<Operation> plan = Reconciler.plan(List.of(want), List.of(foreign, former, kernel(web(80, "wrr"))),
                Set.of(web(8080, "wlc").key()));
        assertThat(plan).containsExactly(new Operation.DeleteService(web(8080, "wlc")));
        assertThat(Reconciler.plan(List.of(), List.of(foreign), Set.of())).isEmpty();
    }

    @Test
    void aRealServerLocalToTheDirectorReadsBackAsLocalAndStillMatches() {
        Destination asked = dr("10.0.0.1", 1);
        Destination reported = Destination.of(ip("10.0.0.1"), 80, Forwarding.LOCAL, 1);
        assertThat(Reconciler.plan(List.of(new DesiredService(web(80, "rr"), List.of(asked))),
                List.of(kernel(web(80, "rr"), reported)), Set.of())).isEmpty();
        assertThat(Reconciler.plan(List.of(new DesiredService(web(80, "rr"), List.of(asked.withWeight(2)))),
                List.of(kernel(web(80, "rr"), reported)), Set.of()))
                .containsExactly(new Operation.EditDestination(web(80, "rr"), asked.withWeight(2)));
    }

    /**
     * Random desired and actual tables over a small space (so keys and real servers collide often): one plan,
     * applied to a kernel model that refuses what the kernel refuses, converges; planning again yields nothing;
     * services that are not owned come out untouched.
     */
    @Test
    void randomTablesConvergeInOnePass() {
        Random random = new Random(20240605);
        for (int round = 0; round < 3000; round++) {
            List<KernelService> actual = new ArrayList<>();
            Map<ServiceKey, Service> actualKeys = new java.util.HashMap<>();
            for (int i = random.nextInt(5); i > 0; i--) {
                Service s = randomService(random);
                if (actualKeys.putIfAbsent(s.key(), s) == null) {
                    actual.add(kernel(s, randomDestinations(random).toArray(Destination[]::new)));
                }
            }
            List<DesiredService> desired = new ArrayList<>();
            Set<ServiceKey> desiredKeys = new HashSet<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                Service s = randomService(random);
                if (desiredKeys.add(s.key())) {
                    desired.add(new DesiredService(s, randomDestinations(random)));
                }
            }
            Set<ServiceKey> alsoOwned = actualKeys.keySet().stream().filter(k -> random.nextBoolean())
                    .collect(Collectors.toSet());
            alsoOwned.add(randomService(random).key()); // owned once, maybe gone already: harmless

            FakeKernel fake = new FakeKernel(actual);
            List<Operation> plan = Reconciler.plan(desired, actual, alsoOwned);
            for (Operation op : plan) {
                List<KernelService> before = fake.table();
                fake.apply(op);
                assertThat(fake.table()).as("round %d: %s must change something (minimal plan)", round, op).isNotEqualTo(before);
            }
            List<KernelService> after = fake.table();

            assertThat(Reconciler.plan(desired, after, alsoOwned)).as("round %d: second plan", round).isEmpty();
            Map<ServiceKey, KernelService> byKey = after.stream()
                    .collect(Collectors.toMap(k -> k.service().key(), Function.identity()));
            for (DesiredService d : desired) {
                KernelService k = byKey.get(d.service().key());
                assertThat(k.service()).isEqualTo(d.service());
                assertThat(k.destinations().stream().map(DestinationEntry::destination).collect(Collectors.toSet()))
                        .isEqualTo(new HashSet<>(d.destinations()));
            }
            for (KernelService k : actual) {
                ServiceKey key = k.service().key();
                if (!desiredKeys.contains(key) && !alsoOwned.contains(key)) {
                    assertThat(byKey.get(key).service()).as("round %d: foreign service untouched", round).isEqualTo(k.service());
                    assertThat(byKey.get(key).destinations()).extracting(DestinationEntry::destination)
                            .as("round %d: foreign real servers untouched", round)
                            .containsExactlyElementsOf(k.destinations().stream().map(DestinationEntry::destination).toList());
                } else if (!desiredKeys.contains(key)) {
                    assertThat(byKey).doesNotContainKey(key);
                }
            }
        }
    }

    private static Service randomService(Random random) {
        Service s = web(80 + random.nextInt(3), random.nextBoolean() ? "wrr" : "rr");
        return random.nextInt(4) == 0 ? s.withPersistence(1 + random.nextInt(2) * 59, 0xffffffff) : s;
    }

    private static List<Destination> randomDestinations(Random random) {
        List<Destination> out = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            Destination d = new Destination(ip("10.0.0." + (2 + random.nextInt(4))), 80,
                    random.nextBoolean() ? Forwarding.DIRECT_ROUTE : Forwarding.MASQ, random.nextInt(3), 0, 0,
                    vipgate.ipvs.netlink.Tunnel.IPIP);
            if (out.stream().noneMatch(d::sameServer)) {
                out.add(d);
            }
        }
        return out;
    }
}
