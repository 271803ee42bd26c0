package vipgate.lb.log;

import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rendered log lines on their way from the event loops (many producers) to the writer thread (one consumer),
 * bounded by memory rather than by a count of lines, since lines vary from 100 bytes to many KiB. Offering never
 * blocks and takes no lock: a lock-free queue plus one atomic add, undone when the line does not fit.
 */
final class LineQueue {
    /**
     * Memory a queued line costs beyond its characters (String and array headers, the queue's slot), so a flood of
     * short lines cannot exceed the bound either.
     */
    static final int LINE_OVERHEAD = 48;
    /**
     * Not a line (compared by identity): the writer reopens the file when it reaches this, so lines queued before a
     * reopen or reload go to the file they were meant for and the ones after to the new one.
     */
    static final String REOPEN = new String("reopen");

    // unbounded as a queue: the byte count is the bound
    private final Queue<String> lines = PlatformDependent.newMpscQueue();
    private final AtomicLong bytes = new AtomicLong();
    private volatile long limit;

    LineQueue(long limit) {
        this.limit = limit;
    }

    /** A reload may change the bound; lines already queued stay. */
    void limit(long limit) {
        this.limit = limit;
    }

    /** Queues the line, or returns false (and queues nothing) when it would exceed the bound. */
    boolean offer(String line) {
        long cost = cost(line);
        if (bytes.addAndGet(cost) > limit) {
            bytes.addAndGet(-cost);
            return false;
        }
        lines.offer(line);
        return true;
    }

    /** Queues {@link #REOPEN}, outside the bound: it must never be dropped. */
    void offerReopen() {
        lines.offer(REOPEN);
    }

    /** The oldest line or {@link #REOPEN}, or null; for the one consumer thread only. */
    String poll() {
        String line = lines.poll();
        if (line != null && line != REOPEN) {
            bytes.addAndGet(-cost(line));
        }
        return line;
    }

    private static long cost(String line) {
        return line.length() + LINE_OVERHEAD;
    }
}
