package vipgate.appliance.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar vipgate.jar COMMAND}: the appliance's command line. */
@Command(name = "vipgate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "HA load-balancer appliance: HTTP reverse proxy (lb), VRRP and IPVS in one daemon.",
        subcommands = {RunCommand.class, CheckCommand.class, StatusCommand.class, ReloadCommand.class, HandoverCommand.class,
                IpvsCommand.class, ImportCommand.class},
        footer = {"", "Examples:",
                "  # the demo: a proxy on :8080 in front of two web nodes on :8081/:8082",
                "  java -jar vipgate.jar run",
                "  java -jar vipgate.jar run -c /etc/vipgate/vipgate.conf",
                "  # validate a file without running it, like nginx -t",
                "  java -jar vipgate.jar check -c /etc/vipgate/vipgate.conf",
                "  # status tables, metrics, and reloading the file (or: kill -HUP <pid>)",
                "  java -jar vipgate.jar status",
                "  curl -s localhost:9090/metrics",
                "  java -jar vipgate.jar reload",
                "  # planned VRRP handover to the backup (no failed connection attempt)",
                "  java -jar vipgate.jar handover",
                "  # the kernel's LVS table, as ipvsadm -Ln prints it",
                "  java -jar vipgate.jar ipvs list --stats"})
public final class Main implements Runnable {
    static {
        // One readable line per record: "2026-11-22 10:00:00 INFO vipgate.lb.LbEngine: lb engine started ..."
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("run")) {
            RunCommand.removeStaleVips(Arrays.copyOfRange(args, 1, args.length));
        }
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/vipgate/version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"vipgate " + p.getProperty("version", "unknown") + " (Java " + Runtime.version() + ", "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")"};
        }
    }
}
