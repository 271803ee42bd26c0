package vipgate.bench.jmh;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import vipgate.balance.Algorithm;
import vipgate.balance.Balancer;
import vipgate.balance.Balancers;
import vipgate.balance.Peer;
import vipgate.balance.Selection;
import vipgate.balance.SelectionContext;

/**
 * One request's dealings with a balancer, as {@code ProxyExchange} has them: a fresh {@link SelectionContext},
 * one {@code select}, and the {@code release} when the exchange completes. Every algorithm scans its tier under
 * the upstream lock, so the cost grows with the number of servers; this shows how fast.
 *
 * <p>Single-threaded, so the lock is uncontended. All peers are idle between operations (each op releases what
 * it selected), which makes least_conn break a full tie by round robin every time: its worst case.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PeerSelectionBenchmark {

    /** Distinct clients hashed onto the ring, more than any ring's servers, so lookups land all over it. */
    private static final int CLIENTS = 4096;

    @Param
    public Algorithm algorithm;

    @Param({"2", "10", "100", "1000"})
    public int servers;

    private Balancer balancer;
    /** The evaluated hash key ({@code $remote_addr}) of each client; the proxy passes null without a hash key. */
    private String[] hashKeys;
    private int next;

    @Setup
    public void setUp() {
        List<Peer> peers = new ArrayList<>(servers);
        for (int i = 0; i < servers; i++) {
            String host = "10.0." + (i >> 8) + "." + (i & 0xff);
            // Unequal weights (1, 2, 3, ...) so smooth weighting, weighted draws and ring sizes do real work.
            peers.add(Peer.builder(host + ":8080", new InetSocketAddress(host, 8080)).weight(i % 3 + 1).build());
        }
        // The same arguments UpstreamGroup passes.
        balancer = Balancers.create(algorithm, peers, System::nanoTime, new SplittableRandom());
        hashKeys = new String[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            hashKeys[i] = algorithm == Algorithm.HASH ? "192.168." + (i >> 8) + "." + (i & 0xff) : null;
        }
    }

    /** Returns the selection so JMH consumes it; tries 0 is the default proxy_next_upstream_tries. */
    @Benchmark
    public Selection selectAndRelease() {
        next = (next + 1) & (CLIENTS - 1);
        SelectionContext ctx = SelectionContext.forRequest(hashKeys[next], 0);
        Selection selection = balancer.select(ctx);
        balancer.release(selection.peer(), false);
        return selection;
    }
}
