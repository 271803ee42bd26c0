package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
import vipgate.testkit.NginxWebNode;

/**
 * The seed articles' four-server topology, with two vipgate boxes replacing nginx + keepalived: boxes a and b
 * (proxy + VRRP), web nodes w1 and w2 (real nginx answering "HTTP WEB NODE 01/02"), and a client c, all on one
 * bridged segment of network namespaces. The client only ever talks to the VIP.
 */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class SeedScenariosIT {
    private static final String VIP = "10.77.0.100";

    @TempDir
    Path dir;

    private final List<AutoCloseable> running = new ArrayList<>();
    private SeedTopology net;
    private NetNs a;
    private NetNs b;

    @BeforeAll
    static void requirements() {
        NetNs.requireRoot();
        NginxWebNode.requireNginx();
    }

    @BeforeEach
    void topology() {
        net = new SeedTopology("eth0", VIP, "10.77.0.1", "10.77.0.2", "10.77.0.11", "10.77.0.12", "10.77.0.50");
        a = net.a;
        b = net.b;
    }

    @AfterEach
    void cleanUp() {
        running.add(net);
        Cleanup.close(running.toArray(AutoCloseable[]::new));
    }

    /** Seed 002's test procedure, step by step. */
    @Test
    void seed002FiveSteps() throws IOException {
        String upstreams = "{ address = \"10.77.0.11:80\" }, { address = \"10.77.0.12:80\" }";
        ApplianceProcess master = box(a, 9401, "master", 100, upstreams);
        ApplianceProcess backup = box(b, 9402, "backup", 99, upstreams);
        net.awaitVipOn(a);

        // 1. through the VIP the two web nodes alternate
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            seen.add(net.curlVip().orElseThrow());
        }
        assertThat(seen).containsExactlyInAnyOrder("HTTP WEB NODE 01", "HTTP WEB NODE 02");

        // 2. the master box dies: the backup serves
        master.signal("KILL");
        master.awaitExit(Duration.ofSeconds(10));
        net.awaitServed();
        assertThat(net.vipOn(b)).isTrue();

        // 3. both boxes down: the VIP is dead
        backup.signal("KILL");
        backup.awaitExit(Duration.ofSeconds(10));
        assertThat(Await.until(SeedTopology.CONVERGE, () -> net.curlVip().isEmpty())).as("VIP still answers with both boxes down").isTrue();

        // 4. the backup box comes back: it serves
        box(b, 9403, "backup", 99, upstreams);
        net.awaitServed();
        assertThat(net.vipOn(b)).isTrue();

        // 5. the master box comes back: the VIP moves back to it
        box(a, 9404, "master", 100, upstreams);
        net.awaitVipOn(a);
        assertThat(Await.until(SeedTopology.CONVERGE, () -> !net.vipOn(b))).as("the backup gives the VIP up").isTrue();
        net.awaitServed();
    }

    /**
     * Seed 000/002's track script ("is nginx alive?") is built in: when the master's proxy has no live upstream,
     * its priority drops by the track weight and the backup takes the VIP; it comes back when the upstream does.
     */
    @Test
    void lbTrackingMovesTheVipWhenTheMastersUpstreamDies() throws IOException {
        box(a, 9411, "master", 100, "{ address = \"10.77.0.11:80\" }");
        box(b, 9412, "backup", 99, "{ address = \"10.77.0.12:80\" }");
        net.awaitVipOn(a);
        assertThat(net.curlVip()).contains("HTTP WEB NODE 01");

        net.web1.stop();
        assertThat(Await.until(SeedTopology.CONVERGE, () -> net.curlVip().equals(Optional.of("HTTP WEB NODE 02"))))
                .as("the backup (upstream w2) takes over").isTrue();
        assertThat(Await.until(SeedTopology.CONVERGE, () -> !net.vipOn(a))).isTrue();

        net.web1.start();
        net.awaitVipOn(a);
        assertThat(Await.until(SeedTopology.CONVERGE, () -> net.curlVip().equals(Optional.of("HTTP WEB NODE 01")))).isTrue();
    }

    private ApplianceProcess box(NetNs ns, int adminPort, String state, int priority, String upstreams) throws IOException {
        Path conf = dir.resolve(ns.name() + "-" + adminPort + ".conf");
        Files.writeString(conf, SeedBox.config(ns.name(), adminPort, 2, "1s", state, priority, upstreams, VIP));
        ApplianceProcess p = ApplianceProcess.builder(ApplianceProcess.jar()).inNamespace(ns).adminPort(adminPort)
                .args("run", "-c", conf.toString()).start();
        running.add(p);
        return p.awaitHealthy(Duration.ofSeconds(30));
    }
}
