package vipgate.balance;

import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * What every nginx balancing module shares through {@code ngx_http_upstream_round_robin.c}: the primary
 * servers, then the backup ones once no primary can take the request, the lone-server shortcut, the
 * connection count and the max_fails/fail_timeout accounting. Subclasses only pick within a tier.
 *
 * <p>One lock per upstream guards all peer state, like nginx's upstream zone lock; work under it is a scan
 * of the peers.
 */
abstract class TieredBalancer implements Balancer {

    private final Lock lock = new ReentrantLock();
    private final LongSupplier clock;
    private final List<Peer> peers;
    private final Tier primary;
    /** null when the upstream has no backup servers. */
    private final Tier backup;
    /** Attempts nginx allows a request: one per server not marked down. */
    private final int tries;

    /** @param clock nanoseconds of a monotonic clock, e.g. {@code System::nanoTime} */
    TieredBalancer(List<Peer> peers, LongSupplier clock) {
        List<Peer> primaries = peers.stream().filter(p -> !p.isBackup()).toList();
        List<Peer> backups = peers.stream().filter(Peer::isBackup).toList();
        if (primaries.isEmpty()) {
            throw new IllegalArgumentException("an upstream needs at least one server that is not a backup");
        }
        this.clock = clock;
        this.peers = List.copyOf(peers);
        this.primary = new Tier(primaries, primaries.size() == 1 && backups.isEmpty());
        this.backup = backups.isEmpty() ? null : new Tier(backups, false);
        this.tries = primary.tries + (backup == null ? 0 : backup.tries);
        this.peers.forEach(p -> p.adopt(lock));
    }

    /** For balancing methods that nginx does not let have backup servers. */
    static List<Peer> withoutBackups(List<Peer> peers, String method) {
        peers.stream().filter(Peer::isBackup).findFirst().ifPresent(p -> {
            throw new IllegalArgumentException(method + " balancing does not support backup servers (" + p + ")");
        });
        return peers;
    }

    /**
     * The index of the peer for this attempt within a tier of several peers, or -1 when none can take it.
     * Implementations do their algorithm's bookkeeping; marking the peer tried, probing it after
     * fail_timeout and counting the connection are left to the caller.
     */
    abstract int pick(Tier tier, SelectionContext ctx, long now);

    @Override
    public final Selection select(SelectionContext ctx) {
        ctx.begin(this, tries);
        long now = clock.getAsLong();
        lock.lock();
        try {
            Peer peer = selectIn(ctx.onBackup() ? backup : primary, ctx, now);
            if (peer == null && backup != null && !ctx.onBackup()) {
                ctx.switchToBackup();
                peer = selectIn(backup, ctx, now);
            }
            if (peer == null) {
                return ctx.sawFullPeer ? Selection.ALL_BUSY : Selection.NO_LIVE;
            }
            peer.conns++;
            ctx.countAttempt();
            return Selection.of(peer);
        } finally {
            lock.unlock();
        }
    }

    private Peer selectIn(Tier tier, SelectionContext ctx, long now) {
        if (tier.single) {
            return loneServer(tier.peer(0), ctx);
        }
        int index = pick(tier, ctx, now);
        if (index < 0) {
            return null;
        }
        ctx.markTried(index);
        Peer peer = tier.peer(index);
        peer.markChecked(now);
        return peer;
    }

    /** nginx neither balances nor rests a lone server: only being down (or unhealthy) or full keeps it out. */
    private static Peer loneServer(Peer peer, SelectionContext ctx) {
        if (!peer.isUp()) {
            return null;
        }
        if (peer.isFull()) {
            ctx.sawFullPeer = true;
            return null;
        }
        return peer;
    }

    @Override
    public final void release(Peer peer, boolean failed) {
        lock.lock();
        try {
            if (!peer.isOwnedBy(lock)) {
                throw new IllegalArgumentException(peer + " is not a peer of this balancer");
            }
            if (peer.conns == 0) {
                throw new IllegalStateException(peer + " released more often than selected");
            }
            if (!primary.single) {
                if (failed) {
                    peer.recordFailure(clock.getAsLong());
                } else {
                    peer.recordSuccess();
                }
            }
            peer.conns--;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final List<Peer> peers() {
        return peers;
    }
}
