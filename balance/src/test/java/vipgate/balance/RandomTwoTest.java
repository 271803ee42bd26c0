package vipgate.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static vipgate.balance.TestPeers.peer;
import static vipgate.balance.TestPeers.request;
import static vipgate.balance.TestPeers.select;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RandomTwoTest {

    private final AtomicLong clock = new AtomicLong();
    private final ScriptedDraws draws = new ScriptedDraws();

    @Test
    void takesTheLessLoadedOfTwoDraws() {
        Peer a = peer("a", 1);
        Peer b = peer("b", 1);
        Peer c = peer("c", 1);
        Balancer balancer = balancer(draws, a, b, c);
        draws.add(1, 0);
        assertThat(select(balancer, request())).isSameAs(a); // b and a idle: a tie goes to the second draw

        draws.add(0, 1);
        assertThat(select(balancer, request())).isSameAs(b); // a busy, b idle
        draws.add(2, 0);
        assertThat(select(balancer, request())).isSameAs(c); // c idle, a busy
        assertThat(draws.remaining()).isZero();
    }

    @Test
    void loadIsComparedPerUnitOfWeight() {
        Peer a = peer("a", 4);
        Peer b = peer("b", 1);
        Balancer balancer = balancer(draws, a, b);
        draws.add(4, 0, 0, 4);
        select(balancer, request());
        select(balancer, request());
        assertThat(a.conns()).isEqualTo(1);
        assertThat(b.conns()).isEqualTo(1);

        draws.add(0, 4); // a: 1 request for weight 4, b: 1 for weight 1
        assertThat(select(balancer, request())).isSameAs(a);
    }

    @Test
    void drawsHitEachPeerInProportionToItsWeight() {
        Balancer balancer = balancer(draws, peer("a", 1), peer("b", 3), peer("c", 1));

        // nginx's ranges: a [0, 1), b [1, 4), c [4, 5)
        draws.add(4, 3);
        assertThat(select(balancer, request()).name()).isEqualTo("b");
        draws.add(1, 0);
        assertThat(select(balancer, request()).name()).isEqualTo("a");
        draws.add(3, 4);
        assertThat(select(balancer, request()).name()).isEqualTo("c");
    }

    @Test
    void drawsAgainWhenTheSecondRepeatsTheFirstOrIsUnusable() {
        Balancer balancer = balancer(draws, peer("a", 1), peer("b").down(true).build(), peer("c", 1));

        draws.add(0, 0, 1, 2);

        assertThat(select(balancer, request()).name()).isEqualTo("c");
        assertThat(draws.remaining()).isZero();
    }

    @Test
    void afterTwentyUnusableDrawsRoundRobinDecidesForTheRestOfTheRequest() {
        Balancer balancer = balancer(draws, peer("a").down(true).build(), peer("b", 1), peer("c", 1));
        for (int i = 0; i < 21; i++) {
            draws.add(0);
        }
        SelectionContext ctx = request();

        Peer first = select(balancer, ctx);
        assertThat(first.name()).isEqualTo("b");
        assertThat(draws.remaining()).isZero();
        balancer.release(first, true);

        assertThat(select(balancer, ctx).name()).isEqualTo("c"); // no further draws
    }

    @Test
    void withASeededGeneratorABusyPeerLosesToEveryOther() {
        Peer a = peer("a", 1);
        Balancer balancer = balancer(new SplittableRandom(42), a, peer("b", 1), peer("c", 1));
        holdOneRequestOn(balancer, a);
        Map<String, Integer> counts = new HashMap<>();

        for (int i = 0; i < 3_000; i++) {
            Peer peer = select(balancer, request());
            counts.merge(peer.name(), 1, Integer::sum);
            balancer.release(peer, false);
        }

        assertThat(counts).doesNotContainKey("a");
        assertThat(counts.get("b") / 3_000.0).isBetween(0.45, 0.55);
    }

    private static void holdOneRequestOn(Balancer balancer, Peer target) {
        for (int i = 0; i < 100; i++) {
            Peer peer = select(balancer, request());
            if (peer == target) {
                return;
            }
            balancer.release(peer, false);
        }
        throw new AssertionError(target + " was not selected in 100 requests");
    }

    private Balancer balancer(RandomGenerator random, Peer... peers) {
        return Balancers.create(Algorithm.RANDOM_TWO, List.of(peers), clock::get, random);
    }

    /** Hands out planned draws, so a test decides which peers the balancer compares. */
    private static final class ScriptedDraws implements RandomGenerator {
        private final Queue<Long> planned = new ArrayDeque<>();

        void add(long... values) {
            for (long value : values) {
                planned.add(value);
            }
        }

        int remaining() {
            return planned.size();
        }

        @Override
        public long nextLong(long bound) {
            Long next = planned.poll();
            if (next == null) {
                throw new AssertionError("the balancer drew more often than planned");
            }
            assertThat(next).isLessThan(bound);
            return next;
        }

        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("balancers draw within a bound");
        }
    }
}
