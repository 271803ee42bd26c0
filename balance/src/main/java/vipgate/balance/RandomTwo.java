package vipgate.balance;

import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * nginx {@code random two least_conn}: draw two different usable peers at random, each with a chance
 * proportional to its weight, and take the one with fewer active requests per weight (the second on a tie).
 * Draws that hit an unusable peer count against the request; past 20 nginx falls back to round robin.
 */
final class RandomTwo extends TieredBalancer {

    private static final int MAX_MISSES = 20;

    /** Only used under the balancer's lock, so any generator will do. */
    private final RandomGenerator random;
    /** Where each peer's share of [0, total weight) starts, as nginx's ranges. */
    private final long[] rangeStarts;
    private final long totalWeight;

    RandomTwo(List<Peer> peers, LongSupplier clock, RandomGenerator random) {
        super(withoutBackups(peers, "random"), clock);
        this.random = random;
        this.rangeStarts = new long[peers.size()];
        long sum = 0;
        for (int i = 0; i < peers.size(); i++) {
            rangeStarts[i] = sum;
            sum += peers.get(i).weight();
        }
        this.totalWeight = sum;
    }

    @Override
    int pick(Tier tier, SelectionContext ctx, long now) {
        if (ctx.walkTries > MAX_MISSES) {
            return tier.smoothWeighted(ctx, now);
        }
        int first = -1;
        while (true) {
            int drawn = draw();
            if (drawn != first && tier.usable(drawn, ctx, now)) {
                if (first < 0) {
                    first = drawn;
                } else {
                    return LeastConn.compareLoad(tier.peer(drawn), tier.peer(first)) > 0 ? first : drawn;
                }
            }
            if (++ctx.walkTries > MAX_MISSES) {
                return tier.smoothWeighted(ctx, now);
            }
        }
    }

    private int draw() {
        int found = Arrays.binarySearch(rangeStarts, random.nextLong(totalWeight));
        return found >= 0 ? found : -found - 2;
    }
}
