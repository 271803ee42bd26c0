package vipgate.balance;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * nginx {@code least_conn}: the peer with the fewest active requests per unit of weight; among equals, smooth
 * weighted round robin decides.
 */
final class LeastConn extends TieredBalancer {

    LeastConn(List<Peer> peers, LongSupplier clock) {
        super(peers, clock);
    }

    @Override
    int pick(Tier tier, SelectionContext ctx, long now) {
        int best = -1;
        boolean tied = false;
        for (int i = 0; i < tier.size(); i++) {
            if (!tier.usable(i, ctx, now)) {
                continue;
            }
            int order = best < 0 ? -1 : compareLoad(tier.peer(i), tier.peer(best));
            if (order < 0) {
                best = i;
                tied = false;
            } else if (order == 0) {
                tied = true;
            }
        }
        if (!tied) {
            return best;
        }
        Peer least = tier.peer(best);
        return tier.smoothWeighted(ctx, now, i -> compareLoad(tier.peer(i), least) == 0);
    }

    /** conns/weight of a against b, multiplied out as nginx does to stay in integers. */
    static int compareLoad(Peer a, Peer b) {
        return Long.compare((long) a.conns * b.weight(), (long) b.conns * a.weight());
    }
}
