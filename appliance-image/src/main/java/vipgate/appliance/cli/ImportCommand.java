package vipgate.appliance.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vipgate.appliance.importer.Importer;
import vipgate.config.ConfigProblem;

/** {@code vipgate import --keepalived FILE [--nginx FILE] [--scripts DIR] [-o FILE]}: migrate a two-box nginx + keepalived setup. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Translate a keepalived.conf and/or an nginx.conf into one vipgate.conf (HOCON, commented). Every "
                + "repair, left-out directive and difference in behaviour is reported on stderr with file:line and "
                + "in the output's header; the output is checked like `vipgate check` (exit 1 if it would not run).")
final class ImportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--keepalived", paramLabel = "FILE", description = "keepalived.conf (includes are followed)")
    Path keepalived;

    @Option(names = "--nginx", paramLabel = "FILE", description = "nginx.conf (includes are followed)")
    Path nginx;

    @Option(names = "--scripts", paramLabel = "DIR", description = "the old box's keepalived scripts (its /etc/keepalived "
            + "copied here): a tracked script file is read from here by its name, else from its own path, so one that only "
            + "looks after nginx can become vipgate's lb tracking")
    Path scripts;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "where to write vipgate.conf (default: stdout)")
    Path output;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (keepalived == null && nginx == null) {
            err.println("nothing to import: give --keepalived FILE and/or --nginx FILE");
            return 2;
        }
        try {
            Importer.Result result = Importer.run(Optional.ofNullable(keepalived), Optional.ofNullable(nginx),
                    Optional.ofNullable(scripts));
            result.report().findings().forEach(err::println);
            if (output == null) {
                spec.commandLine().getOut().print(result.text());
            } else {
                Files.writeString(output, result.text());
            }
            if (result.rejected().isPresent()) {
                err.println("the imported configuration does not pass `vipgate check`:");
                for (ConfigProblem p : result.rejected().get().problems()) {
                    err.println("  " + p);
                }
                return 1;
            }
            return 0;
        } catch (IOException e) {
            err.println("cannot import: " + e.getMessage());
            return 1;
        } finally {
            spec.commandLine().getOut().flush();
            err.flush();
        }
    }
}
