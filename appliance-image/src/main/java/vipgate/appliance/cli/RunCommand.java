package vipgate.appliance.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vipgate.appliance.Appliance;
import vipgate.appliance.ApplianceConfig;
import vipgate.appliance.demo.DemoWebNodes;
import vipgate.config.ConfigException;
import vipgate.config.HostPort;

/** {@code vipgate run [-c FILE]}: runs the appliance until SIGTERM/SIGINT; SIGHUP reloads the file. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the appliance. Without -c it serves the embedded demo: a proxy on 127.0.0.1:8080 in front "
                + "of two demo web nodes on 127.0.0.1:8081/8082, admin API on 127.0.0.1:9090.")
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(RunCommand.class.getName());

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "the HOCON configuration (default: embedded demo)")
    Path file;

    @Override
    public Integer call() throws InterruptedException {
        Optional<Path> source = Optional.ofNullable(file);
        ApplianceConfig config;
        try {
            config = ApplianceConfig.load(source);
        } catch (ConfigException e) {
            System.err.println("vipgate: configuration refused:");
            e.problems().forEach(p -> System.err.println("  " + p));
            return 1;
        }
        DemoWebNodes demo = null;
        if (source.isEmpty()) {
            demo = new DemoWebNodes(HostPort.parse("127.0.0.1:8081"), HostPort.parse("127.0.0.1:8082"));
            LOG.info("no -c given: running the embedded demo config; try `curl localhost:8080` twice to see the round "
                    + "robin, and `vipgate run -c /etc/vipgate/vipgate.conf` for a real configuration");
        }
        Appliance appliance;
        try {
            appliance = Appliance.start(source, config);
        } catch (RuntimeException e) {
            System.err.println("vipgate: cannot start: " + e.getMessage());
            if (demo != null) {
                demo.close();
            }
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        DemoWebNodes demoNodes = demo;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping: draining requests in flight");
            appliance.close();
            if (demoNodes != null) {
                demoNodes.close();
            }
            stopped.countDown();
        }, "vipgate-shutdown"));
        Signals.onHangup(() -> {
            try {
                appliance.reload();
            } catch (ConfigException | IllegalStateException e) {
                // already logged by the appliance with every problem
            }
        });
        stopped.await();
        return 0;
    }
}
