package vipgate.appliance.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vipgate.ipvs.list.IpvsadmFormat;
import vipgate.ipvs.netlink.IpvsClient;
import vipgate.ipvs.netlink.IpvsException;

/** {@code vipgate ipvs ...}: the kernel's LVS table, read directly from the kernel. */
@Command(name = "ipvs", mixinStandardHelpOptions = true, description = "The kernel's IPVS (LVS) table.",
        subcommands = IpvsCommand.ListCommand.class)
final class IpvsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code vipgate ipvs list [--stats | --rate]}: every service of the kernel, vipgate's or not, exactly as
     * {@code ipvsadm -Ln} prints it, so scripts written for ipvsadm keep working. Needs CAP_NET_ADMIN.
     */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print the kernel's IPVS table like 'ipvsadm -Ln' (numeric), with --stats or --rate like "
                    + "'ipvsadm -Ln --stats' / '--rate'.")
    static final class ListCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.ArgGroup(exclusive = true)
        Counters counters;

        static final class Counters {
            @Option(names = "--stats", description = "connection, packet and byte totals")
            boolean stats;

            @Option(names = "--rate", description = "connections, packets and bytes per second")
            boolean rate;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            IpvsadmFormat.Layout layout = counters == null ? IpvsadmFormat.Layout.DEFAULT
                    : counters.stats ? IpvsadmFormat.Layout.STATS : IpvsadmFormat.Layout.RATE;
            try (IpvsClient client = IpvsClient.open()) {
                out.print(IpvsadmFormat.format(client.info(), client.table(), layout));
                return 0;
            } catch (IpvsException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return 1;
            } catch (java.io.IOException e) {
                spec.commandLine().getErr().println("cannot talk to the kernel: " + e.getMessage());
                return 1;
            } finally {
                out.flush();
            }
        }
    }
}
