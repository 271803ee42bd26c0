package vipgate.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static vipgate.balance.Algorithm.ROUND_ROBIN;
import static vipgate.balance.TestPeers.SECOND;
import static vipgate.balance.TestPeers.balancer;
import static vipgate.balance.TestPeers.peer;
import static vipgate.balance.TestPeers.request;
import static vipgate.balance.TestPeers.select;
import static vipgate.balance.TestPeers.sequence;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmoothWeightedRoundRobinTest {

    private final AtomicLong clock = new AtomicLong();

    /** Peers a, b, c... with the given weights interleave as nginx's do, in a cycle as long as the weights' sum. */
    @ParameterizedTest(name = "weights {0}: {1} {2} times")
    @CsvSource({
        "'5,1,1', aabacaa, 3",
        "'1,1', ab, 4",
        "'3,2', ababa, 2",
    })
    void weightedPeersInterleaveAsNginxDoes(String weights, String cycle, int cycles) {
        String[] w = weights.split(",");
        Peer[] peers = new Peer[w.length];
        for (int i = 0; i < w.length; i++) {
            peers[i] = peer(String.valueOf((char) ('a' + i)), Integer.parseInt(w[i]));
        }
        Balancer balancer = balancer(ROUND_ROBIN, clock, peers);

        assertThat(sequence(balancer, cycle.length() * cycles)).isEqualTo(cycle.repeat(cycles));
    }

    @Test
    void downPeerIsNeverSelected() {
        Balancer balancer = balancer(ROUND_ROBIN, clock,
                peer("a", 1), peer("b").down(true).build(), peer("c", 1));

        assertThat(sequence(balancer, 6)).isEqualTo("acacac");
    }

    @Test
    void unhealthyPeerIsSkippedUntilHealthyAgain() {
        Peer b = peer("b", 1);
        Balancer balancer = balancer(ROUND_ROBIN, clock, peer("a", 1), b);

        b.setHealthy(false);
        assertThat(sequence(balancer, 3)).isEqualTo("aaa");
        b.setHealthy(true);
        assertThat(sequence(balancer, 4)).isEqualTo("abab");
    }

    /** Round robin over {@code a} and b, weight 1 each, once the first request, which a gets, failed. */
    private Balancer afterAFailedRequest(Peer a) {
        Balancer balancer = balancer(ROUND_ROBIN, clock, a, peer("b", 1));
        balancer.release(select(balancer, request()), true);
        return balancer;
    }

    @Test
    void failedPeerRestsForFailTimeoutThenOneSuccessfulProbeRestoresIt() {
        Peer a = peer("a", 1);
        Balancer balancer = afterAFailedRequest(a);

        assertThat(a.fails()).isEqualTo(1);
        assertThat(a.effectiveWeight()).isZero();
        assertThat(sequence(balancer, 3)).isEqualTo("bbb");

        clock.addAndGet(10 * SECOND);
        assertThat(a.isAvailable(clock.get())).isFalse();
        assertThat(sequence(balancer, 2)).isEqualTo("bb");

        clock.addAndGet(1);
        assertThat(a.isAvailable(clock.get())).isTrue();
        // effective weight climbs back from 0 by one per round before a wins again
        assertThat(sequence(balancer, 3)).isEqualTo("bba");
        assertThat(a.fails()).isZero();
        assertThat(sequence(balancer, 4)).isEqualTo("baba");
    }

    @Test
    void failedProbeRestsThePeerAgain() {
        Peer a = peer("a", 1);
        Balancer balancer = afterAFailedRequest(a);
        clock.addAndGet(10 * SECOND + 1);

        failNext(balancer, a);

        assertThat(a.fails()).isEqualTo(2);
        assertThat(sequence(balancer, 4)).isEqualTo("bbbb");
    }

    @Test
    void eachFailureTakesWeightOverMaxFailsOffTheEffectiveWeight() {
        Peer a = peer("a").weight(6).maxFails(3).build();
        Balancer balancer = balancer(ROUND_ROBIN, clock, a, peer("b", 1));

        failNext(balancer, a);
        assertThat(a.effectiveWeight()).isEqualTo(4);
        assertThat(a.isAvailable(clock.get())).isTrue();
        failNext(balancer, a);
        failNext(balancer, a);

        assertThat(a.fails()).isEqualTo(3);
        assertThat(a.isAvailable(clock.get())).isFalse();
        assertThat(sequence(balancer, 3)).isEqualTo("bbb");
    }

    @Test
    void aSuccessWithoutAProbeDoesNotForgetEarlierFailures() {
        Peer a = peer("a").maxFails(2).build();
        Balancer balancer = balancer(ROUND_ROBIN, clock, a, peer("b", 1));

        failNext(balancer, a);
        clock.addAndGet(SECOND);
        useNext(balancer, a, false);
        assertThat(a.fails()).isEqualTo(1);

        failNext(balancer, a);
        assertThat(a.isAvailable(clock.get())).isFalse();
    }

    @Test
    void maxFailsZeroNeverRestsAPeer() {
        Peer a = peer("a").maxFails(0).build();
        Balancer balancer = balancer(ROUND_ROBIN, clock, a, peer("b", 1));

        for (int i = 0; i < 5; i++) {
            failNext(balancer, a);
        }

        assertThat(a.fails()).isEqualTo(5);
        assertThat(a.effectiveWeight()).isEqualTo(1);
        assertThat(a.isAvailable(clock.get())).isTrue();
    }

    @Test
    void lonePeerIsNeitherRestedNorRetried() {
        Peer only = peer("a", 1);
        Balancer balancer = balancer(ROUND_ROBIN, clock, only);

        SelectionContext ctx = request();
        assertThat(select(balancer, ctx)).isSameAs(only);
        assertThat(ctx.canRetry()).isFalse();
        balancer.release(only, true);

        assertThat(only.fails()).isZero();
        assertThat(select(balancer, request())).isSameAs(only);
    }

    @Test
    void backupServesOnlyWhenNoPrimaryCan() {
        Peer a = peer("a", 1);
        Balancer balancer = balancer(ROUND_ROBIN, clock, a, peer("b").backup(true).build());

        assertThat(sequence(balancer, 3)).isEqualTo("aaa");
        a.setHealthy(false);
        assertThat(sequence(balancer, 3)).isEqualTo("bbb");
        a.setHealthy(true);
        assertThat(sequence(balancer, 3)).isEqualTo("aaa");
    }

    @Test
    void aRequestThatReachedTheBackupsRetriesOnlyThere() {
        Balancer balancer = balancer(ROUND_ROBIN, clock,
                peer("a").maxFails(0).build(), peer("b").maxFails(0).build(),
                peer("c").backup(true).maxFails(0).build(), peer("d").backup(true).maxFails(0).build());
        SelectionContext ctx = request();

        StringBuilder tried = new StringBuilder();
        do {
            Peer peer = select(balancer, ctx);
            tried.append(peer.name());
            balancer.release(peer, true);
        } while (ctx.canRetry());

        assertThat(tried.toString()).isEqualTo("abcd");
        assertThat(balancer.select(ctx).outcome()).isEqualTo(Selection.Outcome.NO_LIVE);
    }

    @Test
    void attemptsAreBoundedByServersNotDownAndByMaxTries() {
        Peer[] peers = {peer("a").maxFails(0).build(), peer("b").maxFails(0).build(), peer("c").down(true).build()};
        Balancer balancer = balancer(ROUND_ROBIN, clock, peers);

        SelectionContext unbounded = request();
        balancer.release(select(balancer, unbounded), true);
        assertThat(unbounded.canRetry()).isTrue();
        balancer.release(select(balancer, unbounded), true);
        assertThat(unbounded.canRetry()).isFalse();

        SelectionContext once = SelectionContext.forRequest(null, 1);
        balancer.release(select(balancer, once), true);
        assertThat(once.canRetry()).isFalse();
    }

    private static void failNext(Balancer balancer, Peer target) {
        useNext(balancer, target, true);
    }

    /** Sends requests (successfully) until one reaches {@code target}, then ends that one as told. */
    private static void useNext(Balancer balancer, Peer target, boolean failed) {
        for (int i = 0; i < 100; i++) {
            Peer next = select(balancer, request());
            if (next == target) {
                balancer.release(target, failed);
                return;
            }
            balancer.release(next, false);
        }
        throw new AssertionError(target + " was not selected in 100 requests");
    }
}
