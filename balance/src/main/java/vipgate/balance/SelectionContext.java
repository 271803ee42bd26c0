package vipgate.balance;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * One request's dealings with one {@link Balancer}, across its retries: nginx's per-request peer data
 * ({@code rrp}, {@code hp}, {@code rp}). Create one per request and pass it to every {@code select} of that
 * request. Not thread-safe: a request is handled by one event loop at a time.
 */
public final class SelectionContext {

    private final byte[] hashKey;
    private final int maxTries;

    private Balancer balancer;
    /** nginx's {@code peer.tries} as it will be once the attempts made so far are freed. */
    private int triesLeft;
    private boolean onBackup;
    /** Indexes, within the tier in use, of peers this request has tried (nginx's tried bitmap). */
    private final BitSet tried = new BitSet();

    /** Hash ring or random draws that hit an unusable peer; past 20 nginx falls back to round robin. */
    int walkTries;
    /** Index of the hash ring point to look at next (nginx's {@code hp->hash}); -1 until looked up. */
    long ringPosition = -1;
    /** Set by the current selection when it skipped a live peer only because it was full. */
    boolean sawFullPeer;

    private SelectionContext(byte[] hashKey, int maxTries) {
        this.hashKey = hashKey;
        this.maxTries = maxTries;
    }

    /**
     * @param hashKey  the evaluated hash key (UTF-8 encoded for hashing), or null; an empty key makes
     *                 {@link Algorithm#HASH} fall back to round robin, as in nginx
     * @param maxTries nginx's {@code proxy_next_upstream_tries}: at most this many attempts, 0 for no limit
     *                 beyond the number of servers
     */
    public static SelectionContext forRequest(String hashKey, int maxTries) {
        if (maxTries < 0) {
            throw new IllegalArgumentException("maxTries must not be negative, not " + maxTries);
        }
        byte[] key = hashKey == null ? new byte[0] : hashKey.getBytes(StandardCharsets.UTF_8);
        return new SelectionContext(key, maxTries);
    }

    /**
     * Whether nginx would pass the request to another server after the current attempt fails: attempts
     * are bounded by the servers not marked down (and {@code maxTries}), and a lone server is never retried.
     * Whether the failure is worth retrying at all (proxy_next_upstream) is the caller's decision. Ask after
     * releasing the failed attempt.
     */
    public boolean canRetry() {
        return triesLeft > 0;
    }

    byte[] hashKey() {
        return hashKey;
    }

    /** Called at every selection; binds this context to its balancer on the first one. */
    void begin(Balancer by, int balancerTries) {
        if (balancer == null) {
            balancer = by;
            triesLeft = maxTries != 0 ? Math.min(maxTries, balancerTries) : balancerTries;
        } else if (balancer != by) {
            throw new IllegalStateException("a selection context serves one request on one balancer");
        }
        sawFullPeer = false;
    }

    /**
     * A peer was selected. nginx counts the attempt when the peer is freed, which comes to the same; a lone
     * server's single try is used up here, as nginx's free zeroes it.
     */
    void countAttempt() {
        if (triesLeft > 0) {
            triesLeft--;
        }
    }

    boolean onBackup() {
        return onBackup;
    }

    /** nginx moves a request to the backup servers for good, with a fresh tried set. */
    void switchToBackup() {
        onBackup = true;
        tried.clear();
    }

    boolean tried(int index) {
        return tried.get(index);
    }

    void markTried(int index) {
        tried.set(index);
    }
}
