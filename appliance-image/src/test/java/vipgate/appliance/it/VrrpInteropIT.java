package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.Keepalived;
import vipgate.testkit.NetNs;

/**
 * vipgate and real keepalived 2.2.7 as the two boxes of an HA pair, on one L2 segment of network namespaces
 * (a bridge in a "switch" namespace, one veth per box). Who holds the VIP is read with {@code ip addr} in each
 * box: the operator's own oracle.
 */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class VrrpInteropIT {
    private static final String VIP = TwoBoxSegment.VIP;
    private static final Duration ELECTION = TwoBoxSegment.ELECTION;

    @TempDir
    Path dir;

    private TwoBoxSegment segment;
    private NetNs a;
    private NetNs b;
    private final List<AutoCloseable> running = new ArrayList<>();

    @BeforeAll
    static void requirements() {
        NetNs.requireRoot();
    }

    @BeforeEach
    void segment() {
        segment = new TwoBoxSegment();
        a = segment.a;
        b = segment.b;
    }

    @AfterEach
    void cleanUp() {
        running.add(segment);
        Cleanup.close(running.toArray(AutoCloseable[]::new));
    }

    @Test
    void vipgateMasterKeepalivedBackupV2Pass() throws IOException {
        ApplianceProcess vipgate = vipgate(a, 9311, instance(2, "backup", 100, "unicast-source = \"\"", "pass"));
        Keepalived keepalived = keepalived(b, 2, "BACKUP", 99, "", true);

        awaitVip(a, true);
        awaitVip(b, false);
        assertThat(vipgate.admin("/status")).contains("\"state\":\"MASTER\"");

        // the master box dies: keepalived takes over after its master-down interval
        vipgate.signal("KILL");
        vipgate.awaitExit(Duration.ofSeconds(10));
        awaitVip(b, true);

        // it comes back: stale VIP cleared at start, then it preempts (priority 100 > 99)
        ApplianceProcess again = vipgate(a, 9312, instance(2, "backup", 100, "unicast-source = \"\"", "pass"));
        awaitVip(a, true);
        awaitVip(b, false);
        assertThat(again.admin("/status")).contains("\"state\":\"MASTER\"").doesNotContain("bad-auth");
        assertThat(keepalived.log()).contains("Entering MASTER STATE");
    }

    @Test
    void keepalivedMasterVipgateBackupTakesOverOnGracefulStopV2() throws IOException {
        Keepalived keepalived = keepalived(b, 2, "MASTER", 101, "", true);
        awaitVip(b, true);
        ApplianceProcess vipgate = vipgate(a, 9321, instance(2, "backup", 100, "unicast-source = \"\"", "pass"));
        Await.until(Duration.ofSeconds(5), () -> vipgate.admin("/status").contains("\"adverts-received\":"));
        assertThat(Await.until(ELECTION, () -> vipgate.admin("/status").contains("\"state\":\"BACKUP\"")
                && !vipgate.admin("/status").contains("\"adverts-received\":0"))).as(vipgate.admin("/status")).isTrue();
        awaitVip(a, false);

        // SIGTERM: keepalived says goodbye with priority 0 and vipgate takes over after its skew
        keepalived.stop();
        awaitVip(a, true);

        // keepalived is back as MASTER 101: it preempts and vipgate gives the VIP up
        keepalived.start();
        awaitVip(b, true);
        awaitVip(a, false);
    }

    @Test
    void unicastV3ElectsAndFailsOver() throws IOException {
        ApplianceProcess vipgate = vipgate(a, 9331, 3, instance(3, "backup", 100,
                "unicast-source = \"10.77.0.1\"\n      unicast-peers = [\"10.77.0.2\"]", "none"));
        Keepalived keepalived = keepalived(b, 3, "BACKUP", 99,
                "unicast_src_ip 10.77.0.2\n    unicast_peer {\n        10.77.0.1\n    }", false);
        awaitVip(a, true);
        awaitVip(b, false);
        String status = vipgate.admin("/status");
        assertThat(status).contains("\"state\":\"MASTER\"").contains("\"dropped\":{}");

        vipgate.stop(Duration.ofSeconds(30));
        awaitVip(b, true);
        awaitVip(a, false);
        assertThat(keepalived.log()).contains("Entering MASTER STATE");
    }

    @Test
    void wrongPasswordIsCountedAndNeverObeyed() throws IOException {
        Keepalived keepalived = keepalived(b, 2, "MASTER", 150, "", true);
        awaitVip(b, true);
        String config = instance(2, "backup", 100, "unicast-source = \"\"", "pass").replace("\"1111\"", "\"9999\"");
        ApplianceProcess vipgate = vipgate(a, 9341, config);
        // keepalived's adverts do not authenticate: vipgate drops them, counts them and (alone, as it sees it) takes over
        assertThat(Await.until(ELECTION, () -> vipgate.admin("/status").contains("\"bad-auth\":"))).as(vipgate.admin("/status"))
                .isTrue();
        awaitVip(a, true);
        assertThat(vipgate.admin("/status")).contains("\"adverts-received\":0");
    }

    @Test
    void multicastV3WithCentisecondAdverts() throws IOException {
        String fast = instance(3, "backup", 100, "unicast-source = \"\"", "none").replace("advert-interval = 1s",
                "advert-interval = 100ms");
        ApplianceProcess vipgate = vipgate(a, 9351, 3, fast);
        Keepalived keepalived = keepalived(b, 3, "BACKUP", 99, "", false, "0.1");
        awaitVip(a, true);
        awaitVip(b, false);
        assertThat(vipgate.admin("/status")).contains("\"state\":\"MASTER\"").contains("\"dropped\":{}");

        vipgate.signal("KILL");
        vipgate.awaitExit(Duration.ofSeconds(10));
        awaitVip(b, true);
        assertThat(keepalived.log()).contains("Entering MASTER STATE");
    }

    @Test
    void anotherVridOnTheLinkIsCountedAndIgnored() throws IOException {
        Keepalived other = Keepalived.start(b, keepalivedConfig(b, 2, "MASTER", 150, "", true, "1").replace("virtual_router_id 51",
                "virtual_router_id 52").replace(VIP, "10.77.0.200"));
        running.add(other);
        ApplianceProcess vipgate = vipgate(a, 9361, instance(2, "backup", 100, "unicast-source = \"\"", "pass"));
        // a router with VRID 52 at priority 150 is not our master: vipgate elects itself for VRID 51
        awaitVip(a, true);
        assertThat(Await.until(ELECTION, () -> vipgate.admin("/status").contains("\"wrong-vrid\":"))).as(vipgate.admin("/status"))
                .isTrue();
        assertThat(b.ip("-4", "addr", "show", "dev", "eth0")).contains("10.77.0.200/").doesNotContain(VIP + "/");
    }

    /**
     * Issue 12 #9: a VIP removed by hand (or by another tool) on the master stayed dead until a restart. vipgate now
     * restores it on the address event; keepalived 2.2.7, on the same box and config, at its next advert (~0.1 s).
     */
    @Test
    void aVipRemovedByHandOnTheMasterIsRestored() throws IOException {
        String fast = instance(3, "backup", 100, "unicast-source = \"\"", "none").replace("advert-interval = 1s",
                "advert-interval = 100ms");
        ApplianceProcess vipgate = vipgate(a, 9371, 3, fast);
        awaitVip(a, true);
        long vipgateMicros = restoreMicros(a);
        assertThat(vipgateMicros).as("vipgate restored the VIP (µs)").isBetween(0L, 500_000L);
        assertThat(Await.until(Duration.ofSeconds(5), () -> vipgate.admin("/metrics")
                .contains("vipgate_vrrp_vips_restored_total{instance=\"VI_1\"} 1"))).as(vipgate.admin("/metrics")).isTrue();
        assertThat(vipgate.admin("/status")).contains("\"vips-restored\":1");
        vipgate.stop(Duration.ofSeconds(30));
        awaitVip(a, false);

        keepalived(a, 3, "BACKUP", 100, "", false, "0.1");
        awaitVip(a, true);
        long keepalivedMicros = restoreMicros(a);
        System.out.printf("VIP removed by hand on the master, back after: vipgate %.1f ms, keepalived %.1f ms%n",
                vipgateMicros / 1e3, keepalivedMicros / 1e3);
    }

    /** Deletes the VIP on {@code box} and returns how long (µs, kernel timestamps) it stayed away; -1 if not back in 10 s. */
    private static long restoreMicros(NetNs box) {
        try (VipTimeline timeline = VipTimeline.watch(box)) {
            box.ip("addr", "del", VIP + "/24", "dev", "eth0");
            if (!Await.until(Duration.ofSeconds(10), () -> timeline.changes().stream().anyMatch(VipTimeline.Change::held))) {
                return -1;
            }
            List<VipTimeline.Change> changes = timeline.changes();
            long deleted = changes.stream().filter(c -> !c.held()).findFirst().orElseThrow().micros();
            return changes.stream().filter(VipTimeline.Change::held).findFirst().orElseThrow().micros() - deleted;
        }
    }

    private ApplianceProcess vipgate(NetNs ns, int adminPort, String vrrpInstance) throws IOException {
        return vipgate(ns, adminPort, 2, vrrpInstance);
    }

    private ApplianceProcess vipgate(NetNs ns, int adminPort, int version, String vrrpInstance) throws IOException {
        Path conf = dir.resolve("vipgate-" + ns.name() + "-" + adminPort + ".conf");
        Files.writeString(conf, """
                vipgate {
                  node-name = "%s"
                  admin.listen = "127.0.0.1:%d"
                  vrrp.version = %d
                  vrrp.instances.VI_1 {
                %s
                  }
                }
                """.formatted(ns.name(), adminPort, version, vrrpInstance));
        ApplianceProcess p = ApplianceProcess.builder(ApplianceProcess.jar()).inNamespace(ns).adminPort(adminPort)
                .args("run", "-c", conf.toString()).start();
        running.add(p);
        return p.awaitHealthy(Duration.ofSeconds(30));
    }

    private static String instance(int version, String state, int priority, String unicast, String auth) {
        return """
                      interface = eth0
                      virtual-router-id = 51
                      priority = %d
                      state = %s
                      advert-interval = 1s
                      %s
                      virtual-ipaddresses = ["%s/24"]
                      %s
                """.formatted(priority, state,
                version == 2 && auth.equals("pass") ? "authentication { type = pass, password = \"1111\" }" : "", VIP, unicast);
    }

    private Keepalived keepalived(NetNs ns, int version, String state, int priority, String unicast, boolean pass) {
        return keepalived(ns, version, state, priority, unicast, pass, "1");
    }

    private Keepalived keepalived(NetNs ns, int version, String state, int priority, String unicast, boolean pass,
            String advertInterval) {
        Keepalived k = Keepalived.start(ns, keepalivedConfig(ns, version, state, priority, unicast, pass, advertInterval));
        running.add(k);
        return k;
    }

    private static String keepalivedConfig(NetNs ns, int version, String state, int priority, String unicast, boolean pass,
            String advertInterval) {
        return Keepalived.instanceConfig(ns.name(), version, state, priority, advertInterval, pass, unicast, VIP + "/24");
    }

    private static void awaitVip(NetNs ns, boolean present) {
        TwoBoxSegment.awaitVip(ns, present);
    }
}
