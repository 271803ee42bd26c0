package vipgate.appliance.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vipgate.appliance.ApplianceConfig;
import vipgate.config.ConfigException;
import vipgate.config.ConfigProblem;

/** {@code vipgate check -c FILE}: validates a config like {@code nginx -t}; exit 0 when it can run. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate a configuration file and print 'ok' or every error as file:line: what to write instead.")
final class CheckCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the HOCON file to check")
    Path file;

    @Override
    public Integer call() {
        try {
            ApplianceConfig.load(Optional.of(file));
            System.out.println("ok");
            return 0;
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) {
                System.out.println(p);
            }
            System.out.println(file + ": " + e.problems().size() + (e.problems().size() == 1 ? " error" : " errors"));
            return 1;
        }
    }
}
