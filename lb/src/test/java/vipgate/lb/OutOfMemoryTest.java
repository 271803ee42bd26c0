package vipgate.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class OutOfMemoryTest {
    private final AtomicInteger status = new AtomicInteger(-1);
    private final OutOfMemory oom = new OutOfMemory(status::set);

    @Test
    void anOutOfMemoryErrorAmongTheCausesSaysGoodbyeThenExits() throws Exception {
        CountDownLatch goodbye = new CountDownLatch(1);
        oom.lastWords(goodbye::countDown);
        boolean fatal = oom.onThrowable(new RuntimeException("wrapped", new OutOfMemoryError("Cannot reserve 65536 bytes")));
        assertThat(fatal).isTrue();
        assertThat(goodbye.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(oom.awaitExit(5000)).isTrue();
        assertThat(status.get()).isEqualTo(OutOfMemory.EXIT_STATUS);
    }

    @Test
    void otherErrorsAreNotFatal() throws Exception {
        assertThat(oom.onThrowable(new UncheckedIOException(new java.io.IOException("reset")))).isFalse();
        assertThat(oom.onThrowable(new StackOverflowError())).isFalse();
        assertThat(oom.awaitExit(100)).isFalse();
    }

    /** Netty's event loops report what they caught by logging it: the log is watched too. */
    @Test
    void anOutOfMemoryErrorLoggedByNettyIsFatal() throws Exception {
        LogRecord r = new LogRecord(Level.WARNING, "Unexpected exception in the selector loop.");
        r.setThrown(new OutOfMemoryError("Direct buffer memory"));
        oom.logWatcher().publish(r);
        assertThat(oom.awaitExit(5000)).isTrue();
    }

    /** A goodbye that hangs (the VRRP loop is stuck too) must not keep a dead process alive. */
    @Test
    void aHangingGoodbyeStillExits() throws Exception {
        oom.lastWords(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException ignored) {
                // the test ends
            }
        });
        long start = System.nanoTime();
        oom.onThrowable(new OutOfMemoryError());
        assertThat(oom.awaitExit(OutOfMemory.LAST_WORDS_MILLIS + 5000)).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(OutOfMemory.LAST_WORDS_MILLIS - 50);
        assertThat(status.get()).isEqualTo(OutOfMemory.EXIT_STATUS);
    }
}
