package vipgate.appliance.importer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import vipgate.appliance.ApplianceConfig;
import vipgate.appliance.importer.keepalived.KeepalivedImport;
import vipgate.appliance.importer.nginx.NginxImport;
import vipgate.config.ConfigException;

/**
 * {@code vipgate import}: a keepalived.conf and/or an nginx.conf in, one commented vipgate.conf out, checked by
 * the same loader `vipgate run` uses before anyone relies on it. The report lists every repair of the input,
 * every directive left out and every place vipgate behaves differently, with file:line.
 */
public final class Importer {
    /** The output text, what the importer has to tell, and whether vipgate accepts the output as it is. */
    public record Result(String text, Report report, Optional<ConfigException> rejected) {
    }

    private Importer() {
    }

    /** @param scripts the old box's keepalived script files, copied here: looked up by name for its tracked scripts */
    public static Result run(Optional<Path> keepalived, Optional<Path> nginx, Optional<Path> scripts) throws IOException {
        Report report = new Report();
        Hocon.Obj root = new Hocon.Obj();
        Hocon.Obj vipgate = root.obj("vipgate");
        if (nginx.isPresent()) {
            NginxImport.into(nginx.get(), vipgate, report);
        }
        if (keepalived.isPresent()) {
            KeepalivedImport.into(keepalived.get(), nginx.isPresent(), scripts, vipgate, report);
        }
        StringBuilder header = new StringBuilder("vipgate.conf imported by `vipgate import` from ");
        keepalived.ifPresent(k -> header.append(k).append(nginx.isPresent() ? " and " : ""));
        nginx.ifPresent(header::append);
        header.append(".\nCheck it with `vipgate check -c FILE`; every key and default is documented in the modules' reference.conf.");
        if (!report.findings().isEmpty()) {
            header.append("\nWhat the import has to tell (also printed on stderr):");
            report.findings().forEach(f -> header.append("\n  ").append(f));
        }
        String text = Hocon.render(header.toString(), root);
        return new Result(text, report, check(text));
    }

    /** The loader's verdict on {@code text}, as `vipgate check` would give it. */
    private static Optional<ConfigException> check(String text) {
        try {
            ApplianceConfig.parse(text, "imported vipgate.conf");
            return Optional.empty();
        } catch (ConfigException e) {
            return Optional.of(e);
        }
    }
}
