package vipgate.lb.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogProcessor;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistogramLogFileTest {
    @TempDir
    Path dir;

    private final LbMetrics metrics = new LbMetrics();

    @Test
    void intervalsReadBackWithTheirTagsAndCounts() throws IOException {
        Path file = dir.resolve("latency.hlog");
        try (HistogramLogFile log = new HistogramLogFile(file, Duration.ofHours(1), 3)) {
            for (int interval = 1; interval <= 3; interval++) {
                for (int i = 0; i < interval * 10; i++) {
                    metrics.listener("0.0.0.0:80").requestTime().recordNanos(2_000_000);
                    metrics.upstream("web").server("10.0.0.1:80").responseTime().recordNanos(1_000_000);
                }
                log.write(metrics.roll(), System.currentTimeMillis());
            }
        }
        Map<String, Long> counts = new HashMap<>();
        int entries = 0;
        HistogramLogReader reader = new HistogramLogReader(file.toFile());
        for (EncodableHistogram h; (h = reader.nextIntervalHistogram()) != null;) {
            entries++;
            assertThat(h.getStartTimeStamp()).isLessThanOrEqualTo(h.getEndTimeStamp());
            counts.merge(h.getTag(), ((org.HdrHistogram.Histogram) h).getTotalCount(), Long::sum);
        }
        assertThat(entries).isEqualTo(3 * 9);
        assertThat(counts).containsEntry("listener.0.0.0.0:80.request", 60L)
                .containsEntry("upstream.web.response", 60L)
                .containsEntry("server.web.10.0.0.1:80.response", 60L)
                .containsEntry("server.web.10.0.0.1:80.connect", 0L);
    }

    @Test
    void hdrHistogramsOwnProcessorSummarisesATag() throws Exception {
        Path file = dir.resolve("latency.hlog");
        try (HistogramLogFile log = new HistogramLogFile(file, Duration.ofHours(1), 3)) {
            for (int i = 1; i <= 100; i++) {
                metrics.listener("0.0.0.0:80").requestTime().recordNanos(i * 1_000_000L);
            }
            log.write(metrics.roll(), System.currentTimeMillis());
        }
        Path out = dir.resolve("summary");
        new HistogramLogProcessor(new String[] {"-i", file.toString(), "-o", out.toString(), "-tag",
            "listener.0.0.0.0:80.request", "-outputValueUnitRatio", "1000"}).run();
        String percentiles = Files.readString(dir.resolve("summary.hgrm"));
        // values are microseconds, so a unit ratio of 1000 prints milliseconds: the median is ~50 ms
        assertThat(percentiles).contains("Mean").containsPattern("5[01]\\.\\d+\\s+0\\.5000");
        assertThat(percentiles).containsPattern("#\\[Max\\s+=\\s+100\\.\\d+, Total count\\s+=\\s+100\\]");
    }

    @Test
    void rotationShiftsOldFilesAndKeepsOnlyTheNewest() throws IOException {
        Path file = dir.resolve("latency.hlog");
        try (HistogramLogFile log = new HistogramLogFile(file, Duration.ofMillis(1), 2)) {
            long now = System.currentTimeMillis();
            for (int i = 0; i < 4; i++) {
                metrics.listener("a").requestTime().recordNanos(1000);
                // each write is "later" than the rotation period, so every write starts a new file
                log.write(metrics.roll(), now + i * 10L);
            }
        }
        assertThat(dir.resolve("latency.hlog")).exists();
        assertThat(dir.resolve("latency.hlog.1")).exists();
        assertThat(dir.resolve("latency.hlog.2")).exists();
        assertThat(dir.resolve("latency.hlog.3")).doesNotExist();
        for (Path p : List.of(file, dir.resolve("latency.hlog.1"))) {
            assertThat(Files.readString(p)).startsWith("#[Histogram log format version");
        }
    }

    @Test
    void aFileLeftByAnEarlierRunIsRotatedAwayNotAppendedTo() throws IOException {
        Path file = dir.resolve("latency.hlog");
        Files.writeString(file, "#[Histogram log format version 1.3]\nold\n");
        try (HistogramLogFile log = new HistogramLogFile(file, Duration.ofHours(1), 1)) {
            metrics.listener("a").requestTime().recordNanos(1000);
            log.write(metrics.roll(), System.currentTimeMillis());
        }
        assertThat(Files.readString(dir.resolve("latency.hlog.1"))).contains("old");
        assertThat(Files.readString(file)).doesNotContain("old");
    }
}
