package vipgate.stream.proxy;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import vipgate.balance.Balancer;
import vipgate.balance.Balancers;
import vipgate.balance.Peer;
import vipgate.balance.Selection;
import vipgate.balance.SelectionContext;
import vipgate.stream.config.PeerSpec;
import vipgate.stream.config.UpstreamSpec;
import vipgate.stream.metrics.ServerMetrics;
import vipgate.stream.metrics.StreamMetrics;

/**
 * A running stream upstream: its spec, its peers and the balancer all event loops share. Kept across reloads while
 * its spec is unchanged, so balancing and passive-health state survive a reload. A session holds its peer (one of
 * the balancer's conns, which least-conn and max-conns count) from the connect until it ends.
 */
public final class Upstream {
    private final UpstreamSpec spec;
    private final Balancer balancer;
    /** Filled once here, so readers on any loop need no lock. */
    private final Map<Peer, ServerMetrics> metrics = new IdentityHashMap<>();

    /**
     * @param clock nanoseconds of a monotonic clock for fail_timeout, {@code System::nanoTime} outside tests
     * @throws IllegalArgumentException when a server's host name does not resolve
     */
    public Upstream(UpstreamSpec spec, LongSupplier clock, StreamMetrics registry) {
        this.spec = spec;
        List<Peer> peers = new ArrayList<>();
        for (PeerSpec s : spec.servers()) {
            peers.add(Peer.builder(s.address().toString(), s.address().resolve())
                    .weight(s.weight())
                    .maxFails(s.maxFails())
                    .failTimeout(s.failTimeout())
                    .maxConns(s.maxConns())
                    .backup(s.backup())
                    .down(s.down())
                    .build());
        }
        this.balancer = Balancers.create(spec.algorithm(), peers, clock, new SplittableRandom());
        for (Peer p : balancer.peers()) {
            metrics.put(p, registry.server(spec.name(), p.name()));
        }
    }

    public ServerMetrics metrics(Peer peer) {
        return metrics.get(peer);
    }

    public UpstreamSpec spec() {
        return spec;
    }

    public List<Peer> peers() {
        return balancer.peers();
    }

    Selection select(SelectionContext ctx) {
        return balancer.select(ctx);
    }

    void release(Peer peer, boolean failed) {
        balancer.release(peer, failed);
    }
}
