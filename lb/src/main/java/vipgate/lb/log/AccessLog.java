package vipgate.lb.log;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import vipgate.lb.config.AccessLogSpec;
import vipgate.lb.http.RequestVariables;
import vipgate.lb.http.Template;

/**
 * The engine's access log: one line per request, rendered on the event loop into a bounded queue that a writer
 * thread empties into the file. The proxy never waits for the disk: a line that does not fit is dropped and
 * counted ({@link #droppedLines()}). Switched off (no path), {@link #log} is one volatile read.
 *
 * <p>One log for the whole engine, as one {@code access_log} in nginx's {@code http} block; a format with
 * {@code $host} or {@code $server_port} tells virtual servers apart.
 */
public final class AccessLog implements AutoCloseable {
    /** How long closing waits for the writer to put the last lines on disk. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final LogFileWriter.Opener opener;
    private final LongAdder dropped = new LongAdder();
    private final LineQueue queue = new LineQueue(0);
    /** Null while the log is off. */
    private volatile Template format;
    /** Started with the first file; written under this object's lock. */
    private volatile LogFileWriter writer;

    public AccessLog() {
        this(LogFileWriter.FILES);
    }

    AccessLog(LogFileWriter.Opener opener) {
        this.opener = opener;
    }

    /** Logs one finished request; on its event loop, never blocks. */
    public void log(RequestVariables request) {
        Template f = format;
        if (f == null) {
            return;
        }
        StringBuilder line = new StringBuilder(256);
        f.appendLog(line, request, System.currentTimeMillis());
        line.append('\n');
        if (!queue.offer(line.toString())) {
            dropped.increment();
        }
    }

    /**
     * Takes a (re)loaded configuration: the file is reopened at the (maybe new) path, as nginx reopens its logs on a
     * reload, and the format applies from the next line.
     */
    public synchronized void apply(AccessLogSpec spec) {
        if (spec.path().isEmpty()) {
            format = null;
            if (writer != null) {
                writer.target(null, spec.flush());
            }
            return;
        }
        Path path = spec.path().get();
        queue.limit(spec.buffer());
        if (writer == null) {
            writer = LogFileWriter.start(queue, opener, dropped, path, spec.flush());
        } else {
            writer.target(path, spec.flush());
        }
        format = Template.parse(spec.format());
    }

    /** Reopens the file by its path (SIGUSR1, after logrotate renamed it); nothing when the log is off. */
    public void reopen() {
        LogFileWriter w = writer;
        if (w != null && format != null) {
            w.reopen();
        }
    }

    /** Lines lost because the buffer was full or the disk failed. */
    public long droppedLines() {
        return dropped.sum();
    }

    /** Lines handed to the file system. */
    public long writtenLines() {
        LogFileWriter w = writer;
        return w == null ? 0 : w.writtenLines();
    }

    /** Stops logging, writes what is queued and closes the file. */
    @Override
    public synchronized void close() {
        format = null;
        if (writer != null) {
            writer.close(CLOSE_TIMEOUT);
        }
    }
}
