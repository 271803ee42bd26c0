package vipgate.appliance.importer.keepalived;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import vipgate.appliance.ApplianceConfig;
import vipgate.appliance.importer.Finding;
import vipgate.appliance.importer.Hocon;
import vipgate.appliance.importer.Report;

/** One keepalived.conf imported: the HOCON written, what the report says, and the config vipgate's loader reads from it. */
record Imported(String hocon, List<Finding> findings, Path written) {

    /** Imports {@code conf}, renders it as {@code vipgate { ... }} next to it and keeps the file for the loader. */
    static Imported of(Path conf, boolean lbImported) throws IOException {
        return of(conf, lbImported, Optional.empty());
    }

    /** As {@link #of(Path, boolean)}, with the tracked script files also looked for in {@code scripts} (--scripts). */
    static Imported of(Path conf, boolean lbImported, Optional<Path> scripts) throws IOException {
        Report report = new Report();
        Hocon.Obj root = new Hocon.Obj();
        KeepalivedImport.into(conf, lbImported, scripts, root.obj("vipgate"), report);
        String hocon = Hocon.render("imported from " + conf.getFileName(), root);
        Path written = Files.writeString(conf.resolveSibling(conf.getFileName() + ".vipgate.conf"), hocon);
        return new Imported(hocon, report.findings(), written);
    }

    /** {@code text} written as keepalived.conf in {@code dir}, then imported. */
    static Imported text(Path dir, String text, boolean lbImported) throws IOException {
        return of(Files.writeString(dir.resolve("keepalived.conf"), text), lbImported);
    }

    /** What vipgate's own loader (the {@code check} command's) makes of the output; throws its ConfigException. */
    ApplianceConfig load() {
        return ApplianceConfig.load(Optional.of(written));
    }

    /** The findings as printed ({@code file:line: kind: message}), for assertions. */
    List<String> said() {
        return findings.stream().map(Finding::toString).toList();
    }
}
