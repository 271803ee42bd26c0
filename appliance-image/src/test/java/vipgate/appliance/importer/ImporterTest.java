package vipgate.appliance.importer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.appliance.ApplianceConfig;
import vipgate.vrrp.track.TrackedObject;

/** Both halves into one file: what `vipgate import` writes for the seeds' two-box setups, and that it runs. */
class ImporterTest {
    private static final Path SEEDS = Path.of("src/test/resources/importer/seeds");

    @Test
    void seed002KeepalivedAndNginxBecomeOneConfigThatPassesTheCheck() throws Exception {
        Importer.Result r = Importer.run(Optional.of(SEEDS.resolve("002-keepalived-master.conf")),
                Optional.of(SEEDS.resolve("002-nginx.conf")), Optional.empty());
        assertThat(r.rejected()).isEmpty();
        ApplianceConfig c = ApplianceConfig.parse(r.text(), "imported");
        assertThat(c.lb().upstreams().get("ProxyServer").servers()).hasSize(2);
        assertThat(c.vrrp().instances().get("VI_1").priority()).isEqualTo(150);
        // every finding is also in the file's header, so nothing said on stderr is lost with the terminal
        r.report().findings().forEach(f -> assertThat(r.text()).contains(f.toString()));
    }

    @Test
    void seed002WithTheOldBoxsScriptsTracksTheLbEngine(@TempDir Path scripts) throws Exception {
        Files.copy(Path.of("src/test/resources/importer/scripts/002-check_nginx.sh"), scripts.resolve("check_nginx.sh"));
        Importer.Result r = Importer.run(Optional.of(SEEDS.resolve("002-keepalived-master.conf")),
                Optional.of(SEEDS.resolve("002-nginx.conf")), Optional.of(scripts));
        assertThat(r.rejected()).isEmpty();
        ApplianceConfig c = ApplianceConfig.parse(r.text(), "imported");
        assertThat(c.vrrp().instances().get("VI_1").trackLb()).contains(new TrackedObject(TrackedObject.Kind.LB, "lb", 0));
        assertThat(c.vrrp().scripts()).isEmpty();
    }

    @Test
    void seed004KeepalivedAloneGivesTheDirectorsConfig() throws Exception {
        Importer.Result r = Importer.run(Optional.of(SEEDS.resolve("004-keepalived-backup.conf")), Optional.empty(),
                Optional.empty());
        assertThat(r.rejected()).isEmpty();
        ApplianceConfig c = ApplianceConfig.parse(r.text(), "imported");
        assertThat(c.ipvs().virtualServers()).singleElement()
                .satisfies(vs -> assertThat(vs.realServers()).hasSize(2));
        assertThat(c.lb().servers()).isEmpty();
    }
}
