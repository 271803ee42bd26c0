package vipgate.appliance.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vipgate.appliance.ApplianceConfig;
import vipgate.config.ConfigException;
import vipgate.config.ConfigProblem;

/** {@code vipgate check -c FILE}: validates a config like {@code nginx -t}; exit 0 when it can run. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate a configuration file and print 'ok' or every error as file:line: what to write instead.")
final class CheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the HOCON file to check")
    Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            ApplianceConfig.load(Optional.of(file));
            out.println("ok");
            return 0;
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) {
                out.println(p);
            }
            out.println(file + ": " + e.problems().size() + (e.problems().size() == 1 ? " error" : " errors"));
            return 1;
        } finally {
            out.flush();
        }
    }
}
