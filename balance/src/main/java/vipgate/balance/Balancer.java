package vipgate.balance;

import java.util.List;

/**
 * Picks the peer for each attempt of a request, as an nginx upstream balancing module does, and keeps the
 * passive health state. Thread-safe: every event loop shares one balancer per upstream.
 */
public interface Balancer {

    /**
     * Chooses a peer for the next attempt of the request behind {@code ctx}, never one the request already
     * tried, and counts it as in use. A {@link Selection#isSelected() selected} peer must be given back with
     * {@link #release} exactly once, when the attempt ends.
     */
    Selection select(SelectionContext ctx);

    /**
     * Ends an attempt on a peer returned by {@link #select}.
     *
     * @param failed the attempt counts against the peer's max_fails (connect error, timeout, or a response
     *               proxy_next_upstream treats as a failure); a completed exchange is a success
     */
    void release(Peer peer, boolean failed);

    /** Every peer in configuration order, backups included. */
    List<Peer> peers();
}
