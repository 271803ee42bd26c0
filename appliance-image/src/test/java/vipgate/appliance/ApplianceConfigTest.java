package vipgate.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.config.ConfigException;
import vipgate.config.HostPort;

class ApplianceConfigTest {
    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        return Files.writeString(dir.resolve("vipgate.conf"), text);
    }

    private static String withAdmin(String admin) {
        return """
                vipgate {
                  %s
                  lb {
                    upstreams.web { servers = [ { address = "127.0.0.1:1" } ] }
                    servers = [{ listen = ["127.0.0.1:2"], locations = [{ path = "/", upstream = web }] }]
                  }
                }
                """.formatted(admin);
    }

    @Test
    void theAdminApiOffLoopbackNeedsAToken() throws IOException {
        for (String open : new String[] {"0.0.0.0:9090", "[::]:9090", "192.0.2.1:9090"}) {
            Path file = write(withAdmin("admin.listen = \"" + open + "\""));
            assertThatThrownBy(() -> ApplianceConfig.load(Optional.of(file))).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(file + ":2: vipgate.admin.listen: the admin API on")
                    .hasMessageContaining("is reachable from the network; set vipgate.admin.token or listen on 127.0.0.1");
        }
        Path tokened = write(withAdmin("admin { listen = \"0.0.0.0:9090\", token = \"t0k3n\" }"));
        ApplianceConfig c = ApplianceConfig.load(Optional.of(tokened));
        assertThat(c.adminListen()).isEqualTo(HostPort.parse("0.0.0.0:9090"));
        assertThat(c.adminToken()).isEqualTo("t0k3n");
        for (String loopback : new String[] {"127.0.0.1:9191", "[::1]:9191", "localhost:9191"}) {
            assertThat(ApplianceConfig.load(Optional.of(write(withAdmin("admin.listen = \"" + loopback + "\"")))).adminToken())
                    .isEmpty();
        }
    }

    @Test
    void theAdminLimitsHaveDefaultsAndAreChecked() throws IOException {
        ApplianceConfig c = ApplianceConfig.load(Optional.of(write(withAdmin(""))));
        assertThat(c.admin().requestTimeout()).hasSeconds(10);
        assertThat(c.admin().idleTimeout()).hasSeconds(60);
        assertThat(c.admin().maxConnections()).isEqualTo(32);
        assertThat(c.admin().serverNames()).isEmpty();
        Path bad = write(withAdmin("admin { server-names = [\"lb1:9090\"], request-timeout = 0s, max-connections = 0 }"));
        assertThatThrownBy(() -> ApplianceConfig.load(Optional.of(bad))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(bad + ":2: vipgate.admin.server-names: 'lb1:9090' is not a host name")
                .hasMessageContaining(bad + ":2: vipgate.admin.request-timeout: must be longer than 0s")
                .hasMessageContaining(bad + ":2: vipgate.admin.max-connections: must be between 1 and 10000");
    }

    @Test
    void systemPropertiesAreNotSettings() throws IOException {
        // reference.conf alone defines what may be written; a -D property neither sets nor validates a key
        String old = System.setProperty("vipgate.lb.transport", "carrier-pigeon");
        try {
            ApplianceConfig c = ApplianceConfig.load(Optional.of(write(withAdmin(""))));
            assertThat(c.lb().transport().name()).isEqualTo("AUTO");
        } finally {
            if (old == null) {
                System.clearProperty("vipgate.lb.transport");
            } else {
                System.setProperty("vipgate.lb.transport", old);
            }
        }
    }

    /** SIGHUP reloads run on a thread started by the JVM's signal handler, which has no context class loader. */
    @Test
    void loadsOnAThreadWithoutAContextClassLoader() throws Exception {
        Path file = write(withAdmin(""));
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                outcome.set(ApplianceConfig.load(Optional.of(file)));
            } catch (RuntimeException e) {
                outcome.set(e);
            }
        });
        t.setContextClassLoader(null);
        t.start();
        t.join(30_000);
        assertThat(outcome.get()).isInstanceOf(ApplianceConfig.class);
    }

    @Test
    void ipvsIsBoundAndItsSyncDaemonMustFollowADefinedVrrpInstance() throws IOException {
        String ipvs = """
                ipvs {
                  virtual-servers = [{ address = "192.168.1.120:80", scheduler = wrr, forwarding = dr
                    real-servers = [{ address = "192.168.1.103" }] }]
                  sync-daemon { interface = eth0, vrrp-instance = VI_9 }
                }""";
        Path bad = write(withAdmin(ipvs));
        assertThatThrownBy(() -> ApplianceConfig.load(Optional.of(bad))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(bad + ":5: vipgate.ipvs.sync-daemon: vrrp-instance 'VI_9' is not defined");
        ApplianceConfig c = ApplianceConfig.load(Optional.of(write(withAdmin(ipvs.replace(
                "sync-daemon { interface = eth0, vrrp-instance = VI_9 }", "")))));
        assertThat(c.ipvs().virtualServers()).hasSize(1);
        assertThat(ApplianceConfig.load(Optional.of(write(withAdmin("")))).ipvs().isEmpty()).isTrue();
    }
}
