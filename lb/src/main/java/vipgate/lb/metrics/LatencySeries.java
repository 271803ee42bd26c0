package vipgate.lb.metrics;

import io.netty.util.concurrent.FastThreadLocal;
import java.io.PrintStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One latency distribution (e.g. one server's response time) recorded from many event loops without locks or
 * allocation: each recording thread owns a {@link SingleWriterRecorder}, and a reader merges them into a
 * cumulative histogram (never reset, for Prometheus buckets) and a per-interval one (for percentiles and .hlog
 * files).
 *
 * <p>Values are microseconds with two significant digits (1% precision): enough for percentiles and buckets,
 * and ten times smaller than three digits, which matters with a histogram pair per server, thread and metric.
 */
public final class LatencySeries {
    /** Each recording thread's index into every series' recorder array; event loops are few and long-lived. */
    private static final AtomicInteger NEXT_SLOT = new AtomicInteger();
    private static final FastThreadLocal<Integer> SLOT = new FastThreadLocal<>() {
        @Override
        protected Integer initialValue() {
            return NEXT_SLOT.getAndIncrement();
        }
    };
    static final int SIGNIFICANT_DIGITS = 2;

    private final Key key;
    private volatile SingleWriterRecorder[] recorders = new SingleWriterRecorder[0];
    // merged state, guarded by this
    private final Histogram total = newHistogram();
    private Histogram current = newHistogram();
    private Histogram lastInterval = newHistogram();
    private final Histogram scratch = newHistogram();

    /**
     * What a series measures and of what, e.g. scope "server", kind "response", labels {upstream=web,
     * server=10.0.0.1:80}; its name joins them: "server.web.10.0.0.1:80.response".
     */
    public record Key(String scope, String kind, Map<String, String> labels) {
        public Key {
            labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }

        public String name() {
            return scope + "." + String.join(".", labels.values()) + "." + kind;
        }
    }

    LatencySeries(Key key) {
        this.key = key;
    }

    static Histogram newHistogram() {
        return new Histogram(SIGNIFICANT_DIGITS);
    }

    /** The series' name, also its .hlog tag and its /histograms path: no commas or white space. */
    public String name() {
        return key.name();
    }

    public Key key() {
        return key;
    }

    public void recordNanos(long nanos) {
        int slot = SLOT.get();
        SingleWriterRecorder[] r = recorders;
        SingleWriterRecorder recorder = slot < r.length ? r[slot] : null;
        if (recorder == null) {
            recorder = addRecorder(slot);
        }
        recorder.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos)));
    }

    private synchronized SingleWriterRecorder addRecorder(int slot) {
        SingleWriterRecorder[] r = recorders;
        if (slot >= r.length) {
            SingleWriterRecorder[] grown = new SingleWriterRecorder[slot + 1];
            System.arraycopy(r, 0, grown, 0, r.length);
            r = grown;
        }
        if (r[slot] == null) {
            r[slot] = new SingleWriterRecorder(SIGNIFICANT_DIGITS);
        }
        recorders = r;
        return r[slot];
    }

    /** Moves what the recorders hold into the cumulative and the current-interval histograms. */
    synchronized void flush() {
        for (SingleWriterRecorder recorder : recorders) {
            if (recorder != null) {
                recorder.getIntervalHistogramInto(scratch);
                current.add(scratch);
                total.add(scratch);
            }
        }
    }

    /** Ends the current interval: it becomes the one percentiles are read from; returns a copy of it. */
    synchronized Histogram roll(long startMillis, long endMillis) {
        flush();
        Histogram ended = current;
        current = lastInterval;
        current.reset();
        lastInterval = ended;
        lastInterval.setStartTimeStamp(startMillis);
        lastInterval.setEndTimeStamp(endMillis);
        return lastInterval.copy();
    }

    synchronized void addTotalTo(Histogram into) {
        flush();
        into.add(total);
    }

    synchronized void addLastIntervalTo(Histogram into) {
        into.add(lastInterval);
    }

    /** Prints the cumulative distribution in milliseconds (HdrHistogram's percentile table). */
    public void printDistribution(PrintStream out) {
        Histogram copy = newHistogram();
        addTotalTo(copy);
        copy.outputPercentileDistribution(out, 1000.0);
    }

    @Override
    public String toString() {
        return key.name();
    }
}
