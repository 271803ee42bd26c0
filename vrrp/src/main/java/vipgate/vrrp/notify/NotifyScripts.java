package vipgate.vrrp.notify;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import vipgate.health.ScriptChecker;
import vipgate.vrrp.config.NotifySpec;

/**
 * Runs notify commands off the state machine's thread. keepalived starts them concurrently, so a slow
 * notify_backup can finish after the notify_master that followed it (a classic complaint); here one worker
 * runs them in event order, each bounded by a timeout (SIGTERM to the process and its descendants, SIGKILL
 * {@link #KILL_GRACE} later). The queue is bounded: when it is full, the newest command is dropped and
 * logged rather than the state machine blocked. Running as root, a command writable by non-root users is
 * refused.
 */
public final class NotifyScripts implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NotifyScripts.class.getName());
    /** keepalived's delay between SIGTERM and SIGKILL of a script past its timeout. */
    static final Duration KILL_GRACE = Duration.ofSeconds(2);

    private final Duration timeout;
    private final Function<Path, Optional<String>> safety;
    private final ThreadPoolExecutor worker;

    /**
     * @param queueCapacity commands waiting at most; more are dropped
     * @param timeout how long one command may run
     */
    public NotifyScripts(int queueCapacity, Duration timeout) {
        this(queueCapacity, timeout, ScriptChecker::refuseUnsafeScript);
    }

    /** @param safety tells why a command must not run (tests simulate running as root with it) */
    NotifyScripts(int queueCapacity, Duration timeout, Function<Path, Optional<String>> safety) {
        this.timeout = timeout;
        this.safety = safety;
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queueCapacity), r -> {
            Thread t = new Thread(r, "vrrp-notify");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The commands keepalived runs for this event, in its order: the state's own command as written, then the
     * generic {@code notify} with {@code INSTANCE|GROUP name STATE prio} appended.
     */
    public static List<List<String>> commandsFor(NotifyEvent event, NotifySpec spec) {
        List<List<String>> out = new ArrayList<>();
        List<String> specific = switch (event.kind()) {
            case MASTER -> spec.master();
            case BACKUP -> spec.backup();
            case FAULT -> spec.fault();
            case STOP -> spec.stop();
        };
        if (!specific.isEmpty()) {
            out.add(specific);
        }
        if (!spec.any().isEmpty()) {
            List<String> any = new ArrayList<>(spec.any());
            any.addAll(List.of(event.scope().name(), event.name(), event.kind().name(), Integer.toString(event.priority())));
            out.add(List.copyOf(any));
        }
        return out;
    }

    /**
     * Queues the event's commands; returns at once.
     *
     * @return one future per queued command with its exit code (-1 when refused, killed or not startable)
     */
    public List<Future<Integer>> run(NotifyEvent event, NotifySpec spec) {
        List<Future<Integer>> out = new ArrayList<>();
        for (List<String> argv : commandsFor(event, spec)) {
            try {
                out.add(worker.submit(() -> runOne(argv)));
            } catch (RejectedExecutionException e) {
                LOG.log(Level.WARNING, "notify queue full, not running " + String.join(" ", argv) + " for " + event.fifoLine());
            }
        }
        return out;
    }

    private int runOne(List<String> argv) {
        Optional<String> refused = safety.apply(Path.of(argv.get(0)));
        if (refused.isPresent()) {
            LOG.log(Level.ERROR, "SECURITY VIOLATION - notify command not run: " + refused.get());
            return -1;
        }
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            process.getOutputStream().close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot run notify command " + argv.get(0) + ": " + e.getMessage());
            return -1;
        }
        try {
            if (process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                int code = process.exitValue();
                if (code != 0) {
                    LOG.log(Level.WARNING, "notify command " + String.join(" ", argv) + " exited with " + code);
                }
                return code;
            }
            LOG.log(Level.WARNING, "notify command " + String.join(" ", argv) + " still running after " + timeout + "; killing it");
            kill(process);
            return -1;
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** SIGTERM to the process and its descendants, SIGKILL to what is left after the grace period. */
    private static void kill(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        try {
            process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /** Lets queued commands finish for at most the timeout each, then interrupts. */
    @Override
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(timeout.toMillis() + KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
