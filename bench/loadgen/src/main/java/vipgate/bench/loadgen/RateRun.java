package vipgate.bench.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/** The rate mode: see {@link Options#USAGE}. */
final class RateRun {

    /** Time for every connection to open before the first request is due. */
    private static final long CONNECT_LEAD = TimeUnit.MILLISECONDS.toNanos(200);

    private final Options o;

    RateRun(Options options) {
        this.o = options;
    }

    int run() throws InterruptedException, IOException {
        EventLoopGroup group = LoadGen.newGroup(o.threads());
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor e : group) {
            loops.add((EventLoop) e);
        }
        Stats[] stats = new Stats[loops.size()];
        for (int i = 0; i < stats.length; i++) {
            stats[i] = new Stats();
        }
        ByteBuf request = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer().writeBytes(o.request().getBytes(StandardCharsets.US_ASCII)));
        // Each connection sends every `interval`; their first due times are staggered evenly over one interval, so
        // that together they send at a steady `rate` rather than in bursts of `connections` requests.
        long interval = Math.round(o.connections() * 1e9 / o.rate());
        long start = System.nanoTime() + CONNECT_LEAD;
        long windowStart = start + o.warmupNanos();
        long windowEnd = windowStart + o.durationNanos();
        long windowStartEpochMs = System.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(windowStart - System.nanoTime());
        CountDownLatch finished = new CountDownLatch(o.connections());
        List<Connection> connections = new ArrayList<>();
        for (int i = 0; i < o.connections(); i++) {
            EventLoop loop = loops.get(i % loops.size());
            Schedule schedule = new Schedule(start + i * interval / o.connections(), interval, windowStart, windowEnd);
            Connection c = new Connection(LoadGen.bootstrap(loop, o), request, schedule, stats[i % loops.size()],
                    finished::countDown);
            connections.add(c);
            loop.execute(c::connect);
        }
        long waitNanos = windowEnd + o.timeoutNanos() - System.nanoTime();
        finished.await(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        // Stopping the loops also publishes what they wrote (their termination happens-before the await's return).
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await();

        Stats total = new Stats();
        for (Stats s : stats) {
            total.add(s);
        }
        long unfinished = connections.stream().mapToLong(Connection::unfinished).sum();
        if (o.hlog() != null) {
            writeHlog(total.latencies, windowStartEpochMs);
        }
        report(total, unfinished, windowStart);
        return total.answeredTotal > 0 ? 0 : 1;
    }

    private void report(Stats s, long unfinished, long windowStart) {
        Histogram h = s.latencies;
        double seconds = o.durationNanos() / 1e9;
        // Answers to the window's requests over the time they took: the rate itself when the server keeps up, less
        // when they were still coming in after the window.
        double achieved = (s.ok + s.non2xx) / Math.max(seconds, (s.lastAnswer - windowStart) / 1e9);
        long requests = s.ok + s.non2xx + s.errors + unfinished;
        System.out.printf(Locale.ROOT, "loadgen: %s at %.0f req/s over %d connections, %.1f s measured after %.1f s warm-up%n",
                o.url(), o.rate(), o.connections(), seconds, o.warmupNanos() / 1e9);
        System.out.printf(Locale.ROOT, "  requests due in the window %d: 2xx %d, non-2xx %d, errors %d, unanswered %d"
                + " (warm-up errors %d)%n", requests, s.ok, s.non2xx, s.errors, unfinished, s.warmupErrors);
        System.out.printf(Locale.ROOT, "  achieved %.1f req/s (answers to them over the time they took)%n", achieved);
        System.out.printf(Locale.ROOT, "  latency from the due time (CO-corrected), ms: p50 %.3f  p90 %.3f  p99 %.3f"
                + "  p99.9 %.3f  max %.3f%n", ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1e6);
        System.out.printf(Locale.ROOT, "RESULT rate=%.1f requests=%d ok=%d non2xx=%d errors=%d unanswered=%d"
                + " warmup_errors=%d answered_total=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f%n",
                achieved, requests, s.ok, s.non2xx, s.errors, unfinished, s.warmupErrors, s.answeredTotal,
                ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1e6);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e6;
    }

    private void writeHlog(Histogram h, long windowStartEpochMs) throws IOException {
        try (PrintStream out = new PrintStream(Files.newOutputStream(o.hlog()), false, StandardCharsets.US_ASCII)) {
            HistogramLogWriter writer = new HistogramLogWriter(out);
            writer.outputComment(String.format(Locale.ROOT, "loadgen rate %s %.0f req/s, %d connections; latency in ns"
                    + " from the due time", o.url(), o.rate(), o.connections()));
            writer.outputLogFormatVersion();
            writer.outputStartTime(windowStartEpochMs);
            writer.setBaseTime(windowStartEpochMs);
            writer.outputLegend();
            h.setStartTimeStamp(windowStartEpochMs);
            h.setEndTimeStamp(windowStartEpochMs + TimeUnit.NANOSECONDS.toMillis(o.durationNanos()));
            writer.outputIntervalHistogram(h);
        }
    }
}
