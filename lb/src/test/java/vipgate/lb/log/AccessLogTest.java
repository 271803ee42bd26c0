package vipgate.lb.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.lb.config.AccessLogSpec;
import vipgate.lb.http.RequestVariables;
import vipgate.testkit.Await;

class AccessLogTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String FORMAT = "$request_uri $status";

    @TempDir
    Path dir;

    private final List<AccessLog> logs = new ArrayList<>();

    @AfterEach
    void closeLogs() {
        logs.forEach(AccessLog::close);
    }

    /** A finished GET of {@code uri} answered 200. */
    private record Request(String uri) implements RequestVariables {
        @Override
        public String remoteAddr() {
            return "192.0.2.7";
        }

        @Override
        public int remotePort() {
            return 51000;
        }

        @Override
        public String host() {
            return "example.com";
        }

        @Override
        public int serverPort() {
            return 80;
        }

        @Override
        public String requestUri() {
            return uri;
        }

        @Override
        public String scheme() {
            return "http";
        }

        @Override
        public String proxyHost() {
            return "web";
        }

        @Override
        public String upstreamAddr() {
            return "10.0.0.1:80";
        }

        @Override
        public String requestHeader(String name) {
            return null;
        }

        @Override
        public int status() {
            return 200;
        }
    }

    private static AccessLogSpec spec(Path path, String format, long buffer, Duration flush) {
        return new AccessLogSpec(Optional.ofNullable(path), format, buffer, flush);
    }

    private AccessLog started(LogFileWriter.Opener opener, AccessLogSpec spec) {
        AccessLog log = new AccessLog(opener);
        logs.add(log);
        log.apply(spec);
        return log;
    }

    private static void logRequests(AccessLog log, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            log.log(new Request(prefix + i));
        }
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    @Test
    void linesReachTheFileWithinTheFlushIntervalAndAreCounted() throws IOException {
        Path file = dir.resolve("access.log");
        AccessLog log = started(LogFileWriter.FILES, spec(file, FORMAT, 4 << 20, Duration.ofMillis(50)));
        logRequests(log, "/a", 3);
        Await.require(WAIT, "3 written lines", () -> log.writtenLines() == 3);
        assertThat(lines(file)).containsExactly("/a0 200", "/a1 200", "/a2 200");
        assertThat(log.droppedLines()).isZero();
    }

    @Test
    void offMeansNoThreadNoFileNoCount() {
        AccessLog log = started(LogFileWriter.FILES, spec(null, FORMAT, 4 << 20, Duration.ofSeconds(1)));
        logRequests(log, "/", 10);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("vipgate-access-log"));
        assertThat(log.writtenLines()).isZero();
        assertThat(log.droppedLines()).isZero();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void closingWritesEverythingQueued() throws IOException {
        Path file = dir.resolve("access.log");
        AccessLog log = started(LogFileWriter.FILES, spec(file, FORMAT, 4 << 20, Duration.ofHours(1)));
        logRequests(log, "/", 5000);
        log.close();
        assertThat(lines(file)).hasSize(5000).startsWith("/0 200").endsWith("/4999 200");
        assertThat(log.writtenLines()).isEqualTo(5000);
    }

    @Test
    void aDiskThatBlocksMakesLinesDropAndBeCountedWhileLoggingNeverWaits() {
        CountDownLatch diskBack = new CountDownLatch(1);
        LogFileWriter.Opener stuck = path -> new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    diskBack.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        AccessLog log = started(stuck, spec(dir.resolve("access.log"), FORMAT, 8 << 10, Duration.ofMillis(10)));
        int offered = 20_000;
        // the writer is blocked in the disk after its first 64 KiB; 20,000 more lines must not wait for it
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> logRequests(log, "/", offered));
        long dropped = log.droppedLines();
        assertThat(dropped).as("dropped while the disk was stuck").isPositive().isLessThan(offered);
        assertThat(log.writtenLines()).isZero();

        diskBack.countDown();
        Await.require(WAIT, () -> "every line written or dropped: " + log.writtenLines() + " + " + log.droppedLines(),
                () -> log.writtenLines() + log.droppedLines() == offered);
        assertThat(log.droppedLines()).as("nothing more dropped once the disk is back").isEqualTo(dropped);
    }

    @Test
    void reopenAfterARenameWritesToANewFileAtThePath() throws IOException {
        Path file = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        AccessLog log = started(LogFileWriter.FILES, spec(file, FORMAT, 4 << 20, Duration.ofMillis(20)));
        logRequests(log, "/before", 2);
        Await.require(WAIT, "2 written lines", () -> log.writtenLines() == 2);
        Files.move(file, rotated); // what logrotate does before its postrotate kill -USR1
        logRequests(log, "/late", 1); // still goes to the renamed file, as with nginx until it reopens
        Await.require(WAIT, "3 written lines", () -> log.writtenLines() == 3);

        log.reopen();
        Await.require(WAIT, "the new file", () -> Files.exists(file));
        logRequests(log, "/after", 2);
        Await.require(WAIT, "5 written lines", () -> log.writtenLines() == 5);
        assertThat(lines(rotated)).containsExactly("/before0 200", "/before1 200", "/late0 200");
        assertThat(lines(file)).containsExactly("/after0 200", "/after1 200");
    }

    @Test
    void aReloadSwitchesPathAndFormatAndOffStopsLogging() throws IOException {
        Path first = dir.resolve("first.log");
        Path second = dir.resolve("second.log");
        AccessLog log = started(LogFileWriter.FILES, spec(first, FORMAT, 4 << 20, Duration.ofMillis(20)));
        logRequests(log, "/", 1);
        log.apply(spec(second, "$remote_addr $request_uri", 1 << 20, Duration.ofMillis(20)));
        logRequests(log, "/", 1);
        Await.require(WAIT, "2 written lines", () -> log.writtenLines() == 2);
        assertThat(lines(first)).containsExactly("/0 200");
        assertThat(lines(second)).containsExactly("192.0.2.7 /0");

        log.apply(spec(null, FORMAT, 4 << 20, Duration.ofMillis(20)));
        logRequests(log, "/", 1);
        log.close();
        assertThat(lines(second)).hasSize(1);
        assertThat(log.writtenLines()).isEqualTo(2);
        assertThat(log.droppedLines()).isZero();
    }

    /** A disk that fails while {@code broken}: the failure is logged once, lines are counted, writing resumes. */
    @Test
    void aFailingDiskIsReportedOnceAndLinesAreCountedUntilItWorksAgain() throws IOException {
        AtomicBoolean broken = new AtomicBoolean(true);
        LogFileWriter.Opener flaky = path -> new FilterOutputStream(LogFileWriter.FILES.open(path)) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (broken.get()) {
                    throw new IOException("No space left on device");
                }
                out.write(b, off, len);
            }
        };
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (records) {
                    records.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(LogFileWriter.class.getName());
        logger.addHandler(capture);
        try {
            Path file = dir.resolve("access.log");
            AccessLog log = started(flaky, spec(file, FORMAT, 4 << 20, Duration.ofMillis(10)));
            for (int round = 0; round < 3; round++) {
                logRequests(log, "/lost", 1);
                long expected = round + 1;
                Await.require(WAIT, "dropped " + expected, () -> log.droppedLines() == expected);
            }
            assertThat(log.writtenLines()).isZero();

            broken.set(false);
            Await.require(WAIT, "writing again", () -> {
                log.log(new Request("/ok"));
                return log.writtenLines() > 0;
            });
            assertThat(lines(file)).isNotEmpty().allMatch(l -> l.equals("/ok 200"));
            synchronized (records) {
                assertThat(records).filteredOn(r -> r.getLevel() == Level.SEVERE).singleElement()
                        .satisfies(r -> assertThat(r.getMessage()).contains(file.toString()).contains("No space left on device")
                                .contains("dropped and counted").contains("check that the directory exists"));
                assertThat(records).filteredOn(r -> r.getLevel() == Level.INFO).singleElement()
                        .satisfies(r -> assertThat(r.getMessage()).contains("writing again; " + log.droppedLines() + " lines were dropped meanwhile"));
            }
        } finally {
            logger.removeHandler(capture);
        }
    }

    @Test
    void aFileThatCannotBeOpenedCountsItsLinesAsDropped() {
        AccessLog log = started(LogFileWriter.FILES, spec(dir.resolve("missing/access.log"), FORMAT, 4 << 20,
                Duration.ofMillis(10)));
        logRequests(log, "/", 3);
        Await.require(WAIT, "3 dropped lines", () -> log.droppedLines() == 3);
        assertThat(log.writtenLines()).isZero();
    }
}
