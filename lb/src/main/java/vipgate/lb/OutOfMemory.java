package vipgate.lb;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Makes any OutOfMemoryError fatal. A JVM that ran out of direct memory stays alive but dead: its event loops catch
 * the error, log it and go on failing every allocation, so systemd never restarts it. {@code -XX:+ExitOnOutOfMemoryError}
 * does not help there (the JDK throws "Cannot reserve ... direct buffer memory" from Java code, which the flag ignores),
 * and where it does act it exits without the VRRP goodbye. This class sees the error wherever it surfaces (a handler's
 * exceptionCaught, an uncaught exception, or a record logged with it, which is how Netty reports its loops' failures),
 * runs the last words given to {@link #beforeExit} (priority 0, so the backup takes the VIP at once) for at most
 * {@value #LAST_WORDS_MILLIS} ms, then halts with status {@value #EXIT_STATUS} for systemd's Restart=on-failure.
 *
 * <p>The threads that do this are started beforehand, so reacting needs no memory.
 */
public final class OutOfMemory {
    /** The status -XX:+ExitOnOutOfMemoryError exits with, too. */
    public static final int EXIT_STATUS = 3;
    static final long LAST_WORDS_MILLIS = 2000;

    private static final OutOfMemory INSTANCE = new OutOfMemory(status -> Runtime.getRuntime().halt(status));

    private final CountDownLatch fatal = new CountDownLatch(1);
    private final AtomicBoolean fired = new AtomicBoolean();
    private final AtomicBoolean halting = new AtomicBoolean();
    private final AtomicBoolean installed = new AtomicBoolean();
    private final CountDownLatch exited = new CountDownLatch(1);
    private volatile Runnable lastWords = () -> { };
    private volatile Throwable cause;

    OutOfMemory(IntConsumer halt) {
        Thread worker = new Thread(() -> {
            awaitQuietly(fatal);
            try {
                System.err.println("vipgate: " + cause + "; leaving VRRP and exiting for a restart");
                lastWords.run();
            } catch (Throwable ignored) {
                // exiting matters more than a clean goodbye
            }
            exit(halt);
        }, "vipgate-oom-exit");
        Thread watchdog = new Thread(() -> {
            awaitQuietly(fatal);
            try {
                Thread.sleep(LAST_WORDS_MILLIS);
            } catch (InterruptedException ignored) {
                // exit now
            }
            exit(halt);
        }, "vipgate-oom-watchdog");
        for (Thread t : new Thread[] {worker, watchdog}) {
            t.setDaemon(true);
            t.start();
        }
    }

    private void exit(IntConsumer halt) {
        if (halting.compareAndSet(false, true)) {
            halt.accept(EXIT_STATUS);
            exited.countDown();
        }
    }

    /**
     * Installs the watchers (default uncaught-exception handler, a root logging handler) and what to do before
     * exiting; the appliance calls it once at start.
     */
    public static void install(Runnable beforeExit) {
        INSTANCE.lastWords = beforeExit;
        if (!INSTANCE.installed.compareAndSet(false, true)) {
            return;
        }
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (!check(e)) {
                Logger.getLogger(OutOfMemory.class.getName()).log(java.util.logging.Level.SEVERE,
                        "uncaught exception in thread " + thread.getName(), e);
            }
        });
        Logger.getLogger("").addHandler(INSTANCE.logWatcher());
    }

    /** Whether {@code t} or one of its causes is an OutOfMemoryError; if so the process exits. */
    public static boolean check(Throwable t) {
        return INSTANCE.onThrowable(t);
    }

    boolean onThrowable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                if (fired.compareAndSet(false, true)) {
                    cause = c;
                    fatal.countDown();
                }
                return true;
            }
        }
        return false;
    }

    void lastWords(Runnable r) {
        lastWords = r;
    }

    Handler logWatcher() {
        return new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getThrown() != null) {
                    onThrowable(record.getThrown());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }

    /** For tests: whether the process was told to exit within the timeout. */
    boolean awaitExit(long millis) throws InterruptedException {
        return exited.await(millis, TimeUnit.MILLISECONDS);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException ignored) {
                // only the latch ends the wait
            }
        }
    }
}
