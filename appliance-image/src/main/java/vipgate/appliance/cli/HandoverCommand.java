package vipgate.appliance.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code vipgate handover}: a planned handover of the running daemon's VRRP master instances (POST /vrrp/handover).
 * Each says priority 0 but keeps its VIPs, and so its clients, until the backup has taken them over and announced
 * them; then this box stays backup. Exit code 0 when every master instance was taken over.
 */
@Command(name = "handover", mixinStandardHelpOptions = true,
        description = {"Hand this box's VRRP master instances over to their backups without dropping a connection attempt:",
                "the backup takes the VIPs and announces them before this box lets them go; this box then stays backup",
                "(it does not preempt the new master) until that one goes away or vipgate restarts."})
final class HandoverCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    AdminCall admin;

    @Override
    public Integer call() throws InterruptedException {
        // the daemon waits for the backup up to a master-down interval (about 4 s with v2's 1 s adverts)
        return admin.send("handover", "POST", "/vrrp/handover", spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
