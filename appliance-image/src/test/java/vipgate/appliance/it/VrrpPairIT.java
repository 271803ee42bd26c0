package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;
import static vipgate.appliance.it.TwoBoxSegment.VIP;
import static vipgate.appliance.it.TwoBoxSegment.awaitVip;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
import vipgate.testkit.NetNs;

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
