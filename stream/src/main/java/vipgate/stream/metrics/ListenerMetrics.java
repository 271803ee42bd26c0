package vipgate.stream.metrics;

import java.util.concurrent.atomic.LongAdder;

/** One stream listen address's counters; written by every event loop without a lock. */
public final class ListenerMetrics {
    private final String address;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder active = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder unavailable = new LongAdder();

    ListenerMetrics(String address) {
        this.address = address;
    }

    public String address() {
        return address;
    }

    public void sessionStarted() {
        accepted.increment();
        active.increment();
    }

    public void sessionEnded() {
        active.decrement();
    }

    /** Bytes read from clients. */
    public void received(int bytes) {
        bytesIn.add(bytes);
    }

    /** Bytes written to clients. */
    public void sent(int bytes) {
        bytesOut.add(bytes);
    }

    /** A client closed because no server could be chosen (all down, resting, full or tried). */
    public void noServer() {
        unavailable.increment();
    }

    public long sessionsAccepted() {
        return accepted.sum();
    }

    public long sessionsActive() {
        return active.sum();
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long bytesOut() {
        return bytesOut.sum();
    }

    public long noServerAvailable() {
        return unavailable.sum();
    }
}
