package vipgate.appliance.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vipgate status}: asks the running daemon's admin API for its status and prints it as tables (or JSON).
 * The admin address and token come from the config file, so on an appliance no option is needed.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show listeners, upstream servers (state, weights, connections, latency) and VRRP instances of the running daemon.")
final class StatusCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    AdminCall admin;

    @Option(names = "--json", description = "print the JSON of GET /status instead of tables")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        return admin.send("status", "GET", "/status" + (json ? "" : "?format=text"), spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }
}
