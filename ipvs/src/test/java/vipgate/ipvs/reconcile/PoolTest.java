package vipgate.ipvs.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import vipgate.health.HealthCheckSpec;
import vipgate.health.StatusRange;
import vipgate.ipvs.config.CheckSpec;
import vipgate.ipvs.config.RealServerSpec;
import vipgate.ipvs.config.VirtualServerSpec;
import vipgate.ipvs.netlink.Destination;
import vipgate.ipvs.netlink.Forwarding;
import vipgate.ipvs.netlink.Protocol;
import vipgate.ipvs.netlink.Service;
import vipgate.ipvs.netlink.ServiceKey;
import vipgate.ipvs.netlink.Tunnel;
import vipgate.ipvs.reconcile.Pool.Event;

class PoolTest {
    static final CheckSpec TCP = new CheckSpec(HealthCheckSpec.Type.TCP, Duration.ofSeconds(6), Duration.ofSeconds(5), 1,
            Duration.ofSeconds(1), Duration.ZERO, 0, "/", StatusRange.parse("200-299"), "", List.of());

    static InetAddress ip(String s) {
        return ReconcilerTest.ip(s);
    }

    static RealServerSpec rs(String address, int weight) {
        return new RealServerSpec(ip(address), 80, weight, 0, 0, TCP, List.of(), List.of());
    }

    static VirtualServerSpec vs(int quorum, int hysteresis, boolean sorry, boolean inhibit, boolean alpha, RealServerSpec... servers) {
        return new VirtualServerSpec(Service.of(ServiceKey.of(Protocol.TCP, ip("192.168.1.120"), 80), "wrr"),
                Forwarding.DIRECT_ROUTE, Tunnel.IPIP, List.of(servers), quorum, hysteresis,
                sorry ? Optional.of(new VirtualServerSpec.SorryServer(ip("10.0.0.99"), 80)) : Optional.empty(), false,
                inhibit, alpha, false, List.of(), List.of());
    }

    static Destination dr(String address, int weight) {
        return Destination.of(ip(address), 80, Forwarding.DIRECT_ROUTE, weight);
    }

    @Test
    void liveServersAtTheirWeightFailedOnesRemoved() {
        Pool pool = new Pool(vs(1, 0, false, false, false, rs("10.0.0.3", 1), rs("10.0.0.4", 5)));
        assertThat(pool.start()).isEmpty();
        assertThat(pool.desired().destinations()).containsExactly(dr("10.0.0.3", 1), dr("10.0.0.4", 5));
        assertThat(pool.setAlive(1, false)).containsExactly(new Event(Event.Kind.REAL_SERVER_DOWN, "10.0.0.4:80"));
        assertThat(pool.desired().destinations()).containsExactly(dr("10.0.0.3", 1));
        assertThat(pool.setAlive(1, false)).as("repeated verdict").isEmpty();
        assertThat(pool.setAlive(1, true)).containsExactly(new Event(Event.Kind.REAL_SERVER_UP, "10.0.0.4:80"));
        assertThat(pool.desired().destinations()).containsExactly(dr("10.0.0.3", 1), dr("10.0.0.4", 5));
    }

    @Test
    void inhibitOnFailureKeepsFailedServersAtWeightZero() {
        Pool pool = new Pool(vs(1, 0, false, true, false, rs("10.0.0.3", 1), rs("10.0.0.4", 5)));
        pool.start();
        pool.setAlive(0, false);
        assertThat(pool.desired().destinations()).containsExactly(dr("10.0.0.3", 0), dr("10.0.0.4", 5));
    }

    @Test
    void sorryServerReplacesTheRealServersWhileQuorumIsLost() {
        Pool pool = new Pool(vs(5, 0, true, false, false, rs("10.0.0.3", 1), rs("10.0.0.4", 5)));
        pool.start();
        assertThat(pool.hasQuorum()).isTrue();
        assertThat(pool.setAlive(1, false)).containsExactly(new Event(Event.Kind.REAL_SERVER_DOWN, "10.0.0.4:80"),
                new Event(Event.Kind.QUORUM_LOST, "192.168.1.120:80/tcp"));
        // the live 10.0.0.3 leaves too (keepalived's perform_quorum_state): the sorry server answers alone
        assertThat(pool.desired().destinations()).containsExactly(dr("10.0.0.99", 1));
        assertThat(pool.setAlive(1, true)).containsExactly(new Event(Event.Kind.REAL_SERVER_UP, "10.0.0.4:80"),
                new Event(Event.Kind.QUORUM_GAINED, "192.168.1.120:80/tcp"));
        assertThat(pool.desired().destinations()).containsExactly(dr("10.0.0.3", 1), dr("10.0.0.4", 5));
    }

    @Test
    void hysteresisNeedsMoreToRegainThanToKeep() {
        // quorum 3 +- 1: lost below 2, regained at 4
        Pool pool = new Pool(vs(3, 1, true, true, false, rs("10.0.0.3", 1), rs("10.0.0.4", 1), rs("10.0.0.5", 2)));
        pool.start();
        pool.setAlive(2, false);                            // live weight 2: still >= 2
        assertThat(pool.hasQuorum()).isTrue();
        pool.setAlive(1, false);                            // 1 < 2: lost
        assertThat(pool.hasQuorum()).isFalse();
        assertThat(pool.desired().destinations()).as("inhibit: every real server at 0, sorry at 1")
                .containsExactly(dr("10.0.0.3", 0), dr("10.0.0.4", 0), dr("10.0.0.5", 0), dr("10.0.0.99", 1));
        pool.setAlive(2, true);                             // 3 < 4: still lost
        assertThat(pool.hasQuorum()).isFalse();
        pool.setAlive(1, true);                             // 4: regained
        assertThat(pool.hasQuorum()).isTrue();
    }

    @Test
    void alphaStartsFailedSoTheSorryServerServesUntilTheFirstGoodCheck() {
        RealServerSpec unchecked = new RealServerSpec(ip("10.0.0.5"), 80, 0, 0, 0,
                new CheckSpec(HealthCheckSpec.Type.NONE, Duration.ofSeconds(60), Duration.ofSeconds(5), 1, Duration.ofSeconds(1),
                        Duration.ZERO, 0, "/", StatusRange.parse("200-299"), "", List.of()), List.of(), List.of());
        Pool pool = new Pool(vs(1, 0, true, false, true, rs("10.0.0.3", 1), unchecked));
        assertThat(pool.isAlive(0)).isFalse();
        assertThat(pool.isAlive(1)).as("no check: always alive").isTrue();
        assertThat(pool.start()).containsExactly(new Event(Event.Kind.QUORUM_LOST, "192.168.1.120:80/tcp"));
        assertThat(pool.desired().destinations()).containsExactly(dr("10.0.0.99", 1));
        pool.setAlive(0, true);
        assertThat(pool.desired().destinations()).containsExactly(dr("10.0.0.3", 1), dr("10.0.0.5", 0));
    }

    @Test
    void noLiveWeightAlwaysLosesQuorumEvenWithLargeHysteresis() {
        Pool pool = new Pool(vs(1, 5, false, false, false, rs("10.0.0.3", 1)));
        pool.start();
        assertThat(pool.setAlive(0, false)).contains(new Event(Event.Kind.QUORUM_LOST, "192.168.1.120:80/tcp"));
        assertThat(pool.desired().destinations()).isEmpty();
    }
}
