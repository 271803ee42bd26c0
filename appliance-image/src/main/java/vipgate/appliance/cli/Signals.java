package vipgate.appliance.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The daemon's signals: SIGHUP means "reload the configuration", as for nginx and keepalived; SIGUSR1 "reopen the
 * access log", as for nginx (logrotate's postrotate); SIGTERM and SIGINT mean "drain and stop". Handling SIGTERM here rather than only in a shutdown hook lets the drain finish before
 * the JVM starts exiting, so the process exits 0 (not 143) and nothing is logged after logging shut down.
 * {@link #close()} gives the signals back to the JVM (for `run` called inside another program, e.g. a test).
 */
@SuppressWarnings("restriction")
final class Signals implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Signals.class.getName());

    private final Map<sun.misc.Signal, sun.misc.SignalHandler> previous = new LinkedHashMap<>();

    /** SIGHUP runs {@code action} on a new thread (it may take a while; a signal handler must not). */
    void onHangup(Runnable action) {
        if (!install("HUP", signal -> {
            LOG.info("SIGHUP: reloading the configuration");
            Thread reload = new Thread(action, "vipgate-reload");
            // the JVM's signal thread has no context class loader, and config loading needs one
            reload.setContextClassLoader(Signals.class.getClassLoader());
            reload.start();
        })) {
            LOG.warning("SIGHUP cannot be handled on this JVM; reload with POST /reload on the admin API");
        }
    }

    /**
     * SIGUSR1 runs {@code action}, which must return quickly. Taken over even without an access log: the JVM's
     * default for SIGUSR1 (HotSpot on Linux leaves it to the application) would end the process.
     */
    void onUser1(Runnable action) {
        if (!install("USR1", signal -> {
            LOG.info("SIGUSR1: reopening the access log");
            action.run();
        })) {
            LOG.warning("SIGUSR1 cannot be handled on this JVM; after rotating the access log, reload (SIGHUP) instead");
        }
    }

    /**
     * SIGTERM and SIGINT run {@code action}, which must return quickly. When this JVM does not let the
     * application handle them (e.g. -Xrs), the JVM's shutdown hooks are the only way to stop cleanly.
     */
    void onTerminate(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            if (!install(name, signal -> {
                LOG.info("SIG" + signal.getName() + ": stopping");
                action.run();
            })) {
                LOG.warning("SIG" + name + " cannot be handled on this JVM; stopping through the shutdown hook instead");
            }
        }
    }

    private boolean install(String name, sun.misc.SignalHandler handler) {
        try {
            sun.misc.Signal signal = new sun.misc.Signal(name);
            sun.misc.SignalHandler old = sun.misc.Signal.handle(signal, handler);
            previous.putIfAbsent(signal, old);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Gives every signal taken over back to the handler it had before. */
    @Override
    public void close() {
        previous.forEach((signal, old) -> {
            try {
                sun.misc.Signal.handle(signal, old);
            } catch (IllegalArgumentException e) {
                // cannot happen for a signal we could handle; nothing to restore then
            }
        });
        previous.clear();
    }
}
