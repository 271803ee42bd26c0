package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import vipgate.appliance.bench.VipProbe;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NetNs;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.lab.ApplianceImage;
import vipgate.testkit.lab.Guest;
import vipgate.testkit.lab.VmLab;

/**
 * The appliance image booted as two boxes under qemu (the VM lab), with the image's own example config
 * (/etc/vipgate/vipgate.conf: web nodes 192.0.2.201/202, VIP 192.0.2.130/24) and each box's identity from the
 * kernel command line: seed 002's test procedure with real power-offs, the failover gap seen by a client, and the
 * IPVS hand-over point on the operator's disk booted through the BIOS. The image is built (or taken from the
 * cache) by the documented command, appliance-image/image/build, with the jar of this build.
 *
 * <p>Tagged {@code vm-lab}: part of {@code mvn verify} (about 4-8 minutes with the image cached; a box serves
 * ~45-80 s after qemu starts under TCG); {@code -Dit.excludedGroups=vm-lab} skips them, {@code appliance-image/lab/run}
 * runs only them.
 */
@Tag("vm-lab")
class ApplianceVmIT {
    private static final String VIP = "192.0.2.130";
    /** A VIP of some other director for which box c is a DR real server (ipvs.real-server-mode). */
    private static final String REAL_SERVER_VIP = "192.0.2.140";
    /** Two JVMs in TCG guests share the host's cores: boots and elections get generous, but hard, limits. */
    private static final Duration BOOT_TO_SERVING = Duration.ofMinutes(4);
    private static final Duration FAILOVER = Duration.ofSeconds(60);

    private static ApplianceImage image;
    private static Path jar;

    private VmLab lab;
    private NginxWebNode web1;
    private NginxWebNode web2;
    private Process probe;

    @BeforeAll
    static void buildImage() {
        NetNs.requireRoot();
        NginxWebNode.requireNginx();
        VmLab.requireTools();
        jar = ApplianceProcess.jar();
        image = ApplianceImage.build(Path.of("image/build").toAbsolutePath(), jar, Path.of("target/image").toAbsolutePath());
    }

    private VmLab lab(TestInfo test) {
        lab = new VmLab(image, Path.of("target/vmlab", test.getTestMethod().orElseThrow().getName()).toAbsolutePath());
        return lab;
    }

    @AfterEach
    void tearDown() {
        Cleanup.close(probe == null ? null : (AutoCloseable) probe::destroyForcibly, web1, web2, lab);
    }

    /**
     * Seed 002's five steps with two appliance VMs: round robin through the VIP, the master box loses power (the
     * gap is measured), both boxes down, the backup boots, the master boots and takes the VIP back.
     */
    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void seed002OnTwoApplianceVms(TestInfo test) throws Exception {
        VmLab lab = lab(test);
        NetNs w1 = lab.host("192.0.2.201/24");
        NetNs w2 = lab.host("192.0.2.202/24");
        NetNs client = lab.host("192.0.2.50/24");
        web1 = NginxWebNode.builder().inNamespace(w1, "192.0.2.201").port(80).body("HTTP WEB NODE 01\n").start();
        web2 = NginxWebNode.builder().inNamespace(w2, "192.0.2.202").port(80).body("HTTP WEB NODE 02\n").start();

        Guest a = boxA(lab);
        Guest b = boxB(lab);
        awaitServed(client, "the VIP answers after both boxes booted");
        report("boot-to-serving, two boxes booting together (qemu start -> first answer through the VIP)", a.startedNanos());
        awaitVip(a, true);
        assertThat(holdsVip(b)).as("the backup does not hold the VIP").isFalse();
        assertThat(vrrpState(a)).isEqualTo("MASTER");
        // the VIP and the proxy above are served by a JVM that is not root
        assertUnprivileged(a);
        Await.require(FAILOVER, () -> "box b BACKUP: " + b.run("curl -s 127.0.0.1:9090/status").output(),
                () -> vrrpState(b).equals("BACKUP"));

        // 1. through the VIP the two web nodes alternate
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            seen.add(curlVip(client).orElseThrow());
        }
        assertThat(seen).containsExactlyInAnyOrder("HTTP WEB NODE 01", "HTTP WEB NODE 02");
        // the LVS sync daemons follow VRRP: master on the master, backup on the backup
        awaitSyncDaemon(a, "master");
        awaitSyncDaemon(b, "backup");

        // 2. box a loses power: b takes the VIP over; the client's longest interval without an answer is the gap
        String gap = measureGap(client, a::powerOff);
        System.out.println("[vm-lab] failover on power-off of the master: " + gap);
        awaitVip(b, true);
        assertThat(vrrpState(b)).isEqualTo("MASTER");
        awaitServed(client, "b serves");
        awaitSyncDaemon(b, "master");

        // 3. both boxes down: the VIP is dead
        b.powerOff();
        assertThat(Await.until(FAILOVER, () -> curlVip(client).isEmpty())).as("VIP still answers with both boxes off")
                .isTrue();

        // 4. the backup box boots again: it serves
        Guest b2 = boxB(lab);
        awaitServed(client, "b serves after booting alone");
        report("boot-to-serving, one box booting alone", b2.startedNanos());
        awaitVip(b2, true);

        // 5. the master box boots again: the VIP moves back to it (preemption by the higher priority) once its
        // vipgate runs, which takes a boot's time
        Guest a2 = boxA(lab);
        Await.require(BOOT_TO_SERVING, () -> "box a MASTER again: " + a2.run("curl -s 127.0.0.1:9090/status").output(),
                () -> vrrpState(a2).equals("MASTER"));
        report("boot-to-MASTER, the master box booting again", a2.startedNanos());
        awaitVip(a2, true);
        awaitVip(b2, false);
        awaitServed(client, "a serves again");
        assertThat(vrrpState(a2)).isEqualTo("MASTER");
    }

    /**
     * The hand-over point of the ipvs engine, on the operator's disk booted through SeaBIOS and syslinux: the
     * ip_vs modules are loaded at boot, the LB sysctls are applied, and the shipped config's direct-routing
     * service, programmed by vipgate, shows in {@code ipvsadm -Ln} with its sync daemon. (The ipvs engine's own
     * kernel tests are in {@link IpvsVmIT}.)
     */
    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void ipvsDirectRoutingServiceInTheBiosBootedDisk(TestInfo test) throws Exception {
        VmLab lab = lab(test);
        // this box is also a DR real server of another director's VIP: real-server-mode's sysctls and lo address
        Guest c = lab.guest("c").biosBoot().param("node", "lb-c").param("ip", "192.0.2.21/24")
                .param("set.ipvs.real-server-mode.virtual-addresses", "[\"" + REAL_SERVER_VIP + "\"]").start().awaitShell();

        assertThat(c.sh("cat /proc/cmdline")).doesNotContain("vipgate.app");   // booted by syslinux, not by qemu
        assertThat(c.sh("findmnt -n -o SOURCE /usr/lib/vipgate")).contains("vda4");
        assertThat(c.sh("findmnt -n -o SOURCE,FSTYPE /etc/vipgate")).contains("vda3").contains("ext4");
        assertThat(c.sh("sha256sum /usr/lib/vipgate/vipgate.jar")).startsWith(sha256(jar));
        assertThat(c.sh("hostname").strip()).isEqualTo("lb-c");
        assertThat(c.sh("cat /proc/modules")).contains("ip_vs_wrr ").contains("ip_vs ").contains("nf_conntrack ");
        assertThat(c.sh("sysctl -n net.ipv4.ip_nonlocal_bind net.ipv4.ip_forward net.ipv4.vs.expire_nodest_conn "
                + "net.netfilter.nf_conntrack_max").split("\\s+")).containsExactly("1", "1", "1", "262144");
        Await.require(BOOT_TO_SERVING, () -> "vipgate active: " + c.run("systemctl status vipgate --no-pager -n 20").output(),
                () -> c.run("curl -sf 127.0.0.1:9090/healthz").ok());

        assertUnprivileged(c);
        // real-server-mode under the unprivileged unit: the sysctls from /etc/sysctl.d hold, the VIP is on lo
        assertThat(c.sh("sysctl -n net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce").split("\\s+"))
                .containsExactly("1", "2");
        assertThat(c.sh("ip -4 -o addr show dev lo")).contains(" " + REAL_SERVER_VIP + "/32 ");
        // the access log, written by the vipgate user in its LogsDirectory (a 502: no web node answers here)
        c.run("curl -s -o /dev/null 127.0.0.1/");
        Await.require(FAILOVER, () -> "access log: " + c.run("ls -la /var/log/vipgate").output(),
                () -> c.run("grep -q 'GET / HTTP/1.1' /var/log/vipgate/access.log").ok());
        assertThat(c.sh("stat -c '%U:%G %a' /var/log/vipgate/access.log /etc/vipgate /etc/vipgate/vipgate.conf").lines())
                .containsExactly("vipgate:vipgate 640", "root:vipgate 750", "root:vipgate 640");

        // the shipped config's ipvs block: seed 004's service on the VIP's port 443, its sync daemon following VI_1
        awaitSyncDaemon(c, "master");
        String table = c.sh("ipvsadm -Ln");
        System.out.println("[vm-lab] ipvsadm -Ln in the guest:\n" + table);
        assertThat(table).contains("TCP  " + VIP + ":443 wrr persistent 50");
        // no web node answers on 443 in this lab: the TCP checks take both real servers out
        Await.require(FAILOVER, () -> "real servers out: " + c.run("ipvsadm -Ln").output(),
                () -> !c.run("ipvsadm -Ln").output().contains("-> 192.0.2.20"));
    }

    /**
     * vipgate.service's JVM, HTTP parser included, runs as the vipgate user with exactly CAP_NET_BIND_SERVICE,
     * CAP_NET_ADMIN and CAP_NET_RAW (bits 10, 12, 13: 0x3400) in every set, no way to gain more, and seccomp on.
     */
    private static void assertUnprivileged(Guest box) {
        // through cat: on the lab shell's tty systemctl adds terminal escapes
        String pid = box.sh("systemctl show -p MainPID --value vipgate | cat").strip();
        assertThat(pid).matches("[1-9][0-9]*");
        assertThat(box.sh("ps -o user= -p " + pid).strip()).isEqualTo("vipgate");
        String uid = box.sh("id -u vipgate").strip();
        assertThat(uid).isNotEqualTo("0");
        Map<String, String> status = new HashMap<>();
        box.sh("cat /proc/" + pid + "/status").lines().map(l -> l.split(":\\s*", 2)).filter(kv -> kv.length == 2)
                .forEach(kv -> status.put(kv[0], kv[1].strip()));
        System.out.println("[vm-lab] " + box.name() + " vipgate " + pid + ": " + status.get("Uid") + " CapEff "
                + status.get("CapEff") + " CapAmb " + status.get("CapAmb") + " CapBnd " + status.get("CapBnd"));
        assertThat(status.get("Uid").split("\\s+")).as("real, effective, saved, fs uid").containsOnly(uid);
        for (String set : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
            assertThat(status.get(set)).as(set).isEqualTo("0000000000003400");
        }
        assertThat(status.get("NoNewPrivs")).isEqualTo("1");
        assertThat(status.get("Seccomp")).as("seccomp filter mode").isEqualTo("2");
    }

    private static Guest boxA(VmLab lab) {
        return lab.guest("a").jar(jar).param("node", "lb-a").param("ip", "192.0.2.11/24").param("priority", "100")
                .param("state", "master").start();
    }

    private static Guest boxB(VmLab lab) {
        return lab.guest("b").jar(jar).param("node", "lb-b").param("ip", "192.0.2.12/24").param("priority", "99")
                .param("state", "backup").start();
    }

    private static void awaitSyncDaemon(Guest box, String state) {
        Await.require(FAILOVER, () -> box.name() + " " + state + " sync daemon: " + box.run("ipvsadm -L --daemon").output(),
                () -> box.run("ipvsadm -L --daemon").output().contains(state + " sync daemon (mcast=eth0, syncid=51"));
    }

    private static Optional<String> curlVip(NetNs client) {
        try {
            return Optional.of(client.exec("curl", "-s", "-f", "-m", "2", "http://" + VIP + "/").strip());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void awaitServed(NetNs client, String what) {
        Await.require(BOOT_TO_SERVING, what, () -> curlVip(client).isPresent());
    }

    private static boolean holdsVip(Guest box) {
        return box.run("ip -4 -o addr show dev eth0").output().contains(" " + VIP + "/24 ");
    }

    private static void awaitVip(Guest box, boolean present) {
        Await.require(FAILOVER, () -> "VIP " + (present ? "on " : "off ") + box.name() + ": "
                + box.run("ip -4 -o addr show dev eth0").output(), () -> holdsVip(box) == present);
    }

    /** VI_1's state from the admin API in the guest (MASTER, BACKUP, FAULT, INIT), or "?" when it does not answer. */
    private static String vrrpState(Guest box) {
        Guest.Result r = box.run("curl -sf 127.0.0.1:9090/status");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"state\"\\s*:\\s*\"([A-Z]+)\"").matcher(r.output());
        return r.ok() && m.find() ? m.group(1) : "?";
    }

    /**
     * Runs {@link VipProbe} in the client namespace (a new connection per request, one every 10 ms, 500 ms
     * timeouts), hits the box with {@code event} and returns the probe's report: gap, failed requests, recovery.
     */
    private String measureGap(NetNs client, Runnable event) throws IOException {
        List<String> cmd = List.of("ip", "netns", "exec", client.name(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), VipProbe.class.getName(), VIP, "80", "500", "10000",
                "3000", "45000");
        probe = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.US_ASCII));
        assertThat(readLine(out, Duration.ofSeconds(30))).as("the probe gets an answer through the VIP").isEqualTo("READY");
        Writer toProbe = new OutputStreamWriter(probe.getOutputStream(), StandardCharsets.US_ASCII);
        toProbe.write("EVENT " + System.currentTimeMillis() + "\n");
        toProbe.flush();
        event.run();
        String json = readLine(out, Duration.ofSeconds(90));
        assertThat(json).as("the probe's report").startsWith("{\"gapMs\"").contains("\"recovered\":true");
        probe.destroyForcibly();
        return json;
    }

    private static String readLine(BufferedReader in, Duration timeout) {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return in.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        try {
            return line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    private static void report(String what, long startedNanos) {
        System.out.printf(Locale.ROOT, "[vm-lab] %s: %.1f s%n", what, (System.nanoTime() - startedNanos) / 1e9);
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
