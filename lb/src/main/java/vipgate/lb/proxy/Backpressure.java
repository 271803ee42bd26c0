package vipgate.lb.proxy;

import io.netty.channel.Channel;
import vipgate.transport.timer.Deadline;

/** The proxy's flow control between a client and its server: a side that cannot keep up stops the other's reads. */
final class Backpressure {
    private Backpressure() {
    }

    /**
     * Flushes a side whose outbound buffer is over its high-water mark: stops reading the side that feeds it and
     * arms its send timeout until channelWritabilityChanged says it drained. Both happen before the flush, because
     * on epoll and nio the flush can drain the buffer into the socket at once and fire that event from inside it;
     * pausing after it would pause for good (the body stopped at ~100 kB until the read timeout). io_uring's
     * writes complete later, which is why it never showed.
     *
     * @param feeder the channel whose reads fill {@code full}, null when none is to pause
     */
    static void flushFull(Channel feeder, Deadline sendTimeout, long timeoutNanos, Channel full) {
        if (feeder != null) {
            feeder.config().setAutoRead(false);
        }
        sendTimeout.arm(timeoutNanos);
        full.flush();
    }
}
