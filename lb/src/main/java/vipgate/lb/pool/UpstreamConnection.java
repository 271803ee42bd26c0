package vipgate.lb.pool;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One connection to one upstream server, confined to the event loop it was made on. It carries requests one
 * at a time; between them it waits in its loop's {@link LoopPool}.
 */
public final class UpstreamConnection {
    private final Channel channel;
    private final String serverKey;
    private int requests;
    /** Upper bound on idling learnt from the server's Keep-Alive: timeout=N, in nanoseconds; 0 = unknown. */
    private long serverIdleLimitNanos;
    private ScheduledFuture<?> idleTimer;

    public UpstreamConnection(Channel channel, String serverKey) {
        this.channel = channel;
        this.serverKey = serverKey;
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

    void idleTimer(ScheduledFuture<?> timer) {
        this.idleTimer = timer;
    }

    void cancelIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    public void close() {
        cancelIdleTimer();
        channel.close();
    }
}
