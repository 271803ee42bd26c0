package vipgate.balance;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * nginx's default balancing ({@code ngx_http_upstream_get_peer}): smooth weighted round robin, so weights
 * {5, 1, 1} give a a b a c a a rather than a burst of five a.
 */
final class SmoothWeightedRoundRobin extends TieredBalancer {

    SmoothWeightedRoundRobin(List<Peer> peers, LongSupplier clock) {
        super(peers, clock);
    }

    @Override
    int pick(Tier tier, SelectionContext ctx, long now) {
        return tier.smoothWeighted(ctx, now);
    }
}
