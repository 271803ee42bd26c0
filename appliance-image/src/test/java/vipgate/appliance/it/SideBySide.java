package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import vipgate.appliance.importer.Importer;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.FreePort;
import vipgate.testkit.NginxWebNode;

/**
 * One nginx site (the inside of an http block, {@code @PORT@} for its listen port) run twice on loopback: by
 * nginx-light, and through `vipgate import` by vipgate, both with {@code upstream app} pointing at {@code backend}.
 * What it starts is added to {@code running} for the caller to close.
 */
record SideBySide(int nginxPort, int vipgatePort, Importer.Result imported) {

    /** {@code backendLocation}: a location the nginx process also serves on {@code backend} (an echo), or "" for none. */
    static SideBySide start(Path dir, String name, String site, int backend, String backendLocation, List<AutoCloseable> running)
            throws IOException {
        int nginxPort = FreePort.tcp();
        int vipgatePort = FreePort.tcp();
        String upstream = "upstream app { server 127.0.0.1:" + backend + "; }\n";
        NginxWebNode.Builder nginx = NginxWebNode.builder().under(dir).http(upstream + site.replace("@PORT@", String.valueOf(nginxPort)));
        if (backendLocation.isEmpty()) {
            nginx.port(FreePort.tcp());
        } else {
            nginx.port(backend).location(backendLocation);
        }
        running.add(nginx.start());

        Path nginxConf = Files.writeString(dir.resolve(name), "events {}\nhttp {\n" + upstream
                + site.replace("@PORT@", String.valueOf(vipgatePort)) + "}\n");
        Importer.Result imported = Importer.run(Optional.empty(), Optional.of(nginxConf), Optional.empty());
        assertThat(imported.rejected()).as(imported.text()).isEmpty();
        int admin = FreePort.tcp();
        Path conf = Files.writeString(dir.resolve(name + ".vipgate.conf"), imported.text()
                + "\nvipgate.admin.listen = \"127.0.0.1:" + admin + "\"\n");
        ApplianceProcess vipgate = ApplianceProcess.builder(ApplianceProcess.jar()).adminPort(admin)
                .workDir(dir).args("run", "-c", conf.toString()).start();
        running.add(vipgate);
        vipgate.awaitHealthy(Duration.ofSeconds(30));
        return new SideBySide(nginxPort, vipgatePort, imported);
    }
}
