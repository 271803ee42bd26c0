package vipgate.stream.metrics;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * One upstream server's counters and its connect latency (microseconds, 2 significant digits, since start); written
 * by every event loop without a lock.
 */
public final class ServerMetrics {
    private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

    private final String upstream;
    private final String server;
    private final LongAdder sessions = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder bytesToServer = new LongAdder();
    private final LongAdder bytesFromServer = new LongAdder();
    private final ConcurrentHistogram connect = new ConcurrentHistogram(MAX_MICROS, 2);

    ServerMetrics(String upstream, String server) {
        this.upstream = upstream;
        this.server = server;
    }

    public String upstream() {
        return upstream;
    }

    public String server() {
        return server;
    }

    public void connected(long nanos) {
        sessions.increment();
        connect.recordValue(Math.min(MAX_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos))));
    }

    public void connectFailed() {
        connectFailures.increment();
    }

    public void sentToServer(int bytes) {
        bytesToServer.add(bytes);
    }

    public void receivedFromServer(int bytes) {
        bytesFromServer.add(bytes);
    }

    public long sessions() {
        return sessions.sum();
    }

    public long connectFailures() {
        return connectFailures.sum();
    }

    public long bytesToServer() {
        return bytesToServer.sum();
    }

    public long bytesFromServer() {
        return bytesFromServer.sum();
    }

    /** A copy of the connect latencies since start, in microseconds. */
    public Histogram connectLatency() {
        return connect.copy();
    }
}
