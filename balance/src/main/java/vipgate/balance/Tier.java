package vipgate.balance;

import java.util.List;
import java.util.function.IntPredicate;

/**
 * The primary or the backup servers of an upstream, in configuration order (nginx's
 * {@code ngx_http_upstream_rr_peers_t}). Indexes into a tier identify peers in a request's tried set.
 */
final class Tier {

    private final List<Peer> peers;
    /** nginx's {@code single}: the only server of an upstream without backups; it is never balanced. */
    final boolean single;
    /** Peers not configured down: nginx's share of a request's attempts for this tier. */
    final int tries;

    Tier(List<Peer> peers, boolean single) {
        this.peers = List.copyOf(peers);
        this.single = single;
        this.tries = (int) peers.stream().filter(p -> !p.isDown()).count();
    }

    int size() {
        return peers.size();
    }

    Peer peer(int index) {
        return peers.get(index);
    }

    /** Whether peer {@code index} may take this request now, nginx's checks in nginx's order. */
    boolean usable(int index, SelectionContext ctx, long now) {
        Peer peer = peers.get(index);
        if (ctx.tried(index) || !peer.isUp() || peer.isResting(now)) {
            return false;
        }
        if (peer.isFull()) {
            ctx.sawFullPeer = true;
            return false;
        }
        return true;
    }

    /**
     * nginx's smooth weighted round robin among the usable peers that {@code among} accepts: each gains its
     * effective weight, the highest current weight wins (the first on ties) and pays back the sum gained,
     * and effective weights lowered by failures recover by one per round.
     *
     * @return the winner's index, or -1 when no peer qualifies
     */
    int smoothWeighted(SelectionContext ctx, long now, IntPredicate among) {
        int best = -1;
        long total = 0;
        for (int i = 0; i < peers.size(); i++) {
            if (!usable(i, ctx, now) || !among.test(i)) {
                continue;
            }
            Peer peer = peers.get(i);
            peer.currentWeight += peer.effectiveWeight;
            total += peer.effectiveWeight;
            if (peer.effectiveWeight < peer.weight()) {
                peer.effectiveWeight++;
            }
            if (best < 0 || peer.currentWeight > peers.get(best).currentWeight) {
                best = i;
            }
        }
        if (best >= 0) {
            peers.get(best).currentWeight -= total;
        }
        return best;
    }

    int smoothWeighted(SelectionContext ctx, long now) {
        return smoothWeighted(ctx, now, i -> true);
    }
}
