package vipgate.appliance.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vipgate.appliance.Appliance;
import vipgate.appliance.ApplianceConfig;
import vipgate.appliance.demo.DemoWebNodes;
import vipgate.config.ConfigException;
import vipgate.config.ConfigLoader;
import vipgate.config.HostPort;
import vipgate.vrrp.engine.VrrpEngine;

/**
 * {@code vipgate run [-c FILE]}: runs the appliance until SIGTERM/SIGINT; SIGHUP reloads the file, SIGUSR1 reopens
 * the access log.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the appliance. Without -c it serves the embedded demo: a proxy on 127.0.0.1:8080 in front "
                + "of two demo web nodes on 127.0.0.1:8081/8082, admin API on 127.0.0.1:9090.")
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(RunCommand.class.getName());

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "the HOCON configuration (default: embedded demo)")
    Path file;

    /**
     * Removes the VIPs a killed run left on this box, before the command line is even parsed: until they go, this box
     * answers for addresses the peer has taken over (issue 12 #10), and the rest of the start-up (picocli, the lb,
     * native transports) takes a second or more. Best effort: without {@code -c}, or with a file that does not
     * parse, the normal start reports the problem; the vrrp instances remove them again before they start.
     */
    static void removeStaleVips(String[] runArgs) {
        for (int i = 0; i < runArgs.length; i++) {
            String a = runArgs[i];
            String value = a.startsWith("--config=") ? a.substring("--config=".length())
                    : (a.equals("-c") || a.equals("--config")) && i + 1 < runArgs.length ? runArgs[i + 1]
                    : a.startsWith("-c") && a.length() > 2 ? a.substring(2) : null;
            if (value != null) {
                try {
                    VrrpEngine.removeStaleVips(ConfigLoader.parseFile(Path.of(value)));
                } catch (RuntimeException e) {
                    // reported by the normal start
                }
                return;
            }
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        // Signals are taken over first: a SIGHUP while starting would otherwise kill the JVM (its default action),
        // and a SIGTERM while starting stops the appliance as soon as it runs.
        CountDownLatch stopRequested = new CountDownLatch(1);
        AtomicReference<Appliance> running = new AtomicReference<>();
        try (Signals signals = new Signals()) {
            signals.onTerminate(stopRequested::countDown);
            signals.onHangup(() -> reload(running.get()));
            signals.onUser1(() -> reopenAccessLog(running.get()));
            return run(stopRequested, running);
        }
    }

    private int run(CountDownLatch stopRequested, AtomicReference<Appliance> running) throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Optional<Path> source = Optional.ofNullable(file);
        ApplianceConfig config;
        try {
            config = ApplianceConfig.load(source);
        } catch (ConfigException e) {
            err.println("vipgate: configuration refused:");
            e.problems().forEach(p -> err.println("  " + p));
            err.flush();
            return 1;
        }
        DemoWebNodes demo = null;
        Appliance appliance;
        try {
            if (source.isEmpty()) {
                demo = new DemoWebNodes(HostPort.parse("127.0.0.1:8081"), HostPort.parse("127.0.0.1:8082"));
                LOG.info("no -c given: running the embedded demo config; try `curl localhost:8080` twice to see the "
                        + "round robin, and `vipgate run -c /etc/vipgate/vipgate.conf` for a real configuration");
            }
            appliance = Appliance.start(source, config);
        } catch (RuntimeException e) {
            err.println("vipgate: cannot start: " + e.getMessage());
            err.flush();
            if (demo != null) {
                demo.close();
            }
            return 1;
        }
        running.set(appliance);
        DemoWebNodes demoNodes = demo;
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        Runnable stop = () -> {
            if (!stopping.compareAndSet(false, true)) {
                awaitQuietly(stopped);
                return;
            }
            try {
                LOG.info("stopping: draining requests in flight");
                appliance.close();
                if (demoNodes != null) {
                    demoNodes.close();
                }
                LOG.info("stopped");
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "error while stopping", e);
            } finally {
                stopped.countDown();
            }
        };
        // Stops cleanly on other ways out too (System.exit, or SIGTERM when the JVM keeps its signals, e.g. -Xrs).
        Thread hook = new Thread(() -> {
            stopRequested.countDown();
            stop.run();
        }, "vipgate-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopRequested.await();
        stop.run();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already exiting (the hook is what stopped us)
        }
        return 0;
    }

    private static void reload(Appliance appliance) {
        if (appliance == null) {
            LOG.warning("SIGHUP while starting: the configuration being started is the file's current one already");
            return;
        }
        try {
            appliance.reload();
        } catch (ConfigException | IllegalStateException e) {
            // already logged by the appliance with every problem
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "reload failed; still running the previous configuration", e);
        }
    }

    private static void reopenAccessLog(Appliance appliance) {
        if (appliance != null) {
            appliance.lb().context().accessLog().reopen();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
