package vipgate.lb.proxy;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import vipgate.lb.config.ServerSpec;
import vipgate.lb.config.UpstreamSpec;
import vipgate.lb.http.Template;
import vipgate.lb.metrics.LbMetrics;
import vipgate.lb.metrics.ServerMetrics;
import vipgate.lb.metrics.UpstreamMetrics;
import vipgate.balance.Balancer;
import vipgate.balance.Balancers;
import vipgate.balance.Peer;
import vipgate.balance.Selection;
import vipgate.balance.SelectionContext;

/**
 * A running upstream: its spec, its peers and the balancer all event loops share. Kept across reloads while its
 * spec is unchanged, so balancing and passive-health state survive a reload.
 */
public final class UpstreamGroup {
    private final UpstreamSpec spec;
    private final Balancer balancer;
    private final Template hashKey;
    private final UpstreamMetrics metrics;
    private final Map<Peer, ServerMetrics> serverMetrics = new IdentityHashMap<>();

    public UpstreamGroup(UpstreamSpec spec, LbMetrics registry) {
        this.spec = spec;
        this.metrics = registry.upstream(spec.name());
        List<Peer> peers = new ArrayList<>();
        for (ServerSpec s : spec.servers()) {
            peers.add(Peer.builder(s.address().toString(), s.address().resolve())
                    .weight(s.weight())
                    .maxFails(s.maxFails())
                    .failTimeout(s.failTimeout())
                    .maxConns(s.maxConns())
                    .backup(s.backup())
                    .down(s.down())
                    .build());
        }
        this.balancer = Balancers.create(spec.algorithm(), peers, System::nanoTime, new SplittableRandom());
        this.hashKey = Template.parse(spec.hashKey());
        for (Peer p : balancer.peers()) {
            serverMetrics.put(p, metrics.server(p.name()));
        }
    }

    public UpstreamMetrics metrics() {
        return metrics;
    }

    /** A server's metrics; the map is filled once at construction, so readers on any loop need no lock. */
    public ServerMetrics metrics(Peer peer) {
        return serverMetrics.get(peer);
    }

    public UpstreamSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public List<Peer> peers() {
        return balancer.peers();
    }

    Template hashKey() {
        return hashKey;
    }

    Selection select(SelectionContext ctx) {
        return balancer.select(ctx);
    }

    void release(Peer peer, boolean failed) {
        balancer.release(peer, failed);
    }
}
