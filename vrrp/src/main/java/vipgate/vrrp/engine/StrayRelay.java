package vipgate.vrrp.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The I/O edge of {@code Action.RelayStrays} (issue 12.12). In a planned handover clients move to the new master at
 * its GARP, also with the segments of connections the old master accepted a moment before (its SYN-ACK was on the
 * way): here they belong to no socket and would be reset, failing those requests. While the relay is on, nftables
 * passes such segments on to the old master, which still holds the VIPs for its grace, at layer 2 ({@code dup to}
 * its address, then drop; the destination stays the VIP), and its socket finishes the exchange.
 *
 * <p>"No socket here" is nftables' socket lookup finding only a listener on the wildcard address (as {@code listen =
 * "0.0.0.0:80"}): {@code socket wildcard 1}. A listener bound to the VIP itself looks the same as a connection, so its
 * strays are not relayed and are reset as before. Needs the {@code nft} command (Debian package nftables); without
 * it handovers work as before and a warning says what is lost. Commands run on one thread of their own, in order,
 * never on the VRRP loop.
 */
final class StrayRelay {
    private static final Logger LOG = Logger.getLogger(StrayRelay.class.getName());
    private static final long NFT_TIMEOUT_MS = 5_000;

    private final String table;
    private final List<InetAddress> vips;
    private final String device;
    private final ExecutorService worker;
    private boolean warned;

    StrayRelay(String instance, List<InetAddress> vips, String device, ExecutorService worker) {
        this.table = tableName(instance);
        this.vips = List.copyOf(vips);
        this.device = device;
        this.worker = worker;
    }

    /** nftables identifiers are letters, digits and underscores here; one table per instance. */
    static String tableName(String instance) {
        return "vipgate_relay_" + instance.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** Removes this instance's tables (a no-op when absent), both families, so a killed run leaves no relay behind. */
    static String removeScript(String table) {
        return "add table ip " + table + "\ndelete table ip " + table + "\n"
                + "add table ip6 " + table + "\ndelete table ip6 " + table + "\n";
    }

    /** One nft transaction: any old relay goes, the new one relays the VIPs of {@code to}'s family to it. */
    static String installScript(String table, List<InetAddress> vips, InetAddress to, String device) {
        boolean v4 = to instanceof Inet4Address;
        String family = v4 ? "ip" : "ip6";
        StringBuilder set = new StringBuilder();
        for (InetAddress vip : vips) {
            if ((vip instanceof Inet4Address) == v4) {
                set.append(set.length() == 0 ? "" : ", ").append(vip.getHostAddress());
            }
        }
        StringBuilder s = new StringBuilder(removeScript(table));
        if (set.length() == 0) {
            return s.toString();
        }
        s.append("table ").append(family).append(' ').append(table).append(" {\n")
                .append("  chain strays {\n")
                .append("    type filter hook prerouting priority filter; policy accept;\n")
                .append("    ").append(family).append(" daddr { ").append(set).append(" } tcp flags & syn == 0")
                .append(" socket wildcard 1 counter dup to ").append(to.getHostAddress().replaceFirst("%.*$", ""))
                .append(" device \"").append(device).append("\" drop\n")
                .append("  }\n")
                .append("}\n");
        return s.toString();
    }

    void start(InetAddress to) {
        String script = installScript(table, vips, to, device);
        worker.execute(() -> {
            if (run(script)) {
                LOG.info(() -> table + ": relaying connections of the leaving master " + to.getHostAddress()
                        + " to it while it still holds the VIPs");
            }
        });
    }

    void stop() {
        String script = removeScript(table);
        worker.execute(() -> run(script));
    }

    /** Removes what a killed run may have left; quiet when nft is not installed. */
    void clearStale() {
        String script = removeScript(table);
        worker.execute(() -> {
            if (nftInstalled()) {
                run(script);
            }
        });
    }

    private boolean run(String script) {
        try {
            Process nft = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
            try (OutputStream in = nft.getOutputStream()) {
                in.write(script.getBytes(StandardCharsets.US_ASCII));
            }
            if (!nft.waitFor(NFT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                nft.destroyForcibly();
                LOG.warning(() -> table + ": nft did not finish in " + NFT_TIMEOUT_MS + " ms; killed");
                return false;
            }
            String output = new String(nft.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (nft.exitValue() != 0) {
                LOG.warning(() -> table + ": nft failed (" + nft.exitValue() + "): " + output);
                return false;
            }
            return true;
        } catch (IOException e) {
            if (!warned) {
                warned = true;
                LOG.warning(() -> table + ": cannot run nft (" + e.getMessage() + "); install nftables, or a handover "
                        + "resets the few connections the leaving master accepted as clients moved");
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean nftInstalled() {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nft"))) {
                return true;
            }
        }
        return false;
    }
}
