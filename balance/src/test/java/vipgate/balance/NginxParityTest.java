package vipgate.balance;

import static vipgate.balance.TestPeers.SECOND;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import vipgate.balance.NginxOracle.HashPeerData;
import vipgate.balance.NginxOracle.PeerConnection;
import vipgate.balance.NginxOracle.RandomPeerData;
import vipgate.balance.NginxOracle.RrPeer;
import vipgate.balance.NginxOracle.RrPeerData;
import vipgate.balance.NginxOracle.RrPeers;
import vipgate.balance.NginxOracle.Server;

/**
 * Property test: on random upstreams and random interleavings of requests, retries, successes, failures,
 * health flips and clock advances, every balancer picks exactly the peer that {@link NginxOracle} (nginx's
 * code transcribed) picks, and leaves every peer in the same state. Rerun one case with
 * {@code -Dparity.seed=<seed printed on failure> -Dparity.cases=1}.
 */
class NginxParityTest {

    private static final long FAIL_TIMEOUT = 10 * SECOND;
    private static final long[] CLOCK_STEPS = {0, 1, SECOND, 5 * SECOND, FAIL_TIMEOUT, FAIL_TIMEOUT + 1, 11 * SECOND};
    private static final int STEPS = 400;

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void picksTheSamePeersAsNginx(Algorithm algorithm) {
        long firstSeed = Long.getLong("parity.seed", 0x5eed_2024L);
        int cases = Integer.getInteger("parity.cases", 500);
        for (int c = 0; c < cases; c++) {
            long seed = firstSeed + c;
            try {
                new Case(algorithm, seed).run();
            } catch (AssertionError e) {
                throw new AssertionError(algorithm + " differs from nginx; seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    /** One random upstream driven through one random history, in both implementations at once. */
    private static final class Case {
        private final Algorithm algorithm;
        private final Random random;
        private final AtomicLong clock = new AtomicLong();
        private final List<Server> servers = new ArrayList<>();
        private final List<Peer> peers = new ArrayList<>();
        private final List<RrPeer> oraclePeers = new ArrayList<>();
        private final Map<RrPeer, Integer> oracleIndex = new IdentityHashMap<>();
        private final List<Attempt> inFlight = new ArrayList<>();
        private final Balancer balancer;
        private final NginxOracle oracle = new NginxOracle(clock::get);
        private final RrPeers upstream;
        private final NginxOracle.ChashPoints points;
        private final NginxOracle.RandomRange[] ranges;
        private final SplittableRandom oracleDraws;
        private int step;

        Case(Algorithm algorithm, long seed) {
            this.algorithm = algorithm;
            this.random = new Random(seed);
            clock.set(random.nextBoolean() ? 0 : 1_700_000_000L * SECOND);
            boolean backups = algorithm == Algorithm.ROUND_ROBIN || algorithm == Algorithm.LEAST_CONN;
            int n = 1 + random.nextInt(20);
            for (int i = 0; i < n; i++) {
                // a repeated name is one server with several addresses; consistent hashing balances among them
                String name = i > 0 && random.nextInt(10) == 0 ? servers.get(i - 1).name() : "10.0.0." + i + ":80";
                Server server = new Server(name, 1 + random.nextInt(10), random.nextInt(4), FAIL_TIMEOUT,
                        random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0,
                        backups && i > 0 && random.nextInt(5) == 0, random.nextInt(10) == 0);
                servers.add(server);
                peers.add(TestPeers.peer(name).weight(server.weight()).maxFails(server.max_fails())
                        .failTimeout(Duration.ofNanos(server.fail_timeout()))
                        .maxConns(server.max_conns()).backup(server.backup()).down(server.down()).build());
            }
            long drawSeed = random.nextLong();
            balancer = Balancers.create(algorithm, peers, clock::get, new SplittableRandom(drawSeed));
            oracleDraws = new SplittableRandom(drawSeed);
            upstream = NginxOracle.ngx_http_upstream_init_round_robin(servers);
            points = algorithm == Algorithm.HASH ? NginxOracle.ngx_http_upstream_init_chash(upstream) : null;
            ranges = algorithm == Algorithm.RANDOM_TWO ? NginxOracle.ngx_http_upstream_update_random(upstream) : null;
            mapOraclePeers();
        }

        /** The oracle keeps primaries and backups in two lists; line them up with the configuration order. */
        private void mapOraclePeers() {
            RrPeer primary = upstream.peer;
            RrPeer backup = upstream.next == null ? null : upstream.next.peer;
            for (int i = 0; i < servers.size(); i++) {
                RrPeer node;
                if (servers.get(i).backup()) {
                    node = backup;
                    backup = backup.next;
                } else {
                    node = primary;
                    primary = primary.next;
                }
                oraclePeers.add(node);
                oracleIndex.put(node, i);
            }
        }

        void run() {
            for (step = 0; step < STEPS; step++) {
                int action = random.nextInt(100);
                if (action < 40 && inFlight.size() < 30) {
                    attempt(newRequest());
                } else if (action < 80 && !inFlight.isEmpty()) {
                    finish(inFlight.remove(random.nextInt(inFlight.size())));
                } else if (action < 95) {
                    clock.addAndGet(CLOCK_STEPS[random.nextInt(CLOCK_STEPS.length)]);
                } else {
                    flipHealth(random.nextInt(peers.size()));
                }
                assertSameState();
            }
        }

        private Request newRequest() {
            String key = algorithm != Algorithm.HASH ? null
                    : random.nextInt(10) == 0 ? "" : "key" + random.nextInt(40);
            int maxTries = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0;
            Request request = new Request(SelectionContext.forRequest(key, maxTries));
            switch (algorithm) {
                case ROUND_ROBIN, LEAST_CONN -> {
                    request.rrp = new RrPeerData();
                    NginxOracle.ngx_http_upstream_init_round_robin_peer(request.pc, request.rrp, upstream);
                }
                case HASH -> {
                    request.hp = new HashPeerData();
                    request.rrp = request.hp.rrp;
                    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
                    NginxOracle.ngx_http_upstream_init_chash_peer(request.pc, request.hp, upstream, points, bytes);
                }
                case RANDOM_TWO -> {
                    request.rp = new RandomPeerData();
                    request.rrp = request.rp.rrp;
                    NginxOracle.ngx_http_upstream_init_random_peer(request.pc, request.rp, upstream, ranges);
                }
            }
            // ngx_http_upstream_init_request: proxy_next_upstream_tries caps the attempts
            if (maxTries != 0 && request.pc.tries > maxTries) {
                request.pc.tries = maxTries;
            }
            return request;
        }

        private void attempt(Request request) {
            RrPeers tierBefore = request.rrp.peers;
            long[] triedBefore = request.rrp.tried.clone();
            Selection selection = balancer.select(request.ctx);
            int rc = switch (algorithm) {
                case ROUND_ROBIN -> oracle.ngx_http_upstream_get_round_robin_peer(request.pc, request.rrp);
                case LEAST_CONN -> oracle.ngx_http_upstream_get_least_conn_peer(request.pc, request.rrp);
                case HASH -> oracle.ngx_http_upstream_get_chash_peer(request.pc, request.hp);
                case RANDOM_TWO -> oracle.ngx_http_upstream_get_random2_peer(request.pc, request.rp, oracleDraws);
            };
            Peer expectedPeer = rc == NginxOracle.NGX_OK ? peers.get(oracleIndex.get(request.pc.peer)) : null;
            Selection expected = expectedPeer != null ? Selection.of(expectedPeer)
                    : new Selection(refusal(request, tierBefore, triedBefore), null);
            if (!selection.equals(expected)) {
                throw new AssertionError("step " + step + ": balancer gave " + describe(selection) + ", expected "
                        + describe(expected));
            }
            if (selection.isSelected()) {
                inFlight.add(new Attempt(request, selection.peer()));
            }
        }

        /**
         * nginx answers 502 either way; ours tells a full upstream apart: some peer in a tier nginx scanned was
         * passed over only for max_conns.
         */
        private Selection.Outcome refusal(Request request, RrPeers tierBefore, long[] triedBefore) {
            boolean full = anyLiveAndFull(tierBefore, triedBefore);
            if (request.rrp.peers != tierBefore) {
                full |= anyLiveAndFull(request.rrp.peers, new long[triedBefore.length]);
            }
            return full ? Selection.Outcome.ALL_BUSY : Selection.Outcome.NO_LIVE;
        }

        private boolean anyLiveAndFull(RrPeers tier, long[] tried) {
            long now = clock.get();
            int i = 0;
            for (RrPeer peer = tier.peer; peer != null; peer = peer.next, i++) {
                boolean skipped = !tier.single && ((tried[i / 64] & 1L << i % 64) != 0
                        || peer.max_fails != 0 && peer.fails >= peer.max_fails
                        && now - peer.checked <= peer.fail_timeout);
                if (!skipped && !peer.down && peer.max_conns != 0 && peer.conns >= peer.max_conns) {
                    return true;
                }
            }
            return false;
        }

        private void finish(Attempt attempt) {
            boolean failed = random.nextInt(3) == 0;
            Request request = attempt.request();
            balancer.release(attempt.peer(), failed);
            oracle.ngx_http_upstream_free_round_robin_peer(request.pc, request.rrp,
                    failed ? NginxOracle.NGX_PEER_FAILED : 0);
            if (request.ctx.canRetry() != request.pc.tries > 0) {
                throw new AssertionError("step " + step + ": canRetry " + request.ctx.canRetry()
                        + " but nginx has " + request.pc.tries + " tries left");
            }
            if (failed && request.ctx.canRetry() && random.nextInt(4) != 0) {
                attempt(request);
            }
        }

        private void flipHealth(int index) {
            Peer peer = peers.get(index);
            peer.setHealthy(!peer.isHealthy());
            oraclePeers.get(index).down = servers.get(index).down() || !peer.isHealthy();
        }

        private void assertSameState() {
            for (int i = 0; i < peers.size(); i++) {
                Peer peer = peers.get(i);
                RrPeer node = oraclePeers.get(i);
                long[] actual = {peer.currentWeight, peer.effectiveWeight, peer.fails, peer.conns,
                        peer.checkedNanos, peer.accessedNanos};
                long[] expected = {node.current_weight, node.effective_weight, node.fails, node.conns,
                        node.checked, node.accessed};
                if (!Arrays.equals(actual, expected)) {
                    throw new AssertionError("step " + step + ": " + describe(i) + " has {current_weight,"
                            + " effective_weight, fails, conns, checked, accessed} = " + Arrays.toString(actual)
                            + ", nginx has " + Arrays.toString(expected));
                }
            }
        }

        private String describe(Selection selection) {
            return selection.isSelected() ? describe(peers.indexOf(selection.peer())) : selection.outcome().name();
        }

        private String describe(int index) {
            return "#" + index + " " + servers.get(index);
        }
    }

    /** One request's state on both sides. */
    private static final class Request {
        final SelectionContext ctx;
        final PeerConnection pc = new PeerConnection();
        RrPeerData rrp;
        HashPeerData hp;
        RandomPeerData rp;

        Request(SelectionContext ctx) {
            this.ctx = ctx;
        }
    }

    private record Attempt(Request request, Peer peer) {
    }
}
