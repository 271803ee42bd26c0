package vipgate.appliance.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code vipgate reload}: POST /reload on the running daemon's admin API, with the header it requires; prints
 * "reloaded", or the refused file's problems at file:line (exit 1) while the previous configuration keeps running.
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Make the running daemon re-read its configuration file (as SIGHUP does) and say whether it took it.")
final class ReloadCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    AdminCall admin;

    @Override
    public Integer call() throws InterruptedException {
        return admin.send("reload", "POST", "/reload", spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
