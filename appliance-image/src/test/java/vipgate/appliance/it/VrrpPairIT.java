package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;
import static vipgate.appliance.it.TwoBoxSegment.VIP;
import static vipgate.appliance.it.TwoBoxSegment.awaitVip;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
import vipgate.vrrp.wire.ChecksumMode;
import vipgate.vrrp.wire.VrrpPacket;

/** Two vipgate boxes as an HA pair: track scripts, notify commands, interface failure and graceful hand-over. */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class VrrpPairIT {
    @TempDir
    Path dir;

    private TwoBoxSegment segment;
    private final List<AutoCloseable> running = new ArrayList<>();
    private Path downFlag;
    private Path notifyLog;
    private Path notifyScript;

    @BeforeAll
    static void requirements() {
        NetNs.requireRoot();
    }

    @BeforeEach
    void setUp() throws IOException {
        segment = new TwoBoxSegment();
        downFlag = dir.resolve("down");
        notifyLog = dir.resolve("notify.log");
        // keepalived's notify convention: the generic command gets INSTANCE name STATE priority
        notifyScript = dir.resolve("notify.sh");
        Files.writeString(notifyScript, "#!/bin/sh\necho \"$*\" >> " + notifyLog + "\n");
        Files.setPosixFilePermissions(notifyScript, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void cleanUp() {
        running.add(segment);
        Cleanup.close(running.toArray(AutoCloseable[]::new));
    }

    @Test
    void failingTrackScriptHandsTheVipOverAndNotifies() throws IOException {
        ApplianceProcess a = box(segment.a, 9501, "master", 100, true);
        box(segment.b, 9502, "backup", 99, false);
        awaitVip(segment.a, true);
        assertThat(Await.until(TwoBoxSegment.ELECTION, () -> notified("INSTANCE VI_1 MASTER 100"))).as(notifications()).isTrue();
        // the ordered event stream on the admin API: first BACKUP (the start state), then MASTER
        String events = a.admin("/events");
        assertThat(events).containsSubsequence("\"name\":\"VI_1\",\"state\":\"BACKUP\"", "\"name\":\"VI_1\",\"state\":\"MASTER\"");

        // the check script starts failing: weight -20 takes a to 80, below b's 99
        Files.writeString(downFlag, "");
        awaitVip(segment.b, true);
        awaitVip(segment.a, false);
        assertThat(Await.until(TwoBoxSegment.ELECTION, () -> notified("INSTANCE VI_1 BACKUP 80"))).as(notifications()).isTrue();

        Files.delete(downFlag);
        awaitVip(segment.a, true);
        awaitVip(segment.b, false);
    }

    @Test
    void interfaceDownIsFaultAndUpPreemptsBack() throws IOException {
        ApplianceProcess a = box(segment.a, 9511, "master", 100, false);
        box(segment.b, 9512, "backup", 99, false);
        awaitVip(segment.a, true);

        segment.a.ip("link", "set", "eth0", "down");
        awaitVip(segment.b, true);
        assertThat(Await.until(TwoBoxSegment.ELECTION, () -> a.admin("/status").contains("\"state\":\"FAULT\"")))
                .as(a.admin("/status")).isTrue();

        segment.a.ip("link", "set", "eth0", "up");
        awaitVip(segment.a, true);
        awaitVip(segment.b, false);
    }

    /** SIGTERM sends priority 0: the backup takes over after its skew (0.6 s), not the 3.6 s master-down interval. */
    @Test
    void gracefulStopHandsOverAtOnce() throws IOException {
        ApplianceProcess a = box(segment.a, 9521, "master", 100, false);
        ApplianceProcess b = box(segment.b, 9522, "backup", 99, false);
        awaitVip(segment.a, true);
        assertThat(Await.until(TwoBoxSegment.ELECTION, () -> b.admin("/status").contains("\"state\":\"BACKUP\""))).isTrue();

        long stopped = System.nanoTime();
        a.terminate();
        boolean takenOver = Await.until(Duration.ofMillis(2500), () -> TwoBoxSegment.holdsVip(segment.b));
        long tookMillis = (System.nanoTime() - stopped) / 1_000_000;
        assertThat(takenOver).as("backup took the VIP within 2.5 s of SIGTERM (took %d ms)", tookMillis).isTrue();
        assertThat(a.awaitExit(Duration.ofSeconds(40))).isZero();
        assertThat(TwoBoxSegment.holdsVip(segment.a)).as("a leaves no VIP behind").isFalse();
    }

    /** keepalived's vrrp_sync_group: VI_1 failing its own check drags VI_2 along, and both come back together. */
    @Test
    void syncGroupMembersMoveTogether() throws IOException {
        String group = """
                  vrrp {
                    scripts.chk { script = ["/bin/sh", "-c", "test ! -e %s"], interval = 500ms, rise = 1, fall = 1 }
                    sync-groups.G1 { instances = [VI_1, VI_2] }
                    instances.VI_1 {
                      interface = eth0
                      virtual-router-id = 51
                      priority = %d
                      state = %s
                      virtual-ipaddresses = ["%s/24"]
                      %s
                    }
                    instances.VI_2 {
                      interface = eth0
                      virtual-router-id = 52
                      priority = %d
                      state = %s
                      virtual-ipaddresses = ["10.77.0.101/24"]
                    }
                  }
                """;
        start(segment.a, 9541, group.formatted(downFlag, 100, "master", VIP, "track-scripts = [{ name = chk, weight = 0 }]", 100,
                "master"));
        start(segment.b, 9542, group.formatted(downFlag + ".b", 99, "backup", VIP, "", 99, "backup"));
        assertThat(Await.until(TwoBoxSegment.ELECTION, () -> holdsBoth(segment.a))).as(segment.a.ip("-4", "addr")).isTrue();

        Files.writeString(downFlag, "");
        assertThat(Await.until(TwoBoxSegment.ELECTION, () -> holdsBoth(segment.b) && !holdsAny(segment.a)))
                .as(segment.a.ip("-4", "addr") + segment.b.ip("-4", "addr")).isTrue();

        Files.delete(downFlag);
        assertThat(Await.until(TwoBoxSegment.ELECTION, () -> holdsBoth(segment.a) && !holdsAny(segment.b)))
                .as(segment.a.ip("-4", "addr") + segment.b.ip("-4", "addr")).isTrue();
    }

    private static boolean holdsBoth(NetNs box) {
        return vipsHeld(box) == 2;
    }

    private static boolean holdsAny(NetNs box) {
        return vipsHeld(box) > 0;
    }

    private static long vipsHeld(NetNs box) {
        String addresses = box.ip("-4", "addr", "show", "dev", "eth0");
        return java.util.stream.Stream.of(VIP + "/", "10.77.0.101/").filter(addresses::contains).count();
    }

    /** VRRPv3 over IPv6: adverts to ff02::12 from link-local sources, the VIP announced with unsolicited NAs. */
    @Test
    void ipv6VipFailsOver() throws IOException {
        for (NetNs box : new NetNs[] {segment.a, segment.b}) {
            box.exec("sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0");
        }
        String v6 = """
                  vrrp.version = 3
                  vrrp.instances.VI_6 {
                    interface = eth0
                    virtual-router-id = 61
                    priority = %d
                    state = %s
                    advert-interval = 100ms
                    virtual-ipaddresses = ["fd77::100/64"]
                  }
                """;
        ApplianceProcess a = start(segment.a, 9531, v6.formatted(100, "master"));
        start(segment.b, 9532, v6.formatted(99, "backup"));
        assertThat(Await.until(TwoBoxSegment.ELECTION, () -> holdsVip6(segment.a) && !holdsVip6(segment.b)))
                .as(segment.a.ip("-6", "addr") + segment.b.ip("-6", "addr")).isTrue();

        a.signal("KILL");
        a.awaitExit(Duration.ofSeconds(10));
        assertThat(Await.until(TwoBoxSegment.ELECTION, () -> holdsVip6(segment.b))).as(segment.b.ip("-6", "addr")).isTrue();
    }

    private static final String V3_FAST = """
              vrrp.version = 3
              vrrp.instances.VI_1 {
                interface = eth0
                virtual-router-id = 51
                priority = %d
                state = %s
                advert-interval = %s
                virtual-ipaddresses = ["%s/24"]
                garp { master-delay = 0s }
              }
            """;

    /**
     * Issue 12 #10: kill -9 and restart the master (v3, 100 ms adverts). Its VIPs outlive the JVM and the backup
     * takes over after 0.36 s; the restarted node must remove them before anything else (was 1-2 s later, when the
     * engine started: 9.1 s on both boxes over 10 cycles; keepalived 6 ms). bench/vip-overlap runs the 10 cycles
     * beside keepalived.
     */
    @Test
    void aKilledAndRestartedMasterBarelySharesItsVip() throws IOException {
        String configA = V3_FAST.formatted(100, "master", "100ms", VIP);
        ApplianceProcess a = start(segment.a, 9551, configA);
        start(segment.b, 9552, V3_FAST.formatted(99, "backup", "100ms", VIP));
        awaitVip(segment.a, true);
        awaitVip(segment.b, false);
        long[] both;
        try (VipTimeline onA = VipTimeline.watch(segment.a); VipTimeline onB = VipTimeline.watch(segment.b)) {
            for (int cycle = 0; cycle < 3; cycle++) {
                a.signal("KILL");
                a.awaitExit(Duration.ofSeconds(10));
                a = start(segment.a, 9551, configA);
                // back to one master: the restarted node preempts after its master-down interval
                awaitVip(segment.a, true);
                awaitVip(segment.b, false);
            }
            both = VipTimeline.bothHeld(onA, onB);
        }
        System.out.printf("kill -9 + restart of the master, 3 cycles: VIP on both boxes %.3f s in %d windows%n", both[0] / 1e6,
                both[1]);
        // 08cb094: 2.7 s on a quiet box, 17 s on a busy one; now 0.1-0.9 s (the harness copies the jar on each start)
        assertThat(both[0]).as("microseconds with the VIP on both boxes over 3 cycles").isLessThan(1_500_000);
    }

    /**
     * Issue 12 #11b: after a partition heals, the loser yields to the winner's advert; unless someone tells the winner,
     * it never re-announces the VIP and a client whose neighbour entry points at the loser stays dark. The loser here
     * advertises every 10 s as master, so the winner's 100 ms advert reaches it first: the case that lost clients.
     */
    @Test
    void aHealedSplitBrainLeavesTheClientOnTheWinner() throws IOException {
        boolean vipgate = healedSplitBrainMovesTheClientBack(segment, () -> {
            start(segment.a, 9561, V3_FAST.formatted(100, "backup", "100ms", VIP));
            start(segment.b, 9562, V3_FAST.formatted(90, "backup", "10s", VIP));
        });
        // keepalived 2.2.7 on the same segment, timings and priorities, recorded beside (it does not assert anything)
        running.add(segment);
        segment = new TwoBoxSegment();
        TwoBoxSegment k = segment;
        boolean keepalived = healedSplitBrainMovesTheClientBack(k, () -> {
            running.add(Keepalived.start(k.a, Keepalived.instanceConfig("a", 3, "BACKUP", 100, "0.1", false, "", VIP + "/24")));
            running.add(Keepalived.start(k.b, Keepalived.instanceConfig("b", 3, "BACKUP", 90, "10", false, "", VIP + "/24")));
        });
        System.out.printf("healed split brain, client back on the winner within 3 s: vipgate %s, keepalived %s%n", vipgate,
                keepalived);
        assertThat(vipgate).as("vipgate's winner re-announced the VIP after the heal").isTrue();
    }

    /**
     * a (priority 100, 100 ms adverts) and b (90, 10 s adverts as master) started by {@code pair}; a client whose
     * neighbour entry follows the announcements; a partition lets b take over too, then heals. b then hears a's
     * 100 ms advert long before it sends its own: the case where the winner never learnt of the conflict.
     *
     * @return whether the client's entry is back on a within 3 s of the heal
     */
    private static boolean healedSplitBrainMovesTheClientBack(TwoBoxSegment segment, PairStart pair) throws IOException {
        NetNs client = segment.addClient();
        // every announcement updates the client's entry, not only those a locktime (1 s) apart
        client.exec("sysctl", "-qw", "net.ipv4.neigh.eth0.locktime=0");
        pair.start();
        awaitVip(segment.a, true);
        awaitVip(segment.b, false);
        // the client has talked to the VIP on a (a stale entry: nothing refreshes it but announcements)
        client.ip("neigh", "replace", VIP, "lladdr", TwoBoxSegment.mac(segment.a), "dev", "eth0", "nud", "stale");

        // partition: a's switch port leaves the bridge (a keeps its carrier, so no FAULT); b becomes master too
        segment.sw.ip("link", "set", "port-a", "nomaster");
        awaitVip(segment.b, true);
        assertThat(Await.until(TwoBoxSegment.ELECTION, () -> neighbour(client).equals(TwoBoxSegment.mac(segment.b))))
                .as("b's GARP moved the client: %s", client.ip("neigh")).isTrue();
        assertThat(TwoBoxSegment.holdsVip(segment.a)).isTrue();

        segment.sw.ip("link", "set", "port-a", "master", "br0");
        awaitVip(segment.b, false);
        return Await.until(Duration.ofSeconds(3), () -> neighbour(client).equals(TwoBoxSegment.mac(segment.a)));
    }

    /** Starts the two boxes of a pair. */
    private interface PairStart {
        void start() throws IOException;
    }

    private static final java.util.regex.Pattern LLADDR = java.util.regex.Pattern.compile("lladdr ([0-9a-f:]{17})");

    private static String neighbour(NetNs client) {
        java.util.regex.Matcher m = LLADDR.matcher(client.ip("neigh", "show", VIP, "dev", "eth0"));
        return m.find() ? m.group(1) : "";
    }

    /**
     * Issue 12 #11c: 20k well-formed lower-priority adverts a second made the master answer 4.8x, queue a GARP burst
     * for each (GARPs for 10 s after the flood, RSS +225 MB). Now: one answer per advert interval, nothing queued.
     */
    @Test
    void aFloodOfLowerAdvertsGetsBoundedAnswersAndNoGarpAfterIt() throws IOException {
        NetNs attacker = segment.addClient();
        ApplianceProcess a = start(segment.a, 9571, V3_FAST.formatted(100, "backup", "100ms", VIP));
        awaitVip(segment.a, true);
        long sentBefore = advertsSent(a);
        long rssBefore = a.rssKiB();
        long start = System.nanoTime();
        Flood vipgate = flood(attacker);
        long answers = advertsSent(a) - sentBefore;
        double elapsed = (System.nanoTime() - start) / 1e9;
        long rssGrowthKiB = a.rssKiB() - rssBefore;
        System.out.printf("vipgate under %s; adverts-sent %d, RSS %+d KiB%n", vipgate, answers, rssGrowthKiB);
        assertThat(vipgate.flooded()).as("the flood ran").isGreaterThan(10_000);
        // the regular adverts (10/s) plus at most one answer per interval (10/s), flood and GARP count included
        assertThat(answers).isLessThanOrEqualTo((long) (elapsed * 20) + 10);
        // at most the burst of the last answer, which may still be on its way when counting starts
        assertThat(vipgate.garpsAfter()).isLessThanOrEqualTo(5);
        assertThat(rssGrowthKiB).isLessThan(100 * 1024);
        assertThat(TwoBoxSegment.holdsVip(segment.a)).isTrue();

        // a payload too short to name a VRID is truncated, not another router's
        raw(attacker, "flood", "eth0", "10.77.0.3", "31", "100", "0.2");
        assertThat(Await.until(Duration.ofSeconds(5), () -> a.admin("/status").contains("\"truncated\":")))
                .as(a.admin("/status")).isTrue();
        assertThat(a.admin("/status")).doesNotContain("wrong-vrid");

        // keepalived 2.2.7 as the master of the same box under the same flood, recorded beside
        a.stop(Duration.ofSeconds(30));
        awaitVip(segment.a, false);
        running.add(Keepalived.start(segment.a, Keepalived.instanceConfig("a", 3, "BACKUP", 100, "0.1", false, "", VIP + "/24")));
        awaitVip(segment.a, true);
        System.out.printf("keepalived under %s%n", flood(attacker));
    }

    /** One flood as the attacker saw it: adverts sent, seconds, adverts from the master meanwhile, GARPs in the 3 s after. */
    private record Flood(long flooded, double seconds, long masterAdverts, int garpsAfter) {
        @Override
        public String toString() {
            return String.format("a flood of %d lower adverts in %.1f s: %d adverts from the master meanwhile, %d GARPs in the 3 s after",
                    flooded, seconds, masterAdverts, garpsAfter);
        }
    }

    /** 20,000 well-formed priority-50 adverts a second for 3 s from the attacker (10.77.0.3), the master's answers counted. */
    private static Flood flood(NetNs attacker) throws IOException {
        byte[] advert = VrrpPacket.v3(51, 50, 10, List.of(InetAddress.getByName(VIP)))
                .encode(InetAddress.getByName("10.77.0.3"), InetAddress.getByName("224.0.0.18"), ChecksumMode.COMPUTE);
        CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> raw(attacker, "vrrp", "10.77.0.3", "10.77.0.1", "3.5"));
        long start = System.nanoTime();
        String flooded = raw(attacker, "flood", "eth0", "10.77.0.3", HexFormat.of().formatHex(advert), "20000", "3").strip();
        double seconds = (System.nanoTime() - start) / 1e9;
        String garps = raw(attacker, "arp", "eth0", VIP, "3").strip();
        return new Flood(Long.parseLong(flooded), seconds, Long.parseLong(seen.join().strip()), Integer.parseInt(garps));
    }

    private static long advertsSent(ApplianceProcess p) {
        String status = p.admin("/status");
        assertThat(status).as("the admin API answers").contains("\"adverts-sent\":");
        return Long.parseLong(status.replaceAll("(?s).*\"adverts-sent\":(\\d+).*", "$1"));
    }

    /** Runs the test's raw-socket helper (src/test/resources/vrrp-raw.py) in {@code box}. */
    private static String raw(NetNs box, String... args) {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", RAW_SCRIPT.toString()));
        command.addAll(List.of(args));
        return box.exec(command.toArray(String[]::new));
    }

    private static final Path RAW_SCRIPT = resource("vrrp-raw.py");

    private static Path resource(String name) {
        try {
            return Path.of(VrrpPairIT.class.getResource("/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean holdsVip6(NetNs box) {
        return box.ip("-6", "addr", "show", "dev", "eth0").contains("fd77::100/64");
    }

    private ApplianceProcess box(NetNs ns, int adminPort, String state, int priority, boolean tracked) throws IOException {
        String tracking = tracked ? """
                    track-scripts = [{ name = chk, weight = -20 }]
                    notify { any = ["%s"] }
                """.formatted(notifyScript) : "";
        return start(ns, adminPort, """
                  vrrp {
                    scripts.chk { script = ["/bin/sh", "-c", "test ! -e %s"], interval = 500ms, rise = 1, fall = 1 }
                    instances.VI_1 {
                      interface = eth0
                      virtual-router-id = 51
                      priority = %d
                      state = %s
                      virtual-ipaddresses = ["%s/24"]
                %s
                    }
                  }
                """.formatted(downFlag, priority, state, VIP, tracking));
    }

    private ApplianceProcess start(NetNs ns, int adminPort, String vrrp) throws IOException {
        Path conf = dir.resolve(ns.name() + "-" + adminPort + ".conf");
        Files.writeString(conf, """
                vipgate {
                  node-name = "%s"
                  admin.listen = "127.0.0.1:%d"
                %s
                }
                """.formatted(ns.name(), adminPort, vrrp));
        ApplianceProcess p = ApplianceProcess.builder(ApplianceProcess.jar()).inNamespace(ns).adminPort(adminPort)
                .args("run", "-c", conf.toString()).start();
        running.add(p);
        return p.awaitHealthy(Duration.ofSeconds(30));
    }

    private boolean notified(String line) {
        return notifications().lines().anyMatch(line::equals);
    }

    private String notifications() {
        try {
            return Files.exists(notifyLog) ? Files.readString(notifyLog) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
