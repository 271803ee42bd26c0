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
    private static final Duration CONVERGE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<NetNs> hosts = new ArrayList<>();
    private final List<AutoCloseable> running = new ArrayList<>();
    private NetNs a;
    private NetNs b;
    private NetNs w1;
    private NetNs w2;
    private NetNs client;
    private NginxWebNode web1;
    private NginxWebNode web2;

    @BeforeAll
    static void requirements() {
        NetNs.requireRoot();
        NginxWebNode.requireNginx();
    }

    @BeforeEach
    void topology() {
        NetNs sw = host(null, null);
        a = host(sw, "10.77.0.1");
        b = host(sw, "10.77.0.2");
        w1 = host(sw, "10.77.0.11");
        w2 = host(sw, "10.77.0.12");
        client = host(sw, "10.77.0.50");
        List<String> ports = List.of("p1", "p2", "p3", "p4", "p5");
        sw.bridge("br0", ports.toArray(String[]::new));
        web1 = NginxWebNode.builder().inNamespace(w1, "10.77.0.11").port(80).body("HTTP WEB NODE 01\n").start();
        running.add(web1);
        web2 = NginxWebNode.builder().inNamespace(w2, "10.77.0.12").port(80).body("HTTP WEB NODE 02\n").start();
        running.add(web2);
    }

    private NetNs host(NetNs sw, String address) {
        NetNs ns = NetNs.create();
        hosts.add(ns);
        if (sw != null) {
            NetNs.veth(ns, "eth0", sw, "p" + (hosts.size() - 1));
            ns.ip("addr", "add", address + "/24", "dev", "eth0");
        }
        return ns;
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : running) {
            c.close();
        }
        for (NetNs ns : hosts) {
            ns.close();
        }
    }

    /** Seed 002's test procedure, step by step. */
    @Test
    void seed002FiveSteps() throws IOException {
        String upstreams = "{ address = \"10.77.0.11:80\" }, { address = \"10.77.0.12:80\" }";
        ApplianceProcess master = box(a, 9401, "master", 100, upstreams);
        ApplianceProcess backup = box(b, 9402, "backup", 99, upstreams);
        awaitVipOn(a);

        // 1. through the VIP the two web nodes alternate
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            seen.add(curlVip().orElseThrow());
        }
        assertThat(seen).containsExactlyInAnyOrder("HTTP WEB NODE 01", "HTTP WEB NODE 02");

        // 2. the master box dies: the backup serves
        master.signal("KILL");
        master.awaitExit(Duration.ofSeconds(10));
        awaitServed();
        assertThat(vipOn(b)).isTrue();

        // 3. both boxes down: the VIP is dead
        backup.signal("KILL");
        backup.awaitExit(Duration.ofSeconds(10));
        assertThat(Await.until(CONVERGE, () -> curlVip().isEmpty())).as("VIP still answers with both boxes down").isTrue();

        // 4. the backup box comes back: it serves
        box(b, 9403, "backup", 99, upstreams);
        awaitServed();
        assertThat(vipOn(b)).isTrue();

        // 5. the master box comes back: the VIP moves back to it
        box(a, 9404, "master", 100, upstreams);
        awaitVipOn(a);
        assertThat(Await.until(CONVERGE, () -> !vipOn(b))).as("the backup gives the VIP up").isTrue();
        awaitServed();
    }

    /**
     * Seed 000/002's track script ("is nginx alive?") is built in: when the master's proxy has no live upstream,
     * its priority drops by the track weight and the backup takes the VIP; it comes back when the upstream does.
     */
    @Test
    void lbTrackingMovesTheVipWhenTheMastersUpstreamDies() throws IOException {
        box(a, 9411, "master", 100, "{ address = \"10.77.0.11:80\" }");
        box(b, 9412, "backup", 99, "{ address = \"10.77.0.12:80\" }");
        awaitVipOn(a);
        assertThat(curlVip()).contains("HTTP WEB NODE 01");

        web1.stop();
        assertThat(Await.until(CONVERGE, () -> curlVip().equals(Optional.of("HTTP WEB NODE 02"))))
                .as("the backup (upstream w2) takes over").isTrue();
        assertThat(Await.until(CONVERGE, () -> !vipOn(a))).isTrue();

        web1.start();
        awaitVipOn(a);
        assertThat(Await.until(CONVERGE, () -> curlVip().equals(Optional.of("HTTP WEB NODE 01")))).isTrue();
    }

    private ApplianceProcess box(NetNs ns, int adminPort, String state, int priority, String upstreams) throws IOException {
        Path conf = dir.resolve(ns.name() + "-" + adminPort + ".conf");
        Files.writeString(conf, SeedBox.config(ns.name(), adminPort, 2, "1s", state, priority, upstreams, VIP));
        ApplianceProcess p = ApplianceProcess.builder(ApplianceProcess.jar()).inNamespace(ns).adminPort(adminPort)
                .args("run", "-c", conf.toString()).start();
        running.add(p);
        return p.awaitHealthy(Duration.ofSeconds(30));
    }

    private Optional<String> curlVip() {
        try {
            return Optional.of(client.exec("curl", "-s", "-f", "-m", "2", "http://" + VIP + "/").strip());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private void awaitServed() {
        assertThat(Await.until(CONVERGE, () -> curlVip().isPresent())).as("the VIP answers").isTrue();
    }

    private boolean vipOn(NetNs ns) {
        return ns.ip("-4", "addr", "show", "dev", "eth0").contains(VIP + "/");
    }

    private void awaitVipOn(NetNs ns) {
        assertThat(Await.until(CONVERGE, () -> vipOn(ns))).as("VIP on %s: %s", ns.name(), ns.ip("-4", "addr", "show", "dev", "eth0"))
                .isTrue();
    }
}
