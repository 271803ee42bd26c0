package vipgate.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.SingleWriterRecorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import vipgate.lb.metrics.LatencySeries;
import vipgate.lb.metrics.LbMetrics;

/**
 * The hot-path cost of recording one request's latency, for choosing how the proxy records it: a plain
 * {@link Histogram} (one event loop, no reader), a {@link SingleWriterRecorder} per event loop, one shared
 * {@link Recorder} (also with two writing threads, as two event loops on this 2-core machine would), and a
 * {@link LongAdder} counter as the floor of any per-request bookkeeping; then what the proxy actually calls,
 * {@link LatencySeries#recordNanos}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HistogramRecordingBenchmark {

    /** 1 µs to 60 s at 3 significant digits, in microseconds: the range of request latencies. */
    private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(60);
    private static final int DIGITS = 3;

    /** Each writing thread's latencies, spread over many buckets so no single counter stays hot in cache. */
    @State(Scope.Thread)
    public static class Latencies {
        private static final int COUNT = 1024;
        private final long[] micros = new long[COUNT];
        private int next;

        @Setup
        public void setUp() {
            // log-uniform between 100 µs and 100 ms, seeded so every run records the same values
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < COUNT; i++) {
                micros[i] = Math.round(Math.pow(10, 2 + 3 * random.nextDouble()));
            }
        }

        long nextValue() {
            next = (next + 1) & (COUNT - 1);
            return micros[next];
        }
    }

    /** Written by one thread only. */
    @State(Scope.Thread)
    public static class PerThread {
        final Histogram histogram = new Histogram(HIGHEST_MICROS, DIGITS);
        final SingleWriterRecorder singleWriterRecorder = new SingleWriterRecorder(HIGHEST_MICROS, DIGITS);
        final Recorder recorder = new Recorder(HIGHEST_MICROS, DIGITS);
        final LongAdder adder = new LongAdder();
    }

    /** Written by both threads of a group. */
    @State(Scope.Group)
    public static class Shared {
        final Recorder recorder = new Recorder(HIGHEST_MICROS, DIGITS);
        final LongAdder adder = new LongAdder();
        final LatencySeries series = newSeries();
    }

    /** One series as the proxy shares it between event loops; used from one thread. */
    @State(Scope.Benchmark)
    public static class Series {
        final LatencySeries series = newSeries();
    }

    /** A listener's request time, obtained through the public registry as the proxy does. */
    static LatencySeries newSeries() {
        return new LbMetrics().listener("0.0.0.0:80").requestTime();
    }

    @Benchmark
    public void histogram(PerThread s, Latencies l) {
        s.histogram.recordValue(l.nextValue());
    }

    @Benchmark
    public void singleWriterRecorder(PerThread s, Latencies l) {
        s.singleWriterRecorder.recordValue(l.nextValue());
    }

    @Benchmark
    public void recorder(PerThread s, Latencies l) {
        s.recorder.recordValue(l.nextValue());
    }

    /** A per-request counter such as requests_total. */
    @Benchmark
    public void longAdder(PerThread s) {
        s.adder.increment();
    }

    @Benchmark
    @Group("recorder2Threads")
    @GroupThreads(2)
    public void recorderShared(Shared s, Latencies l) {
        s.recorder.recordValue(l.nextValue());
    }

    @Benchmark
    @Group("longAdder2Threads")
    @GroupThreads(2)
    public void longAdderShared(Shared s) {
        s.adder.increment();
    }

    /**
     * The proxy's recording path. JMH's threads are not Netty FastThreadLocalThreads, so finding the thread's
     * recorder takes FastThreadLocal's slower ThreadLocal path: on an event loop it is a little cheaper.
     */
    @Benchmark
    public void latencySeries(Series s, Latencies l) {
        s.series.recordNanos(l.nextValue() * 1000);
    }

    @Benchmark
    @Group("latencySeries2Threads")
    @GroupThreads(2)
    public void latencySeriesShared(Shared s, Latencies l) {
        s.series.recordNanos(l.nextValue() * 1000);
    }
}
