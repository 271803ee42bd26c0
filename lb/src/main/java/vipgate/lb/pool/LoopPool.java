package vipgate.lb.pool;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Idle upstream connections of one event loop, like nginx's per-worker keepalive cache: one most-recently-used
 * queue per upstream group, searched for the chosen server. Only the owning event loop touches it, so it needs
 * no locks and a request never waits on another thread for a connection.
 *
 * <p>Unlike nginx, a connection given back when the group already holds its {@code maxIdle} is not closed at
 * once: a burst of concurrency needed it a moment ago and will likely need it again (50 clients over 32 kept
 * connections made nginx-style pooling open a new connection for one request in ten). Such surplus connections
 * close once the least recently used of them has idled for the surplus timeout (0 = at once, as nginx), at the
 * next give-back or by a sweep when traffic stops, so the pool settles back to {@code maxIdle}.
 */
public final class LoopPool {
    private final Map<String, ArrayDeque<UpstreamConnection>> idleByGroup = new HashMap<>();
    /** The limits each group's connections were last given back with, for the sweep. */
    private final Map<String, Limits> limitsByGroup = new HashMap<>();
    private final LongSupplier clock;
    private boolean sweepPending;

    private record Limits(int maxIdle, long surplusTimeoutNanos) {
    }

    public LoopPool() {
        this(System::nanoTime);
    }

    /** {@code clock}: nanoTime, or a test's. */
    LoopPool(LongSupplier clock) {
        this.clock = clock;
    }

    /** A live idle connection to the server, most recently used first, or null. */
    public UpstreamConnection poll(String group, String serverKey) {
        ArrayDeque<UpstreamConnection> idle = idleByGroup.get(group);
        if (idle == null) {
            return null;
        }
        for (Iterator<UpstreamConnection> it = idle.iterator(); it.hasNext();) {
            UpstreamConnection c = it.next();
            if (!c.channel().isActive()) {
                it.remove();
                c.close();
            } else if (c.serverKey().equals(serverKey)) {
                it.remove();
                c.markBusy();
                return c;
            }
        }
        return null;
    }

    /**
     * Parks a connection that finished a request cleanly. Beyond {@code maxIdle}, the least recently used ones are
     * closed once they idled for {@code surplusTimeoutNanos}. Each closes itself after {@code idleTimeoutNanos}.
     */
    public void offer(String group, UpstreamConnection c, int maxIdle, long idleTimeoutNanos, long surplusTimeoutNanos) {
        if (maxIdle <= 0 || !c.channel().isActive()) {
            c.close();
            return;
        }
        ArrayDeque<UpstreamConnection> idle = idleByGroup.computeIfAbsent(group, g -> new ArrayDeque<>());
        long now = clock.getAsLong();
        trimSurplus(idle, maxIdle - 1, surplusTimeoutNanos, now);
        idle.addFirst(c);
        long timeout = c.serverIdleLimitNanos() > 0 ? Math.min(idleTimeoutNanos, c.serverIdleLimitNanos()) : idleTimeoutNanos;
        c.markIdle(now, timeout, () -> remove(group, c));
        if (idle.size() > maxIdle) {
            Limits limits = limitsByGroup.get(group);
            if (limits == null || limits.maxIdle() != maxIdle || limits.surplusTimeoutNanos() != surplusTimeoutNanos) {
                // only when they changed (a reload): in a steady surplus this runs for every request
                limitsByGroup.put(group, new Limits(maxIdle, surplusTimeoutNanos));
            }
            scheduleSweep(c.channel().eventLoop(), surplusTimeoutNanos);
        }
    }

    /** Closes the least recently used connections beyond {@code keep} that idled for {@code timeoutNanos}. */
    private static void trimSurplus(ArrayDeque<UpstreamConnection> idle, int keep, long timeoutNanos, long now) {
        while (idle.size() > keep && now - idle.peekLast().idleSinceNanos() >= timeoutNanos) {
            idle.pollLast().close();
        }
    }

    private void scheduleSweep(EventLoop loop, long delayNanos) {
        if (!sweepPending) {
            sweepPending = true;
            loop.schedule(() -> sweep(loop), delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Traffic stopped with surplus connections parked: they close once their timeout has passed. */
    private void sweep(EventLoop loop) {
        sweepPending = false;
        long now = clock.getAsLong();
        long nextDue = Long.MAX_VALUE;
        for (Map.Entry<String, ArrayDeque<UpstreamConnection>> e : idleByGroup.entrySet()) {
            Limits limits = limitsByGroup.get(e.getKey());
            ArrayDeque<UpstreamConnection> idle = e.getValue();
            if (limits == null || idle.size() <= limits.maxIdle()) {
                continue;
            }
            trimSurplus(idle, limits.maxIdle(), limits.surplusTimeoutNanos(), now);
            if (idle.size() > limits.maxIdle()) {
                nextDue = Math.min(nextDue, idle.peekLast().idleSinceNanos() + limits.surplusTimeoutNanos() - now);
            }
        }
        if (nextDue != Long.MAX_VALUE) {
            scheduleSweep(loop, Math.max(nextDue, 1));
        }
    }

    /** Drops a connection that the server closed or that misbehaved while idle. */
    public void remove(String group, UpstreamConnection c) {
        ArrayDeque<UpstreamConnection> idle = idleByGroup.get(group);
        if (idle != null) {
            idle.remove(c);
        }
        c.close();
    }

    public int idleCount() {
        int n = 0;
        for (ArrayDeque<UpstreamConnection> q : idleByGroup.values()) {
            n += q.size();
        }
        return n;
    }

    /** Closes every idle connection, e.g. at shutdown. */
    public void closeAll() {
        idleByGroup.values().forEach(q -> q.forEach(UpstreamConnection::close));
        idleByGroup.clear();
    }
}
