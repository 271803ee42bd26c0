package vipgate.balance;

/**
 * What {@link Balancer#select} decided: a peer to try, or why there is none.
 *
 * @param peer the peer to use when {@code outcome} is {@link Outcome#SELECTED}, null otherwise
 */
public record Selection(Outcome outcome, Peer peer) {

    public enum Outcome {
        SELECTED,
        /** Every peer is down, unhealthy, resting after failures, or already tried: nginx's 502. */
        NO_LIVE,
        /** Some live peers were left untried only because they are at max_conns: worth a 503. */
        ALL_BUSY
    }

    static final Selection NO_LIVE = new Selection(Outcome.NO_LIVE, null);
    static final Selection ALL_BUSY = new Selection(Outcome.ALL_BUSY, null);

    public Selection {
        if ((outcome == Outcome.SELECTED) != (peer != null)) {
            throw new IllegalArgumentException("a selection has a peer exactly when it is SELECTED");
        }
    }

    static Selection of(Peer peer) {
        return new Selection(Outcome.SELECTED, peer);
    }

    public boolean isSelected() {
        return outcome == Outcome.SELECTED;
    }
}
