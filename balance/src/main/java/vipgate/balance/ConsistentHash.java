package vipgate.balance;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * nginx {@code hash KEY consistent}: the key's CRC32 finds a point on a ketama ring ({@link HashRing}); a
 * server that cannot take the request passes it on to the next point, and after 20 such misses nginx gives
 * up on the ring and balances by round robin. A key that is empty always goes round robin.
 */
final class ConsistentHash extends TieredBalancer {

    /** nginx's limit on points (and round robin fallback) per request. */
    private static final int MAX_MISSES = 20;

    private final HashRing ring;

    ConsistentHash(List<Peer> peers, LongSupplier clock) {
        super(withoutBackups(peers, "hash"), clock);
        this.ring = HashRing.of(peers);
    }

    @Override
    int pick(Tier tier, SelectionContext ctx, long now) {
        byte[] key = ctx.hashKey();
        if (ctx.walkTries > MAX_MISSES || key.length == 0) {
            return tier.smoothWeighted(ctx, now);
        }
        if (ctx.ringPosition < 0) {
            ctx.ringPosition = ring.positionOf(key);
        }
        while (true) {
            String server = ring.serverAt(ctx.ringPosition);
            // One server name may stand for several peers; nginx balances among them by round robin.
            int index = tier.smoothWeighted(ctx, now, i -> tier.peer(i).name().equals(server));
            if (index >= 0) {
                return index;
            }
            ctx.ringPosition++;
            if (++ctx.walkTries > MAX_MISSES) {
                return tier.smoothWeighted(ctx, now);
            }
        }
    }
}
