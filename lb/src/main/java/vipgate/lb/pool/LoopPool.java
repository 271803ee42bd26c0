package vipgate.lb.pool;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Idle upstream connections of one event loop, like nginx's per-worker keepalive cache: one most-recently-used
 * queue per upstream group, searched for the chosen server. Only the owning event loop touches it, so it needs
 * no locks and a request never waits on another thread for a connection.
 */
public final class LoopPool {
    private final Map<String, ArrayDeque<UpstreamConnection>> idleByGroup = new HashMap<>();

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
     * Parks a connection that finished a request cleanly; when the group already holds {@code maxIdle}, the
     * least recently used one is closed. The connection closes itself after {@code idleTimeoutNanos}.
     */
    public void offer(String group, UpstreamConnection c, int maxIdle, long idleTimeoutNanos) {
        if (maxIdle <= 0 || !c.channel().isActive()) {
            c.close();
            return;
        }
        ArrayDeque<UpstreamConnection> idle = idleByGroup.computeIfAbsent(group, g -> new ArrayDeque<>());
        while (idle.size() >= maxIdle) {
            idle.pollLast().close();
        }
        idle.addFirst(c);
        long timeout = c.serverIdleLimitNanos() > 0 ? Math.min(idleTimeoutNanos, c.serverIdleLimitNanos()) : idleTimeoutNanos;
        c.markIdle(timeout, () -> remove(group, c));
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
