package vipgate.vrrp.notify;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * keepalived's {@code notify_fifo}: one line per state change, e.g. {@code INSTANCE "VI_1" MASTER 100}, in
 * order (the answer to notify scripts running out of order). Opening a FIFO blocks until a reader opens it
 * and writing blocks while the reader is slow, so a dedicated thread writes from a bounded queue; when the
 * queue is full the newest line is dropped and counted instead of stalling VRRP. A reader that goes away
 * (EPIPE) is reopened on the next line. Works with a plain file too.
 */
public final class NotifyFifo implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NotifyFifo.class.getName());
    /** Tells the writer thread to finish once everything before it is written. */
    private static final String END = new String("end");

    private final Path path;
    private final BlockingQueue<String> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;

    public NotifyFifo(Path path, int capacity) {
        this.path = path;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::writeLoop, "vrrp-notify-fifo");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues the event's line; never blocks. */
    public void publish(NotifyEvent event) {
        if (!queue.offer(event.fifoLine())) {
            dropped.incrementAndGet();
        }
    }

    /** Lines dropped because the reader was not keeping up. */
    public long dropped() {
        return dropped.get();
    }

    private void writeLoop() {
        OutputStream out = null;
        try {
            while (true) {
                String line = queue.take();
                if (line == END) {
                    break;
                }
                try {
                    if (out == null) {
                        out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                                StandardOpenOption.APPEND);
                    }
                    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "notify fifo " + path + ": " + e.getMessage() + "; line lost: " + line);
                    out = closeQuietly(out);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(out);
        }
    }

    private static OutputStream closeQuietly(OutputStream out) {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the reader is gone already; nothing to tell it
            }
        }
        return null;
    }

    /**
     * Writes what is queued, waiting at most a second (the writer may be blocked on a FIFO nobody reads;
     * then it is interrupted).
     */
    @Override
    public void close() {
        try {
            if (!queue.offer(END, 1, TimeUnit.SECONDS)) {
                writer.interrupt();
            }
            writer.join(1000);
            if (writer.isAlive()) {
                writer.interrupt();
            }
        } catch (InterruptedException e) {
            writer.interrupt();
            Thread.currentThread().interrupt();
        }
    }
}
