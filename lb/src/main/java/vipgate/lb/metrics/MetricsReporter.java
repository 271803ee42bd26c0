package vipgate.lb.metrics;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import vipgate.lb.config.MetricsSpec;

/**
 * Ends a metrics interval every {@code vipgate.lb.metrics.interval} on its own thread (never an event loop) and
 * appends the ended intervals to the .hlog file when one is configured. A reload may change both.
 */
public final class MetricsReporter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MetricsReporter.class.getName());

    private final LbMetrics metrics;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vipgate-metrics");
        t.setDaemon(true);
        return t;
    });
    private MetricsSpec spec;
    private ScheduledFuture<?> ticks;
    private HistogramLogFile hlog;

    public MetricsReporter(LbMetrics metrics) {
        this.metrics = metrics;
    }

    public synchronized void apply(MetricsSpec next) {
        if (next.equals(spec)) {
            return;
        }
        Optional<java.nio.file.Path> path = next.hlogPath();
        if (hlog != null && (spec == null || !Objects.equals(spec.hlogPath(), path)
                || !spec.hlogRotateEvery().equals(next.hlogRotateEvery()) || spec.hlogKeep() != next.hlogKeep())) {
            tick();
            hlog.close();
            hlog = null;
        }
        if (hlog == null && path.isPresent()) {
            hlog = new HistogramLogFile(path.get(), next.hlogRotateEvery(), next.hlogKeep());
            LOG.info(() -> "writing latency histograms to " + path.get() + " every " + next.interval().toMillis() + " ms");
        }
        if (spec == null || !spec.interval().equals(next.interval())) {
            if (ticks != null) {
                ticks.cancel(false);
            }
            long nanos = next.interval().toNanos();
            ticks = thread.scheduleAtFixedRate(this::tick, nanos, nanos, TimeUnit.NANOSECONDS);
        }
        spec = next;
    }

    private synchronized void tick() {
        try {
            List<LbMetrics.Distribution> ended = metrics.roll();
            if (hlog != null) {
                hlog.write(ended, System.currentTimeMillis());
            }
        } catch (RuntimeException e) {
            // a failing tick must not cancel the schedule
            LOG.log(Level.WARNING, "metrics interval failed", e);
        }
    }

    /** Writes the last partial interval and stops. */
    @Override
    public synchronized void close() {
        if (ticks != null) {
            ticks.cancel(false);
        }
        thread.shutdownNow();
        if (hlog != null) {
            tick();
            hlog.close();
            hlog = null;
        }
    }
}
