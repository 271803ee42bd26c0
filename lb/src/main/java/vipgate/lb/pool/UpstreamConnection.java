package vipgate.lb.pool;

import io.netty.channel.Channel;
import vipgate.lb.metrics.ServerMetrics;
import vipgate.transport.timer.Deadline;

/**
 * One connection to one upstream server, confined to the event loop it was made on. It carries requests one
 * at a time; between them it waits in its loop's {@link LoopPool}.
 */
public final class UpstreamConnection {
    private final Channel channel;
    private final String serverKey;
    private final ServerMetrics metrics;
    private boolean idling;
    private int requests;
    /** Upper bound on idling learnt from the server's Keep-Alive: timeout=N, in nanoseconds; 0 = unknown. */
    private long serverIdleLimitNanos;
    /** Runs {@link #idleExpiry} once the connection has idled in the pool for its timeout. */
    private final Deadline idle;
    private Runnable idleExpiry;
    private long idleSinceNanos;

    public UpstreamConnection(Channel channel, String serverKey, ServerMetrics metrics) {
        this.channel = channel;
        this.serverKey = serverKey;
        this.metrics = metrics;
        this.idle = new Deadline(channel.eventLoop(), () -> idleExpiry.run());
        // a server that closes an idle connection (or sends on it, which closes it) takes it out of the pool at
        // once, instead of leaving it counted idle until a request finds it dead
        channel.closeFuture().addListener(f -> {
            if (idling) {
                idleExpiry.run();
            }
        });
    }

    public Channel channel() {
        return channel;
    }

    public String serverKey() {
        return serverKey;
    }

    /** Requests started on this connection, including the current one. */
    public int requests() {
        return requests;
    }

    public void startRequest() {
        requests++;
    }

    public boolean isReused() {
        return requests > 1;
    }

    public long serverIdleLimitNanos() {
        return serverIdleLimitNanos;
    }

    public void serverIdleLimitNanos(long nanos) {
        this.serverIdleLimitNanos = nanos;
    }

    /**
     * Parks the connection for at most {@code timeoutNanos}; {@code onExpiry} runs if it is still idle then. The
     * deadline is lazy, so a connection that goes back and forth between requests and the pool keeps one pending
     * check instead of scheduling and cancelling one per request.
     */
    void markIdle(long nowNanos, long timeoutNanos, Runnable onExpiry) {
        idleSinceNanos = nowNanos;
        idleExpiry = onExpiry;
        idle.arm(timeoutNanos);
        setIdling(true);
    }

    /** When it was last parked. */
    long idleSinceNanos() {
        return idleSinceNanos;
    }

    void markBusy() {
        idle.disarm();
        setIdling(false);
    }

    public void close() {
        idle.cancel();
        setIdling(false);
        channel.close();
    }

    private void setIdling(boolean now) {
        if (idling != now) {
            idling = now;
            metrics.idleChanged(now ? 1 : -1);
        }
    }
}
