package vipgate.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static vipgate.balance.Algorithm.HASH;
import static vipgate.balance.TestPeers.balancer;
import static vipgate.balance.TestPeers.peer;
import static vipgate.balance.TestPeers.select;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsistentHashTest {

    /*
     * Recorded from a real nginx 1.22.1 (its hash, round robin and random modules are identical to 1.24's):
     *
     *   upstream chash {
     *     hash $arg_k consistent;
     *     server 127.0.0.1:9001;           # a
     *     server 127.0.0.1:9002 weight=2;  # b
     *     server 127.0.0.1:9003;           # c
     *     server [::1]:9004 weight=3;      # d
     *   }
     *
     * with each server answering its letter, for requests ?k=k0 .. ?k=k199 in order.
     */
    private static final String NGINX_K0_TO_K199 =
            "dcbcdadcbdbbdcabbdbcacbbdcdbddadbdddadadbacddadccdbdbdddbdddbbcbdcaadddbdbcddbddcaabaddaddbddcbdbddddd"
            + "dcdddcdddcdadddcdbabdccbcdbadaaddbadbcddddbcdbcdddddcdbcbaddbddddabddaddbdaacbadddddadddddabbcddbb";
    /** The same with b marked {@code down}: its keys move on along the ring, all others stay. */
    private static final String NGINX_K0_TO_K199_B_DOWN =
            "dcdcdadccddddcadddacaccddcdaddadcdddadaddacddadccdcdadddadddadcadcaaddddddcdddddcaadaddadddddcddcddddd"
            + "dcdddcdddcdadddcddacdccdcddadaadddaddcdddddcdacdddddcddcdadddddddadddaddadaaccadddddadddddadccddda";

    private final AtomicLong clock = new AtomicLong();

    @Test
    void mapsKeysExactlyAsNginx() {
        Balancer balancer = nginxUpstream(false);

        assertThat(keys(balancer, 200)).isEqualTo(NGINX_K0_TO_K199);
        assertThat(letterFor(balancer, "user-42")).isEqualTo("c");
        assertThat(letterFor(balancer, "%D0%BA%D0%BB%D1%8E%D1%87")).isEqualTo("d");
        assertThat(letterFor(balancer, "/")).isEqualTo("b");
        assertThat(letterFor(balancer, "session=abc123")).isEqualTo("c");
    }

    @Test
    void passesKeysOfADownServerAlongTheRingAsNginx() {
        assertThat(keys(nginxUpstream(true), 200)).isEqualTo(NGINX_K0_TO_K199_B_DOWN);
    }

    @Test
    void sameKeyAlwaysReachesTheSamePeer() {
        Balancer balancer = balancer(HASH, clock, peer("10.0.0.1:80", 1), peer("10.0.0.2:80", 1),
                peer("10.0.0.3:80", 1));
        Peer first = selectAndRelease(balancer, "client-7");

        for (int i = 0; i < 50; i++) {
            assertThat(selectAndRelease(balancer, "client-7")).isSameAs(first);
        }
    }

    @Test
    void addingAPeerMovesAboutOneKeyInNAndOnlyToTheNewPeer() {
        Balancer four = balancer(HASH, clock, peer("10.0.0.1:80", 1), peer("10.0.0.2:80", 1),
                peer("10.0.0.3:80", 1), peer("10.0.0.4:80", 1));
        Balancer five = balancer(HASH, clock, peer("10.0.0.1:80", 1), peer("10.0.0.2:80", 1),
                peer("10.0.0.3:80", 1), peer("10.0.0.4:80", 1), peer("10.0.0.5:80", 1));
        int keys = 20_000;
        int moved = 0;

        for (int i = 0; i < keys; i++) {
            String before = selectAndRelease(four, "key-" + i).name();
            String after = selectAndRelease(five, "key-" + i).name();
            if (!before.equals(after)) {
                moved++;
                assertThat(after).isEqualTo("10.0.0.5:80");
            }
        }

        assertThat(moved / (double) keys).isCloseTo(1 / 5.0, within(0.05));
    }

    @Test
    void spreadsKeysInProportionToWeight() {
        Balancer balancer = balancer(HASH, clock, peer("10.0.0.1:80", 1), peer("10.0.0.2:80", 2),
                peer("10.0.0.3:80", 3));
        Map<String, Integer> counts = new HashMap<>();
        int keys = 60_000;

        for (int i = 0; i < keys; i++) {
            counts.merge(selectAndRelease(balancer, "key-" + i).name(), 1, Integer::sum);
        }

        // a ring of 160 points per unit of weight is itself a few percent uneven
        assertThat(counts.get("10.0.0.1:80") / (double) keys).isCloseTo(1 / 6.0, within(0.04));
        assertThat(counts.get("10.0.0.2:80") / (double) keys).isCloseTo(2 / 6.0, within(0.04));
        assertThat(counts.get("10.0.0.3:80") / (double) keys).isCloseTo(3 / 6.0, within(0.04));
    }

    @Test
    void retryGoesToTheNextServerOnTheRing() {
        Balancer balancer = nginxUpstream(false);
        SelectionContext ctx = SelectionContext.forRequest("k2", 0);

        Peer first = select(balancer, ctx);
        balancer.release(first, true);
        Peer second = select(balancer, ctx);

        // b ("k2" in the recording) is tried first; with b down nginx sends k2 to d
        assertThat(first.name()).isEqualTo("127.0.0.1:9002");
        assertThat(second.name()).isEqualTo("[::1]:9004");
    }

    @Test
    void anEmptyKeyIsBalancedByRoundRobin() {
        Balancer balancer = balancer(HASH, clock, peer("a", 1), peer("b", 1));
        StringBuilder names = new StringBuilder();

        for (int i = 0; i < 4; i++) {
            names.append(selectAndRelease(balancer, "").name());
        }

        assertThat(names.toString()).isEqualTo("abab");
    }

    @Test
    void afterTwentyMissesTheRingGivesWayToRoundRobin() {
        // almost every point belongs to the down server, so keys landing there rarely find b within 20 points
        Balancer balancer = balancer(HASH, clock, peer("a").weight(100).down(true).build(), peer("b", 1));
        int fellBack = 0;

        for (int i = 0; i < 100; i++) {
            SelectionContext ctx = SelectionContext.forRequest("key-" + i, 0);
            Peer peer = select(balancer, ctx);
            assertThat(peer.name()).isEqualTo("b");
            balancer.release(peer, false);
            if (ctx.walkTries > 20) {
                fellBack++;
            }
        }

        assertThat(fellBack).isGreaterThan(50);
    }

    @Test
    void splitsServerNamesIntoHostAndPortAsNginx() {
        assertThat(hashInput("127.0.0.1:8081")).isEqualTo("127.0.0.1\0" + "8081");
        assertThat(hashInput("[::1]:80")).isEqualTo("[::1]\0" + "80");
        assertThat(hashInput("backend.example.com")).isEqualTo("backend.example.com\0");
        assertThat(hashInput("UNIX:/run/app.sock")).isEqualTo("/run/app.sock\0");
        assertThat(hashInput("host:8a")).isEqualTo("host:8a\0");
    }

    @Test
    void ringHas160PointsPerUnitOfWeight() {
        HashRing ring = HashRing.of(List.of(peer("a:1", 2), peer("b:1", 3)));

        assertThat(ring.size()).isEqualTo(5 * 160);
    }

    private Balancer nginxUpstream(boolean bDown) {
        return balancer(HASH, clock,
                peer("127.0.0.1:9001", 1), peer("127.0.0.1:9002").weight(2).down(bDown).build(),
                peer("127.0.0.1:9003", 1), peer("[::1]:9004", 3));
    }

    private static String keys(Balancer balancer, int count) {
        StringBuilder letters = new StringBuilder();
        for (int i = 0; i < count; i++) {
            letters.append(letterFor(balancer, "k" + i));
        }
        return letters.toString();
    }

    private static String letterFor(Balancer balancer, String key) {
        String port = selectAndRelease(balancer, key).name().replaceAll(".*:", "");
        return String.valueOf((char) ('a' + Integer.parseInt(port) - 9001));
    }

    private static Peer selectAndRelease(Balancer balancer, String key) {
        Peer peer = select(balancer, SelectionContext.forRequest(key, 0));
        balancer.release(peer, false);
        return peer;
    }

    private static String hashInput(String name) {
        return new String(HashRing.hostNulPort(name), StandardCharsets.UTF_8);
    }
}
