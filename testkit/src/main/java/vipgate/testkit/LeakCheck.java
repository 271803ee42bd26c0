package vipgate.testkit;

import io.netty.buffer.ByteBufAllocator;
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
     * rounds. Best effort: a leak can be missed, never invented.
     */
    public List<String> leaks() {
        for (int i = 0; i < 5; i++) {
            System.gc();
            ByteBufAllocator.DEFAULT.buffer(1).release();
        }
        return List.copyOf(leaks);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
