package vipgate.appliance.importer.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import vipgate.appliance.ApplianceConfig;
import vipgate.appliance.importer.Finding;
import vipgate.appliance.importer.Hocon;
import vipgate.appliance.importer.Report;

/** Runs an import the way {@code vipgate import} does and loads the result with vipgate's own loader. */
final class NginxImports {
    private NginxImports() {
    }

    /** The output, its findings and the configuration vipgate's loader made of it. */
    record Imported(String text, List<Finding> findings, ApplianceConfig config) {
        List<String> messages() {
            return findings.stream().map(Finding::toString).toList();
        }

        /** Each fragment is part of some finding ("nginx.conf:4: not mapped: ..."). */
        void assertReports(String... fragments) {
            for (String fragment : fragments) {
                assertThat(messages()).anySatisfy(m -> assertThat(m).contains(fragment));
            }
        }
    }

    /** Imports {@code nginxConf}, writes the HOCON next to it and loads it (throws if vipgate refuses it). */
    static Imported load(Path nginxConf) throws IOException {
        Report report = new Report();
        Hocon.Obj root = new Hocon.Obj();
        NginxImport.into(nginxConf, root.obj("vipgate"), report);
        String text = Hocon.render("imported from " + nginxConf, root);
        Path out = Files.writeString(nginxConf.resolveSibling(nginxConf.getFileName() + ".vipgate.conf"), text);
        return new Imported(text, report.findings(), ApplianceConfig.load(Optional.of(out)));
    }

    /** Writes {@code text} as {@code dir/nginx.conf} and imports it. */
    static Imported load(Path dir, String text) throws IOException {
        return load(Files.writeString(dir.resolve("nginx.conf"), text));
    }
}
