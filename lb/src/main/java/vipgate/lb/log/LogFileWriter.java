package vipgate.lb.log;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The thread that moves queued lines to the file: the only place that touches the disk, so a slow or full disk
 * stalls this thread and never an event loop (the queue then fills and further lines are dropped and counted).
 *
 * <p>Lines are written through a 64 KiB buffer and flushed to the file at least every {@code flush} interval
 * (nginx's {@code access_log ... buffer= flush=}). A failing disk is reported once, with what to do; while it
 * fails, lines are dropped and counted and the file is reopened every second until writing works again.
 */
final class LogFileWriter {
    private static final Logger LOG = Logger.getLogger(LogFileWriter.class.getName());
    /**
     * Sleep when no line is waiting. Event loops do not wake this thread (that would cost them a system call per
     * line), so the sleep must be short enough that the queue never fills during it: at 10 ms, a 4 MiB buffer
     * overflows only beyond 400 MB/s of log.
     */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int BATCH = 1024;
    private static final int BUFFER = 64 * 1024;

    /** Opens the log file for appending; a seam for tests, which need a disk that blocks or fails. */
    interface Opener {
        OutputStream open(Path path) throws IOException;
    }

    /** O_APPEND, so lines land at the end even when logrotate's copytruncate has just truncated the file. */
    static final Opener FILES = path -> Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);

    private final LineQueue queue;
    private final Opener opener;
    private final LongAdder dropped;
    private final LongAdder written = new LongAdder();
    private final Thread thread;

    // set by other threads, read by the writer thread
    private volatile Path target;
    private volatile long flushNanos;
    private volatile boolean running = true;

    // the writer thread's own state
    private Path openPath;
    private OutputStream out;
    private long pendingLines;
    private long lastFlush;
    private boolean failing;
    /** The file whose failure was reported, so a switch to another failing file is reported too. */
    private Path failedPath;
    private long retryAt;
    private long droppedWhileFailing;

    private LogFileWriter(LineQueue queue, Opener opener, LongAdder dropped, Path target, Duration flush) {
        this.queue = queue;
        this.opener = opener;
        this.dropped = dropped;
        this.target = target;
        this.flushNanos = flush.toNanos();
        this.thread = new Thread(this::run, "vipgate-access-log");
        thread.setDaemon(true);
    }

    /**
     * Opens {@code target} and starts the thread. The first open happens on the caller's thread, so a log that
     * cannot be opened is reported while the engine starts, and lines of a reload right after still go to it.
     */
    static LogFileWriter start(LineQueue queue, Opener opener, LongAdder dropped, Path target, Duration flush) {
        LogFileWriter w = new LogFileWriter(queue, opener, dropped, target, flush);
        w.open();
        w.thread.start();
        return w;
    }

    /**
     * Closes the current file after the lines queued so far and opens {@code path} (again), or none; a reload
     * reopens even an unchanged path, as nginx's does.
     */
    void target(Path path, Duration flush) {
        flushNanos = flush.toNanos();
        target = path;
        queue.offerReopen();
    }

    /** Closes and reopens the file by its path, e.g. after logrotate renamed it (nginx's {@code -s reopen}). */
    void reopen() {
        queue.offerReopen();
    }

    long writtenLines() {
        return written.sum();
    }

    /** Writes out every line queued so far, closes the file and ends the thread (waiting at most {@code timeout}). */
    void close(Duration timeout) {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (running) {
                int lines = drain(BATCH);
                long now = System.nanoTime();
                if (pendingLines > 0 && now - lastFlush >= flushNanos) {
                    flush();
                }
                if (out == null && failing && target != null && now - retryAt >= 0) {
                    open();
                }
                if (lines == 0) {
                    LockSupport.parkNanos(this, IDLE_NANOS);
                }
            }
            while (drain(BATCH) > 0) {
                // everything queued before close() goes to the file
            }
            closeFile();
        } catch (RuntimeException | Error e) {
            // a bug here must not take the proxy down: lines then pile up to the bound and are dropped and counted
            LOG.log(Level.SEVERE, "the access log writer stopped; access log lines are dropped from now on", e);
        }
    }

    private void switchFile() {
        closeFile();
        if (target == null) {
            failing = false; // switched off: nothing is failing any more
        } else {
            open();
        }
    }

    private void open() {
        Path path = target;
        try {
            out = new BufferedOutputStream(opener.open(path), BUFFER);
            openPath = path;
            lastFlush = System.nanoTime();
            if (failing) {
                failing = false;
                LOG.info("access log " + path + ": writing again; " + droppedWhileFailing + " lines were dropped meanwhile");
            }
        } catch (IOException | RuntimeException e) {
            failed("cannot open", path, e);
        }
    }

    /** Writes at most {@code max} queued lines (or reopens on the way); returns how many entries it took. */
    private int drain(int max) {
        int n = 0;
        String line;
        while (n < max && (line = queue.poll()) != null) {
            n++;
            if (line == LineQueue.REOPEN) {
                switchFile();
            } else if (out == null) {
                drop(1);
            } else {
                write(line);
            }
        }
        return n;
    }

    private void write(String line) {
        try {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            pendingLines++;
        } catch (IOException e) {
            failed("cannot write", openPath, e);
            drop(1);
        }
    }

    private void flush() {
        try {
            out.flush();
            written.add(pendingLines);
            pendingLines = 0;
            lastFlush = System.nanoTime();
        } catch (IOException e) {
            failed("cannot write", openPath, e);
        }
    }

    private void closeFile() {
        if (out == null) {
            return;
        }
        if (pendingLines > 0) {
            flush();
        }
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "access log " + openPath + ": closing failed", e);
            }
            out = null;
        }
    }

    /** The lines not yet on disk are lost; reported once per outage, then retried every second. */
    private void failed(String what, Path path, Exception e) {
        if (!failing || !path.equals(failedPath)) {
            failing = true;
            failedPath = path;
            droppedWhileFailing = 0;
            LOG.severe("access log " + path + ": " + what + " (" + e + "); lines are dropped and counted until writing "
                    + "works again (retried every second): check that the directory exists and is writable and that the "
                    + "disk has space");
        }
        drop(pendingLines);
        pendingLines = 0;
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the stream is broken already; the failure that matters was reported above
            }
            out = null;
        }
        retryAt = System.nanoTime() + RETRY_NANOS;
    }

    private void drop(long lines) {
        dropped.add(lines);
        if (failing) {
            droppedWhileFailing += lines;
        }
    }
}
