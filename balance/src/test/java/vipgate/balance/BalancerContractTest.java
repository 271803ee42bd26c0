package vipgate.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static vipgate.balance.TestPeers.peer;
import static vipgate.balance.TestPeers.select;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What holds for every algorithm. */
class BalancerContractTest {

    private final AtomicLong clock = new AtomicLong();

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aRequestNeverGetsAPeerItAlreadyTried(Algorithm algorithm) {
        Balancer balancer = create(algorithm, peers(5, builder -> builder.maxFails(0)));
        SelectionContext ctx = SelectionContext.forRequest("some-key", 0);
        Set<Peer> tried = new HashSet<>();

        do {
            Peer peer = select(balancer, ctx);
            assertThat(tried.add(peer)).as("%s tried twice", peer).isTrue();
            balancer.release(peer, true);
        } while (ctx.canRetry());

        assertThat(tried).hasSize(5);
        assertThat(balancer.select(ctx).outcome()).isEqualTo(Selection.Outcome.NO_LIVE);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void noPeerUpIsNoLive(Algorithm algorithm) {
        List<Peer> peers = List.of(peer("a").down(true).build(), peer("b", 1), peer("c", 1));
        Balancer balancer = create(algorithm, peers);
        peers.get(1).setHealthy(false);
        peers.get(2).setHealthy(false);

        assertThat(balancer.select(SelectionContext.forRequest("k", 0))).isEqualTo(Selection.NO_LIVE);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void everyLivePeerFullIsAllBusyUntilOneIsReleased(Algorithm algorithm) {
        Balancer balancer = create(algorithm, List.of(peer("a").maxConns(1).build(), peer("b").maxConns(1).build(),
                peer("c").down(true).build()));
        Peer first = select(balancer, SelectionContext.forRequest("k1", 0));
        select(balancer, SelectionContext.forRequest("k2", 0));

        assertThat(balancer.select(SelectionContext.forRequest("k3", 0))).isEqualTo(Selection.ALL_BUSY);

        balancer.release(first, false);
        assertThat(balancer.select(SelectionContext.forRequest("k3", 0)).peer()).isSameAs(first);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aLonePeerAtMaxConnsIsAllBusy(Algorithm algorithm) {
        Balancer balancer = create(algorithm, List.of(peer("a").maxConns(1).build()));
        select(balancer, SelectionContext.forRequest("k", 0));

        assertThat(balancer.select(SelectionContext.forRequest("k", 0))).isEqualTo(Selection.ALL_BUSY);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void countsRequestsInFlight(Algorithm algorithm) {
        Peer only = peer("a", 1);
        Balancer balancer = create(algorithm, List.of(only));

        select(balancer, SelectionContext.forRequest("k", 0));
        select(balancer, SelectionContext.forRequest("k", 0));
        assertThat(only.conns()).isEqualTo(2);
        balancer.release(only, false);
        balancer.release(only, true);

        assertThat(only.conns()).isZero();
    }

    @Test
    void releasingMoreThanSelectedIsABug() {
        Peer a = peer("a", 1);
        Balancer balancer = create(Algorithm.ROUND_ROBIN, List.of(a));
        balancer.release(select(balancer, SelectionContext.forRequest(null, 0)), false);

        assertThatThrownBy(() -> balancer.release(a, false)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void releasingAnotherBalancersPeerIsABug() {
        Balancer balancer = create(Algorithm.ROUND_ROBIN, List.of(peer("a", 1)));
        Peer stranger = peer("b", 1);

        assertThatThrownBy(() -> balancer.release(stranger, false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPeerBelongsToOneBalancer() {
        Peer a = peer("a", 1);
        create(Algorithm.ROUND_ROBIN, List.of(a));

        assertThatThrownBy(() -> create(Algorithm.LEAST_CONN, List.of(a)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already belongs");
    }

    @Test
    void aContextServesOneBalancer() {
        Balancer one = create(Algorithm.ROUND_ROBIN, List.of(peer("a", 1)));
        Balancer other = create(Algorithm.ROUND_ROBIN, List.of(peer("b", 1)));
        SelectionContext ctx = SelectionContext.forRequest(null, 0);
        one.select(ctx);

        assertThatThrownBy(() -> other.select(ctx)).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"HASH", "RANDOM_TWO"})
    void hashAndRandomRefuseBackupsAsNginx(Algorithm algorithm) {
        List<Peer> peers = List.of(peer("a", 1), peer("b").backup(true).build());

        assertThatThrownBy(() -> create(algorithm, peers))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backup");
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void anUpstreamNeedsAServerThatIsNotABackup(Algorithm algorithm) {
        assertThatThrownBy(() -> create(algorithm, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void staysConsistentUnderConcurrentUse(Algorithm algorithm) throws Exception {
        List<Peer> peers = peers(6, builder -> builder.maxFails(2).maxConns(4));
        Balancer balancer = create(algorithm, peers);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                work.add(threads.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    for (int i = 0; i < 20_000; i++) {
                        clock.addAndGet(1_000_000);
                        Selection selection = balancer.select(SelectionContext.forRequest("key-" + i % 97, 0));
                        if (selection.isSelected()) {
                            balancer.release(selection.peer(), random.nextInt(10) == 0);
                        }
                    }
                }));
            }
            for (Future<?> done : work) {
                done.get();
            }
        } finally {
            threads.shutdown();
        }

        assertThat(peers).allSatisfy(p -> assertThat(p.conns()).isZero());
        assertThat(peers).allSatisfy(p -> assertThat(p.effectiveWeight()).isBetween(0, p.weight()));
    }

    private Balancer create(Algorithm algorithm, List<Peer> peers) {
        return Balancers.create(algorithm, peers, clock::get, new SplittableRandom(7));
    }

    private static List<Peer> peers(int count, UnaryOperator<Peer.Builder> configure) {
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            peers.add(configure.apply(peer("10.0.0." + i + ":80").weight(1 + i % 3)).build());
        }
        return peers;
    }
}
