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
import vipgate.appliance.importer.Importer;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.Await;
import vipgate.testkit.NetNs;
import vipgate.testkit.NginxWebNode;

/**
 * Seed 002 as its readers run it, with nothing rewritten by hand: the article's keepalived.conf (master and
 * backup) and nginx.conf go through `vipgate import` unchanged, and the two boxes run the output. The namespaces
 * take the article's own addresses (172.16.249.0/24, web nodes .201/.202, VIPs .80/.90/.100) and NIC name
 * (ens33); everything stays inside them.
 */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class ImportedSeedIT {
    private static final Path SEEDS = Path.of("src/test/resources/importer/seeds");
    private static final String VIP = "172.16.249.80";
    private static final Duration CONVERGE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<NetNs> hosts = new ArrayList<>();
    private final List<AutoCloseable> running = new ArrayList<>();
    private NetNs a;
    private NetNs b;
    private NetNs client;

    @BeforeAll
    static void requirements() {
        NetNs.requireRoot();
        NginxWebNode.requireNginx();
    }

    @BeforeEach
    void topology() {
        NetNs sw = host(null, null);
        a = host(sw, "172.16.249.101");
        b = host(sw, "172.16.249.102");
        NetNs w1 = host(sw, "172.16.249.201");
        NetNs w2 = host(sw, "172.16.249.202");
        client = host(sw, "172.16.249.50");
        sw.bridge("br0", "p1", "p2", "p3", "p4", "p5");
        running.add(NginxWebNode.builder().inNamespace(w1, "172.16.249.201").port(80).body("HTTP WEB NODE 01\n").start());
        running.add(NginxWebNode.builder().inNamespace(w2, "172.16.249.202").port(80).body("HTTP WEB NODE 02\n").start());
    }

    private NetNs host(NetNs sw, String address) {
        NetNs ns = NetNs.create();
        hosts.add(ns);
        if (sw != null) {
            NetNs.veth(ns, "ens33", sw, "p" + (hosts.size() - 1));
            ns.ip("addr", "add", address + "/24", "dev", "ens33");
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

    /** Seed 002's steps on the imported configuration: round robin through the VIP, failover, failback. */
    @Test
    void seed002RunsOnItsImportedConfiguration() throws IOException {
        ApplianceProcess master = box(a, "002-keepalived-master.conf");
        awaitVipOn(a);
        ApplianceProcess backup = box(b, "002-keepalived-backup.conf");

        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            seen.add(curlVip().orElseThrow());
        }
        assertThat(seen).containsExactlyInAnyOrder("HTTP WEB NODE 01", "HTTP WEB NODE 02");

        master.signal("KILL");
        master.awaitExit(Duration.ofSeconds(10));
        assertThat(Await.until(CONVERGE, () -> vipOn(b) && curlVip().isPresent())).as("the backup serves").isTrue();

        box(a, "002-keepalived-master.conf");
        awaitVipOn(a);
        assertThat(Await.until(CONVERGE, () -> !vipOn(b))).as("the backup gives the VIP back").isTrue();
        assertThat(Await.until(CONVERGE, () -> curlVip().isPresent())).isTrue();
        backup.signal("TERM");
    }

    private ApplianceProcess box(NetNs ns, String keepalived) throws IOException {
        Importer.Result imported = Importer.run(Optional.of(SEEDS.resolve(keepalived)), Optional.of(SEEDS.resolve("002-nginx.conf")));
        assertThat(imported.rejected()).isEmpty();
        Path conf = Files.writeString(dir.resolve(ns.name() + "-" + keepalived), imported.text());
        ApplianceProcess p = ApplianceProcess.builder(ApplianceProcess.jar()).inNamespace(ns).adminPort(9090)
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

    private boolean vipOn(NetNs ns) {
        return ns.ip("-4", "addr", "show", "dev", "ens33").contains(" " + VIP + "/");
    }

    private void awaitVipOn(NetNs ns) {
        assertThat(Await.until(CONVERGE, () -> vipOn(ns))).as("VIP on %s: %s", ns.name(), ns.ip("-4", "addr", "show", "dev", "ens33"))
                .isTrue();
    }
}
