package vipgate.testkit.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NetNs;

/**
 * A VM lab: qemu guests of the appliance image and host-side network namespaces (web nodes, clients) on one L2
 * segment. The segment is a bridge inside a namespace of its own; each guest's NIC is a tap on it and each host
 * namespace an {@code eth0} veth whose peer is a bridge port. Nothing touches the host's own interfaces, so no
 * frame leaves the lab.
 *
 * <pre>{@code
 * NetNs.requireRoot();
 * ApplianceImage image = ApplianceImage.build(buildScript, jar, outDir);
 * try (VmLab lab = new VmLab(image, workDir)) {
 *     NetNs client = lab.host("192.0.2.50/24");
 *     Guest a = lab.guest("a").param("ip", "192.0.2.11/24").jar(jar).start();
 *     a.awaitShell().sh("ip -4 addr show dev eth0");
 * }   // every qemu killed, every tap and namespace removed, also when the test failed
 * }</pre>
 *
 * Each guest keeps {@code console.log}, {@code shell.log} (its command channel), {@code qemu.log} and
 * {@code qemu.cmdline} under {@code workDir/<name>} for the post-mortem.
 */
public final class VmLab implements AutoCloseable {
    private final ApplianceImage image;
    private final Path workDir;
    private final NetNs segment;
    private final List<NetNs> hosts = new ArrayList<>();
    private final List<Guest> guests = new ArrayList<>();
    private final Map<Path, Path> appVolumes = new HashMap<>();
    /** Box name -> MAC: a box booted again keeps its MAC and its tap, as a rebooted server keeps its NIC. */
    private final Map<String, String> boxes = new HashMap<>();
    private final Map<String, Integer> boots = new HashMap<>();
    private int ports;

    /** Fails with the packages to install when qemu or the squashfs tools are missing. */
    public static void requireTools() {
        for (String[] tool : new String[][] {{"/usr/bin/qemu-system-x86_64", "qemu-system-x86"},
                {"/usr/bin/gensquashfs", "squashfs-tools-ng"}}) {
            if (!java.nio.file.Files.isExecutable(Path.of(tool[0]))) {
                throw new IllegalStateException(tool[0] + " is missing: the VM lab needs it; install with `apt-get install "
                        + tool[1] + "` (or run .ci/install-deps)");
            }
        }
    }

    /** Creates the segment: namespace with bridge {@code br0} (no STP delay, multicast flooded like a hub). */
    public VmLab(ApplianceImage image, Path workDir) {
        this.image = image;
        this.workDir = workDir;
        this.segment = NetNs.create();
        try {
            segment.ip("link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0",
                    "mcast_snooping", "0");
            segment.ip("link", "set", "br0", "up");
        } catch (RuntimeException e) {
            segment.close();
            throw e;
        }
    }

    /** The namespace holding the bridge and the taps (qemu runs in it). */
    public NetNs segment() {
        return segment;
    }

    /** A host namespace on the segment, {@code eth0} with {@code cidr} (e.g. 192.0.2.201/24). */
    public synchronized NetNs host(String cidr) {
        NetNs ns = NetNs.create();
        hosts.add(ns);
        String port = "p" + ports++;
        NetNs.veth(ns, "eth0", segment, port);
        segment.ip("link", "set", port, "master", "br0");
        ns.ip("addr", "add", cidr, "dev", "eth0");
        return ns;
    }

    /**
     * A guest named {@code name} (lower-case letters and digits: it names the tap and the log directory). The same
     * name again, after the earlier guest was powered off, is the same box booting again: same tap, same MAC.
     */
    public synchronized Guest.Builder guest(String name) {
        if (!name.matches("[a-z0-9]{1,8}")) {
            throw new IllegalArgumentException("guest names are 1-8 lower-case letters or digits: " + name);
        }
        // locally administered, unique in the lab
        String mac = boxes.computeIfAbsent(name, n -> String.format(Locale.ROOT, "52:54:00:76:67:%02x", boxes.size() + 1));
        return new Guest.Builder(this, name, mac);
    }

    synchronized Guest start(Guest.Builder b) {
        String tap = "tap-" + b.name();
        int boot = boots.merge(b.name(), 1, Integer::sum);
        if (boot == 1) {
            segment.ip("tuntap", "add", "dev", tap, "mode", "tap");
            segment.ip("link", "set", tap, "master", "br0");
            segment.ip("link", "set", tap, "up");
        } else if (guests.stream().anyMatch(g -> g.name().equals(b.name()) && g.isRunning())) {
            throw new IllegalStateException("guest " + b.name() + " is still running");
        }
        Path app = null;
        if (!b.isBiosBoot()) {
            if (b.jar() == null) {
                throw new IllegalArgumentException("a direct-boot guest needs the jar to run (Builder.jar)");
            }
            app = appVolumes.computeIfAbsent(b.jar(),
                    jar -> ApplianceImage.appVolume(jar, workDir.resolve("app-" + appVolumes.size())));
        }
        Path dir = workDir.resolve(boot == 1 ? b.name() : b.name() + "-boot" + boot);
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", segment.name()));
        command.addAll(b.command(image, dir, tap, app));
        Guest g = Guest.launch(b.name(), dir, command);
        guests.add(g);
        return g;
    }

    /** Powers every guest off and deletes the namespaces (the taps and veths go with them). */
    @Override
    public synchronized void close() {
        List<AutoCloseable> all = new ArrayList<>(guests);
        all.addAll(hosts);
        all.add(segment);
        Cleanup.close(all.toArray(AutoCloseable[]::new));
    }
}
