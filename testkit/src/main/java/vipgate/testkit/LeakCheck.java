package vipgate.testkit;

import io.netty.buffer.ByteBufAllocator;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Turns Netty's leak reports (logged, under -Dio.netty.leakDetection.level=paranoid) into test failures.
 * Netty logs through java.util.logging here, as no other logging library is on the test classpath.
 */
public final class LeakCheck implements AutoCloseable {
    /** Held so java.util.logging cannot collect the logger and drop the handler with it. */
    private final Logger logger = Logger.getLogger("io.netty.util.ResourceLeakDetector");
    private final List<String> leaks = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getMessage() != null && record.getMessage().contains("LEAK")) {
                leaks.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    public LeakCheck() {
        logger.addHandler(handler);
    }

    /**
     * Leaks surface only when a collected buffer is noticed by a later allocation, hence the GC-and-allocate
     * rounds. The reference handler thread enqueues collected references after {@code System.gc()} returns, so
     * each round waits until a sentinel of its own has been enqueued before allocating; without that wait a
     * leak could surface in the next class instead. Best effort: a leak can be missed, never invented.
     */
    public List<String> leaks() {
        for (int i = 0; i < 5; i++) {
            collectAndAwaitReferenceProcessing();
            ByteBufAllocator.DEFAULT.buffer(1).release();
        }
        return List.copyOf(leaks);
    }

    private static void collectAndAwaitReferenceProcessing() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        try {
            for (int attempt = 0; attempt < 10; attempt++) {
                System.gc();
                if (queue.remove(100) != null) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Reference.reachabilityFence(sentinel);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
