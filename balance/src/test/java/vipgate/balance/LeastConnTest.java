package vipgate.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static vipgate.balance.Algorithm.LEAST_CONN;
import static vipgate.balance.TestPeers.balancer;
import static vipgate.balance.TestPeers.peer;
import static vipgate.balance.TestPeers.request;
import static vipgate.balance.TestPeers.select;
import static vipgate.balance.TestPeers.sequence;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeastConnTest {

    private final AtomicLong clock = new AtomicLong();

    @Test
    void prefersThePeerWithFewerActiveRequests() {
        Peer a = peer("a", 1);
        Peer b = peer("b", 1);
        Peer c = peer("c", 1);
        Balancer balancer = balancer(LEAST_CONN, clock, a, b, c);

        assertThat(holdNext(balancer, 3)).isEqualTo("abc");
        balancer.release(b, false);

        assertThat(select(balancer, request())).isSameAs(b);
    }

    @Test
    void countsRequestsPerUnitOfWeight() {
        Peer a = peer("a", 2);
        Peer b = peer("b", 1);
        Balancer balancer = balancer(LEAST_CONN, clock, a, b);

        // a, b: 0/2 = 0/1, a wins the round robin tie; then 1/2 > 0/1; 1/2 < 1/1; 2/2 = 1/1, b wins the tie
        // (a's current weight was spent on the first tie); 2/2 < 2/1
        assertThat(holdNext(balancer, 5)).isEqualTo("ababa");
        assertThat(a.conns()).isEqualTo(3);
        assertThat(b.conns()).isEqualTo(2);
    }

    @Test
    void idlePeersShareBySmoothWeightedRoundRobin() {
        Balancer balancer = balancer(LEAST_CONN, clock, peer("a", 5), peer("b", 1), peer("c", 1));

        assertThat(sequence(balancer, 14)).isEqualTo("aabacaa".repeat(2));
    }

    @Test
    void concurrentRequestsSettleInProportionToWeight() {
        Peer a = peer("a", 3);
        Peer b = peer("b", 1);
        Balancer balancer = balancer(LEAST_CONN, clock, a, b);

        holdNext(balancer, 8);

        assertThat(a.conns()).isEqualTo(6);
        assertThat(b.conns()).isEqualTo(2);
    }

    /** Selects {@code count} times without releasing and names the peers in order. */
    private static String holdNext(Balancer balancer, int count) {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < count; i++) {
            names.append(select(balancer, request()).name());
        }
        return names.toString();
    }
}
