package vipgate.lb.metrics;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.HdrHistogram.HistogramLogWriter;

/**
 * The interval histograms as an HdrHistogram log (.hlog), one tag per series, readable by
 * {@code HistogramLogProcessor} and HistogramLogAnalyzer. Values are microseconds, so pass
 * {@code -outputValueUnitRatio 1000} to the processor for milliseconds. The file is rotated like logrotate
 * does ({@code NAME} -> {@code NAME.1} -> ... -> {@code NAME.keep}) when it has collected for {@code rotateEvery}.
 */
public final class HistogramLogFile implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HistogramLogFile.class.getName());

    private final Path path;
    private final long rotateEveryMillis;
    private final int keep;
    private PrintStream out;
    private HistogramLogWriter writer;
    private long openedMillis;
    private boolean failing;

    public HistogramLogFile(Path path, Duration rotateEvery, int keep) {
        this.path = path;
        this.rotateEveryMillis = rotateEvery.toMillis();
        this.keep = keep;
    }

    public Path path() {
        return path;
    }

    /** Appends the intervals that just ended; a disk problem is logged once and retried next interval. */
    public synchronized void write(List<LbMetrics.Distribution> intervals, long nowMillis) {
        try {
            if (writer != null && nowMillis - openedMillis >= rotateEveryMillis) {
                closeQuietly();
                rotate();
            }
            if (writer == null) {
                long start = intervals.stream().mapToLong(d -> d.interval().getStartTimeStamp()).min().orElse(nowMillis);
                open(nowMillis, start);
            }
            for (LbMetrics.Distribution d : intervals) {
                d.interval().setTag(d.name());
                writer.outputIntervalHistogram(d.interval());
            }
            out.flush();
            if (out.checkError()) {
                throw new IOException("write to " + path + " failed");
            }
            failing = false;
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                LOG.log(Level.WARNING, "cannot write latency log " + path + " (" + e.getMessage()
                        + "); check the directory and free space, retrying every interval");
            }
            failing = true;
            closeQuietly();
        }
    }

    /** Opens a new file whose entries' timestamps count from {@code baseMillis}. */
    private void open(long nowMillis, long baseMillis) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        if (Files.exists(path) && Files.size(path) > 0) {
            // a file left by an earlier run: a log's timestamps count from its own start, so begin a new one
            rotate();
        }
        out = new PrintStream(Files.newOutputStream(path), false, StandardCharsets.US_ASCII);
        writer = new HistogramLogWriter(out);
        openedMillis = nowMillis;
        writer.outputLogFormatVersion();
        writer.outputComment("vipgate latency log; values in microseconds");
        writer.outputStartTime(baseMillis);
        writer.setBaseTime(baseMillis);
        writer.outputLegend();
    }

    private void rotate() throws IOException {
        for (int i = keep - 1; i >= 1; i--) {
            Path from = rotated(i);
            if (Files.exists(from)) {
                Files.move(from, rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (keep >= 1) {
            Files.move(path, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.deleteIfExists(path);
        }
    }

    private Path rotated(int n) {
        return path.resolveSibling(path.getFileName() + "." + n);
    }

    private void closeQuietly() {
        if (out != null) {
            out.close();
        }
        out = null;
        writer = null;
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }
}
