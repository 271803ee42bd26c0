package vipgate.ipvs.health;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import vipgate.health.CheckResult;
import vipgate.health.ScriptChecker;

/**
 * Runs notify commands (keepalived notify_up / notify_down / quorum_up / quorum_down) one after another, in event
 * order, each bounded by a timeout, through the health module's script runner (no shell, killed with its children
 * at the timeout). A command writable by others than root is refused, as for check scripts.
 */
public final class NotifyCommands {
    private static final System.Logger LOG = System.getLogger(NotifyCommands.class.getName());

    private final ScheduledExecutorService executor;
    private final Duration timeout;
    private CompletableFuture<?> last = CompletableFuture.completedFuture(null);

    /** @param executor starts the processes; never a Netty event loop, forking blocks */
    public NotifyCommands(ScheduledExecutorService executor, Duration timeout) {
        this.executor = executor;
        this.timeout = timeout;
    }

    /**
     * Queues {@code argv} (nothing when empty) after the commands queued before it.
     *
     * @param event what happened, for the log, e.g. "real server 10.0.0.2:80 of 192.168.1.120:80/tcp down"
     * @return the command's result once it has run
     */
    public synchronized CompletableFuture<CheckResult> run(List<String> argv, String event) {
        if (argv.isEmpty()) {
            return CompletableFuture.completedFuture(new CheckResult(true, "no command", 0));
        }
        Optional<String> refused = ScriptChecker.refuseUnsafeScript(Path.of(argv.get(0)));
        if (refused.isPresent()) {
            LOG.log(Level.ERROR, "SECURITY VIOLATION - notify command for " + event + " not run: " + refused.get());
            return CompletableFuture.completedFuture(new CheckResult(false, refused.get(), 0));
        }
        CompletableFuture<CheckResult> result = last.handle((ignored, error) -> null)
                .thenCompose(ignored -> new ScriptChecker(argv, timeout, executor).check());
        last = result;
        return result.whenComplete((r, error) -> {
            if (r != null && !r.healthy()) {
                LOG.log(Level.WARNING, "notify command " + String.join(" ", argv) + " for " + event + ": " + r.detail());
            }
        });
    }
}
