package vipgate.appliance.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vipgate.config.HostPort;
import vipgate.ipvs.list.IpvsadmFormat;
import vipgate.ipvs.netlink.AddressFamily;
import vipgate.ipvs.netlink.IpvsClient;
import vipgate.ipvs.netlink.IpvsCodec;
import vipgate.ipvs.netlink.IpvsException;
import vipgate.ipvs.netlink.Protocol;
import vipgate.ipvs.netlink.Service;
import vipgate.ipvs.netlink.ServiceKey;

/**
 * {@code vipgate ipvs ...}: the kernel's IPVS table, read directly from the kernel, and ipvsadm's two table-wide
 * maintenance commands. Programming services is the configuration's job (vipgate.ipvs); these need
 * CAP_NET_ADMIN and work on every service of the kernel, vipgate's or not.
 */
@Command(name = "ipvs", mixinStandardHelpOptions = true, description = "The kernel's IPVS (LVS) table.",
        subcommands = {IpvsCommand.ListCommand.class, IpvsCommand.ZeroCommand.class, IpvsCommand.FlushCommand.class})
final class IpvsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** What a subcommand does with the kernel; {@link #withClient} handles opening it and the errors. */
    private interface KernelAction {
        void run(IpvsClient client, PrintWriter out) throws IpvsException;
    }

    /** Runs {@code action} on a fresh client: exit 0, or 1 with the kernel's refusal explained on stderr. */
    private static int withClient(CommandLine.Model.CommandSpec spec, KernelAction action) {
        PrintWriter out = spec.commandLine().getOut();
        try (IpvsClient client = IpvsClient.open()) {
            action.run(client, out);
            return 0;
        } catch (IpvsException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 1;
        } catch (IOException e) {
            spec.commandLine().getErr().println("cannot talk to the kernel: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
        }
    }

    /**
     * {@code vipgate ipvs list [--stats | --rate]}: every service of the kernel, vipgate's or not, exactly as
     * {@code ipvsadm -Ln} prints it, so scripts written for ipvsadm keep working.
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
            IpvsadmFormat.Layout layout = counters == null ? IpvsadmFormat.Layout.DEFAULT
                    : counters.stats ? IpvsadmFormat.Layout.STATS : IpvsadmFormat.Layout.RATE;
            return withClient(spec, (client, out) -> out.print(IpvsadmFormat.format(client.info(), client.table(), layout)));
        }
    }

    /** {@code vipgate ipvs zero [SERVICE]}: ipvsadm -Z, the counters of one service or of all. */
    @Command(name = "zero", mixinStandardHelpOptions = true,
            description = "Zero the packet, byte and connection counters of one service, or of every service "
                    + "(like 'ipvsadm -Z [-t|-u|-f SERVICE]').")
    static final class ZeroCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.ArgGroup(exclusive = true)
        ServiceOption service;

        @Option(names = {"-6", "--ipv6"}, description = "with -f: an IPv6 firewall-mark service")
        boolean ipv6;

        @Override
        public Integer call() {
            Optional<Service> which;
            try {
                // the kernel needs the key only; the scheduler is not sent for ZERO
                which = service == null ? Optional.empty() : Optional.of(Service.of(service.key(ipv6), "rr"));
            } catch (IllegalArgumentException | UnknownHostException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return 2;
            }
            return withClient(spec, (client, out) -> client.zero(which));
        }
    }

    /** {@code vipgate ipvs flush}: ipvsadm -C. */
    @Command(name = "flush", mixinStandardHelpOptions = true,
            description = "Delete every service of the kernel's table, vipgate's or not (like 'ipvsadm -C'). A running "
                    + "vipgate puts its own back at its next reconciliation (a health change or a reload).")
    static final class FlushCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return withClient(spec, (client, out) -> client.execute(IpvsCodec.flush()));
        }
    }

    /** A service as ipvsadm names it: {@code -t|-u|--sctp-service ADDRESS:PORT} or {@code -f MARK}. */
    static final class ServiceOption {
        @Option(names = {"-t", "--tcp-service"}, paramLabel = "ADDRESS:PORT", description = "a TCP service")
        String tcp;

        @Option(names = {"-u", "--udp-service"}, paramLabel = "ADDRESS:PORT", description = "a UDP service")
        String udp;

        @Option(names = "--sctp-service", paramLabel = "ADDRESS:PORT", description = "an SCTP service")
        String sctp;

        @Option(names = {"-f", "--fwmark-service"}, paramLabel = "MARK", description = "a firewall-mark service")
        Integer fwmark;

        ServiceKey key(boolean ipv6) throws UnknownHostException {
            if (fwmark != null) {
                return ServiceKey.fwmark(fwmark, ipv6 ? AddressFamily.INET6 : AddressFamily.INET);
            }
            Protocol protocol = tcp != null ? Protocol.TCP : udp != null ? Protocol.UDP : Protocol.SCTP;
            HostPort hp = HostPort.parse(tcp != null ? tcp : udp != null ? udp : sctp);
            return ServiceKey.of(protocol, InetAddress.getByName(hp.host()), hp.port());
        }
    }
}
