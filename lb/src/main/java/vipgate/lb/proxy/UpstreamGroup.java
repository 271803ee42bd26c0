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
import vipgate.lb.tls.UpstreamTls;
import vipgate.balance.Balancer;
import vipgate.balance.Balancers;
import vipgate.balance.Peer;
import vipgate.balance.Selection;
import vipgate.balance.SelectionContext;

/**
 * A running upstream: its spec, its peers, the balancer all event loops share and its TLS (null: plaintext). Kept
 * across reloads while its spec is unchanged, so balancing and passive-health state and TLS sessions survive a reload.
 */
public final class UpstreamGroup {
    private final UpstreamSpec spec;
    private final Balancer balancer;
    private final Template hashKey;
    private final UpstreamMetrics metrics;
    private final Map<Peer, ServerMetrics> serverMetrics = new IdentityHashMap<>();
    /** Each server's host as written in its address, the TLS name of its connections. */
    private final Map<Peer, String> hosts = new IdentityHashMap<>();
    private final UpstreamTls tls;

    /** @throws IllegalStateException when the TLS library refuses the group's TLS */
    public UpstreamGroup(UpstreamSpec spec, LbMetrics registry) {
        this.spec = spec;
        this.tls = spec.tls().map(t -> UpstreamTls.build(spec.name(), t)).orElse(null);
        this.metrics = registry.upstream(spec.name());
        List<Peer> peers = new ArrayList<>();
        for (ServerSpec s : spec.servers()) {
            Peer peer = Peer.builder(s.address().toString(), s.address().resolve())
                    .weight(s.weight())
                    .maxFails(s.maxFails())
                    .failTimeout(s.failTimeout())
                    .maxConns(s.maxConns())
                    .backup(s.backup())
                    .down(s.down())
                    .build();
            peers.add(peer);
            hosts.put(peer, s.address().host());
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

    /** The TLS of the connections to the servers, null for plaintext. */
    UpstreamTls tls() {
        return tls;
    }

    /** The host of {@code peer}'s address as written ("app1.example" or "10.0.0.1"); filled once, like the metrics. */
    String host(Peer peer) {
        return hosts.get(peer);
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
