package vipgate.balance;

import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/** Builds the balancer of one upstream. */
public final class Balancers {

    private Balancers() {
    }

    /**
     * @param peers  the upstream's servers in configuration order; each peer belongs to one balancer only.
     *               {@link Algorithm#HASH} and {@link Algorithm#RANDOM_TWO} refuse backups, as nginx does
     * @param clock  nanoseconds of a monotonic clock, {@code System::nanoTime} outside tests; fail_timeout
     *               is measured on it
     * @param random draws for {@link Algorithm#RANDOM_TWO} (required there, ignored otherwise); it is only used
     *               under the balancer's lock, so it need not be thread-safe
     * @throws IllegalArgumentException when the peers do not make a valid upstream for the algorithm
     */
    public static Balancer create(Algorithm algorithm, List<Peer> peers, LongSupplier clock,
            RandomGenerator random) {
        return switch (algorithm) {
            case ROUND_ROBIN -> new SmoothWeightedRoundRobin(peers, clock);
            case LEAST_CONN -> new LeastConn(peers, clock);
            case HASH -> new ConsistentHash(peers, clock);
            case RANDOM_TWO -> new RandomTwo(peers, clock,
                    Objects.requireNonNull(random, "random two needs a random generator"));
        };
    }
}
