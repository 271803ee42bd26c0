package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.appliance.importer.Importer;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NetNs;
import vipgate.testkit.NginxWebNode;

/**
 * The seeds as their readers run them, with nothing rewritten by hand: an article's keepalived.conf (master and
 * backup), nginx.conf and check script (given with --scripts) go through `vipgate import` unchanged, and two boxes
 * run the output in namespaces with the article's own addresses and NIC names; everything stays inside them.
 */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class ImportedSeedIT {
    private static final Path SEEDS = Path.of("src/test/resources/importer/seeds");

    @TempDir
    Path dir;

    private final List<AutoCloseable> running = new ArrayList<>();
    private SeedTopology net;

    @BeforeAll
    static void requirements() {
        NetNs.requireRoot();
        NginxWebNode.requireNginx();
    }

    @AfterEach
    void cleanUp() {
        if (net != null) {
            running.add(net);
        }
        Cleanup.close(running.toArray(AutoCloseable[]::new));
    }

    /**
     * Seed 002's five steps on the imported configuration: the VIP alternates NODE 01/02; master down -> the backup
     * serves; both down -> the VIP is dead; the backup restarted -> it serves; the master restarted -> the VIP moves
     * back.
     */
    @Test
    void seed002RunsOnItsImportedConfiguration() throws IOException {
        net = new SeedTopology("ens33", "172.16.249.80", "172.16.249.101", "172.16.249.102", "172.16.249.201", "172.16.249.202",
                "172.16.249.50");
        Importer.Result masterConf = imported("002-keepalived-master.conf", "002-nginx.conf");
        Importer.Result backupConf = imported("002-keepalived-backup.conf", "002-nginx.conf");
        // the article's check_nginx.sh (restart nginx, else killall keepalived) is the lb engine's own tracking here
        assertThat(masterConf.text()).contains("track-lb {\n          enabled = true\n          weight = 0\n");
        ApplianceProcess master = box(net.a, masterConf);
        net.awaitVipOn(net.a);
        ApplianceProcess backup = box(net.b, backupConf);

        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            seen.add(net.curlVip().orElseThrow());
        }
        assertThat(seen).containsExactlyInAnyOrder("HTTP WEB NODE 01", "HTTP WEB NODE 02");
        // nginx.conf's access_log /var/log/nginx/access.log main, in the box's own /var/log
        Path accessLog = dir.resolve(net.a.name() + "-log/nginx/access.log");
        assertThat(Await.until(Duration.ofSeconds(10), () -> accessLines(accessLog) >= 4)).as("lines in %s", accessLog).isTrue();
        assertThat(Files.readAllLines(accessLog)).allMatch(line -> line.matches(
                "172\\.16\\.249\\.50 - - \\[[^]]+\\] \"GET / HTTP/1\\.1\" 200 17 \"-\" \"curl/[0-9.]+\" \"-\""));

        kill(master);
        assertThat(Await.until(SeedTopology.CONVERGE, () -> net.vipOn(net.b) && net.curlVip().isPresent())).as("the backup serves").isTrue();

        kill(backup);
        // (a killed box's addresses stay on its namespace's NIC, where a powered-off box's would go: what counts is the answer)
        assertThat(Await.until(SeedTopology.CONVERGE, () -> net.curlVip().isEmpty())).as("both down: the VIP is dead").isTrue();

        box(net.b, backupConf);
        assertThat(Await.until(SeedTopology.CONVERGE, () -> net.vipOn(net.b) && net.curlVip().isPresent()))
                .as("the backup restarted alone serves").isTrue();

        box(net.a, masterConf);
        net.awaitVipOn(net.a);
        assertThat(Await.until(SeedTopology.CONVERGE, () -> !net.vipOn(net.b))).as("the backup gives the VIP back").isTrue();
        assertThat(Await.until(SeedTopology.CONVERGE, () -> net.curlVip().isPresent())).isTrue();
    }

    /**
     * Seed 003's steps on its imported configs, with the article's addresses (A 192.168.1.4 master, D 192.168.1.3
     * backup, web servers .201 and .254, VIP .6) and its two NIC names (eth0 on the master, eno16777728 on the
     * backup): nginx's proxy headers (Host $host, X-Real-IP, X-Forwarded-For) reach the web servers, requests
     * alternate, the VIP fails over to the backup and back.
     */
    @Test
    void seed003RunsOnItsImportedConfiguration() throws IOException {
        net = SeedTopology.withNics("eth0", "eno16777728", "192.168.1.6", "192.168.1.4", "192.168.1.3", "192.168.1.201",
                "192.168.1.254", "192.168.1.50");
        Importer.Result masterConf = imported("003-keepalived-master.conf", "003-nginx.conf");
        ApplianceProcess master = box(net.a, masterConf);
        net.awaitVipOn(net.a);
        box(net.b, imported("003-keepalived-backup.conf", "003-nginx.conf"));

        assertThat(net.headersThroughVip("api.zhezi.com")).as("X-Real-IP|X-Forwarded-For|Host|Connection at the web server")
                .hasValueSatisfying(h -> assertThat(h).startsWith("192.168.1.50|192.168.1.50|api.zhezi.com|"));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            seen.add(net.curlVip().orElseThrow());
        }
        assertThat(seen).containsExactlyInAnyOrder("HTTP WEB NODE 01", "HTTP WEB NODE 02");

        kill(master);
        assertThat(Await.until(SeedTopology.CONVERGE, () -> net.vipOn(net.b) && net.curlVip().isPresent()))
                .as("the backup (eno16777728) serves").isTrue();
        box(net.a, masterConf);
        net.awaitVipOn(net.a);
        assertThat(Await.until(SeedTopology.CONVERGE, () -> !net.vipOn(net.b))).as("the backup gives the VIP back").isTrue();
        assertThat(net.headersThroughVip("api.zhezi.com")).isPresent();
    }

    /** A box powered off, as the article does it: no goodbye advert. */
    private static void kill(ApplianceProcess box) {
        box.signal("KILL");
        box.awaitExit(Duration.ofSeconds(10));
    }

    private static long accessLines(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log).size() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The old box's /etc/keepalived scripts, as an operator copies them for `vipgate import --scripts DIR`. */
    private Path scripts() throws IOException {
        Path scripts = dir.resolve("etc-keepalived");
        if (!Files.exists(scripts)) {
            Files.copy(SEEDS.resolveSibling("scripts/002-check_nginx.sh"), Files.createDirectories(scripts).resolve("check_nginx.sh"));
        }
        return scripts;
    }

    /** The seed's keepalived.conf and nginx.conf (and the old box's scripts) through `vipgate import`, unchanged. */
    private Importer.Result imported(String keepalived, String nginx) throws IOException {
        Importer.Result imported = Importer.run(Optional.of(SEEDS.resolve(keepalived)), Optional.of(SEEDS.resolve(nginx)),
                Optional.of(scripts()));
        assertThat(imported.rejected()).isEmpty();
        return imported;
    }

    private ApplianceProcess box(NetNs ns, Importer.Result imported) throws IOException {
        Path conf = Files.writeString(dir.resolve(ns.name() + ".conf"), imported.text());
        Path varLog = Files.createDirectories(dir.resolve(ns.name() + "-log/nginx")).getParent();
        ApplianceProcess p = ApplianceProcess.builder(ApplianceProcess.jar()).inNamespace(ns).varLog(varLog).adminPort(9090)
                .args("run", "-c", conf.toString()).start();
        running.add(p);
        return p.awaitHealthy(Duration.ofSeconds(30));
    }
}
