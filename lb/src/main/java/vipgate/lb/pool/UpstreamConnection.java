package vipgate.lb.pool;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
    /** When the connection last went idle; 0 while it carries a request. */
    private long idleSinceNanos;
    private long idleTimeoutNanos;
    private Runnable idleExpiry;
    private long idleCheckAt;

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

    /**
     * Parks the connection for at most {@code timeoutNanos}; {@code onExpiry} runs if it is still idle then. The
     * timer is lazy like the proxy's deadlines: a connection that goes back and forth between requests and the
     * pool keeps one pending check instead of scheduling and cancelling one per request.
     */
    void markIdle(long timeoutNanos, Runnable onExpiry) {
        idleSinceNanos = System.nanoTime();
        idleTimeoutNanos = timeoutNanos;
        idleExpiry = onExpiry;
        if (idleTimer != null && idleCheckAt - (idleSinceNanos + timeoutNanos) > 0) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
        if (idleTimer == null) {
            scheduleIdleCheck(timeoutNanos);
        }
    }

    void markBusy() {
        idleSinceNanos = 0;
    }

    private void scheduleIdleCheck(long delayNanos) {
        idleCheckAt = System.nanoTime() + delayNanos;
        idleTimer = channel.eventLoop().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void checkIdle() {
        idleTimer = null;
        if (idleSinceNanos == 0) {
            return;
        }
        long idle = System.nanoTime() - idleSinceNanos;
        if (idle >= idleTimeoutNanos) {
            idleExpiry.run();
        } else {
            scheduleIdleCheck(idleTimeoutNanos - idle);
        }
    }

    public void close() {
        idleSinceNanos = 0;
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
        channel.close();
    }
}
