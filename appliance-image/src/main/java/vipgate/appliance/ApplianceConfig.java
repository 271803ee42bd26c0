package vipgate.appliance;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import vipgate.appliance.admin.AdminConfig;
import vipgate.config.ConfigLoader;
import vipgate.config.HostPort;
import vipgate.config.Problems;
import vipgate.config.Section;
import vipgate.ipvs.config.IpvsConfig;
import vipgate.lb.config.LbConfig;
import vipgate.stream.config.StreamConfig;
import vipgate.vrrp.config.VrrpConfig;

/** The whole appliance configuration: the root keys and each engine's part. */
public record ApplianceConfig(String source, String nodeName, AdminConfig admin, LbConfig lb, StreamConfig stream,
        VrrpConfig vrrp, IpvsConfig ipvs) {

    /** The demo configuration shipped inside the jar. */
    public static final String EMBEDDED = "vipgate/default.conf";

    /**
     * Reads a file (or the embedded default when {@code file} is empty) strictly: every problem of the file is
     * collected and thrown together as a {@link vipgate.config.ConfigException}.
     */
    public static ApplianceConfig load(Optional<Path> file) {
        Config user = file.map(ConfigLoader::parseFile).orElseGet(() -> ConfigLoader.parseResource(EMBEDDED));
        String source = file.map(Path::toString).orElse("embedded default (" + EMBEDDED + ")");
        return bind(source, user);
    }

    /** Like {@link #load} for a configuration held in memory; {@code origin} names it in problems. */
    public static ApplianceConfig parse(String text, String origin) {
        return bind(origin, ConfigLoader.parseString(text, origin));
    }

    static ApplianceConfig bind(String source, Config user) {
        Config reference = ConfigLoader.reference();
        Problems problems = new Problems();
        Section root = Section.root(user, reference, problems);
        Section vipgate = root.section("vipgate");
        String nodeName = vipgate.string("node-name");
        if (nodeName.isBlank()) {
            nodeName = hostName();
        }
        Section admin = vipgate.section("admin");
        HostPort adminListen = null;
        try {
            adminListen = HostPort.parse(admin.string("listen"));
        } catch (IllegalArgumentException e) {
            admin.problem("listen", e.getMessage());
        }
        String token = admin.string("token");
        if (adminListen != null && !isLoopback(adminListen) && token.isBlank()) {
            admin.problem("listen", "the admin API on " + adminListen
                    + " is reachable from the network; set vipgate.admin.token or listen on 127.0.0.1");
        }
        List<String> serverNames = admin.strings("server-names");
        for (String name : serverNames) {
            if (!name.matches("[A-Za-z0-9_.-]+")) {
                admin.problem("server-names", "'" + name + "' is not a host name; write names such as \"admin.example.net\""
                        + " (no port, no wildcard)");
            }
        }
        AdminConfig adminConfig = new AdminConfig(adminListen, token, serverNames, admin.positiveDuration("request-timeout"),
                admin.positiveDuration("idle-timeout"), admin.integer("max-connections", 1, 10_000));
        LbConfig lb = LbConfig.bind(vipgate.section("lb"), reference);
        StreamConfig stream = StreamConfig.bind(vipgate.section("stream"), reference);
        VrrpConfig vrrp = VrrpConfig.bind(vipgate.section("vrrp"), reference);
        Section ipvsSection = vipgate.section("ipvs");
        IpvsConfig ipvs = IpvsConfig.bind(ipvsSection, reference);
        ipvs.syncDaemon().filter(d -> !d.vrrpInstance().isEmpty() && !vrrp.instances().containsKey(d.vrrpInstance()))
                .ifPresent(d -> ipvsSection.problem("sync-daemon", "vrrp-instance '" + d.vrrpInstance()
                        + "' is not defined; the sync daemon follows one of vipgate.vrrp.instances " + vrrp.instances().keySet()));
        root.finish();
        problems.throwIfAny();
        return new ApplianceConfig(source, nodeName, adminConfig, lb, stream, vrrp, ipvs);
    }

    public HostPort adminListen() {
        return admin.listen();
    }

    public String adminToken() {
        return admin.token();
    }

    private static boolean isLoopback(HostPort hp) {
        try {
            return InetAddress.getByName(hp.host()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "vipgate";
        }
    }
}
