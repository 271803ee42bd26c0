package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.FreePort;
import vipgate.testkit.RawHttp;

/** The shaded jar's command line, as an operator runs it. */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class CliIT {
    private static final Duration SHORT = Duration.ofSeconds(30);
    /** The embedded demo's fixed ports: proxy, two web nodes, admin API. */
    private static final int[] DEMO_PORTS = {8080, 8081, 8082, 9090};

    @TempDir
    Path dir;

    @Test
    void checkPrintsOkOrEveryProblemAtItsLine() throws IOException {
        Path good = Files.writeString(dir.resolve("good.conf"),
                ItSupport.config(FreePort.tcp(), List.of(FreePort.tcp()), List.of("127.0.0.1:1"), "", ""));
        ApplianceProcess.Completed ok = ApplianceProcess.run(ApplianceProcess.jar(), SHORT, "check", "-c", good.toString());
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        assertThat(ok.lines()).containsExactly("ok");

        Path bad = Files.writeString(dir.resolve("bad.conf"), """
                vipgate {
                  lb {
                    upstreams.web { servers = [ { address = "127.0.0.1:1", wieght = 1, fail-timeout = 10 seconds please } ] }
                    servers = [{ listen = ["127.0.0.1:1"], locations = [{ path = "/", upstream = nowhere }] }]
                  }
                }
                bogus = true
                """);
        ApplianceProcess.Completed refused = ApplianceProcess.run(ApplianceProcess.jar(), SHORT, "check", "-c", bad.toString());
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
        assertThat(refused.lines()).containsExactlyInAnyOrder(
                bad + ":3: unknown key 'vipgate.lb.upstreams.web.servers[0].wieght'; did you mean 'weight'?",
                bad + ":3: vipgate.lb.upstreams.web.servers[0].fail-timeout: expected a duration such as 500ms, 5s or 1m, "
                        + "got string \"10 seconds please\"",
                bad + ":4: vipgate.lb.servers[0].locations[0].upstream: no upstream named 'nowhere'; "
                        + "define vipgate.lb.upstreams.nowhere or use one of [web]",
                bad + ":7: unknown key 'bogus'; valid keys here: vipgate",
                bad + ": 4 errors");

        Path syntax = Files.writeString(dir.resolve("syntax.conf"), "vipgate {\n  node-name = [\n}\n");
        ApplianceProcess.Completed broken = ApplianceProcess.run(ApplianceProcess.jar(), SHORT, "check", "-c", syntax.toString());
        assertThat(broken.exitCode()).isEqualTo(1);
        assertThat(broken.lines().get(0)).matches(java.util.regex.Pattern.quote(syntax.toString()) + ":[23]: .+");
    }

    @Test
    void versionAndHelp() {
        ApplianceProcess.Completed version = ApplianceProcess.run(ApplianceProcess.jar(), SHORT, "--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.lines()).singleElement().asString().startsWith("vipgate 0.1.0-SNAPSHOT");

        ApplianceProcess.Completed help = ApplianceProcess.run(ApplianceProcess.jar(), SHORT, "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.output()).contains("Usage: vipgate [-hV] [COMMAND]").containsPattern("(?m)^  run +Run the appliance")
                .containsPattern("(?m)^  check +Validate a configuration file");
        assertThat(help.lines()).contains("Examples:", "  java -jar vipgate.jar run",
                "  java -jar vipgate.jar check -c /etc/vipgate/vipgate.conf");

        ApplianceProcess.Completed wrong = ApplianceProcess.run(ApplianceProcess.jar(), SHORT, "chekc");
        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.output()).contains("Unmatched argument at index 0: 'chekc'");
    }

    @Test
    void runRefusesABadFileWithExitOne() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.conf"), "vipgate.lb.transport = carrier-pigeon\n");
        ApplianceProcess.Completed r = ApplianceProcess.run(ApplianceProcess.jar(), SHORT, "run", "-c", bad.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.output()).contains("vipgate: configuration refused:")
                .contains(bad + ":1: vipgate.lb.transport: unknown value 'carrier-pigeon'");
    }

    @Test
    void runWithoutAConfigSaysSoWhenTheDemoPortsAreTaken() throws IOException {
        ServerSocket held = new ServerSocket();
        try {
            held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 8081));
        } catch (IOException e) {
            held.close(); // something else has it already, which serves this test as well
        }
        try {
            ApplianceProcess.Completed r = ApplianceProcess.run(ApplianceProcess.jar(), SHORT, "run");
            assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
            assertThat(r.output()).contains("vipgate: cannot start: cannot start the demo web nodes")
                    .contains("is something else on ports 8081/8082? run with -c FILE for a real config");
        } finally {
            held.close();
        }
    }

    /** `run` without -c: the demo proxy on :8080 round-robins over the two demo web nodes; status on :9090. */
    @Test
    void runWithoutAConfigServesTheDemo() throws IOException {
        List<Integer> busy = new ArrayList<>();
        for (int port : DEMO_PORTS) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (IOException e) {
                busy.add(port);
            }
        }
        assertThat(busy).as("the demo needs 127.0.0.1 ports 8080, 8081, 8082 and 9090, but these are in use (another "
                + "`vipgate run` or web server?); free them, e.g. find the owner with `ss -ltnp`").isEmpty();

        try (ApplianceProcess demo = ApplianceProcess.builder(ApplianceProcess.jar()).args("run").adminPort(9090).start()) {
            demo.awaitHealthy(ItSupport.START_TIMEOUT);
            // two separate connections, as two curl runs
            assertThat(ItSupport.get(8080, "/")).isEqualTo("HTTP WEB NODE 01\n");
            assertThat(ItSupport.get(8080, "/")).isEqualTo("HTTP WEB NODE 02\n");
            assertThat(ItSupport.get(8080, "/")).isEqualTo("HTTP WEB NODE 01\n");

            RawHttp.Response status = ItSupport.admin(9090, "GET", "/status");
            assertThat(status.status()).isEqualTo(200);
            Config s = ConfigFactory.parseString(status.bodyText());
            assertThat(s.getString("node")).isEqualTo("demo");
            assertThat(s.getLong("lb.requests")).isEqualTo(3);
            Config web = s.getConfigList("lb.upstreams").get(0);
            assertThat(web.getString("name")).isEqualTo("web");
            assertThat(web.getConfigList("servers")).extracting(c -> c.getString("address"))
                    .containsExactly("127.0.0.1:8081", "127.0.0.1:8082");
            assertThat(demo.log()).contains("no -c given: running the embedded demo config");

            assertThat(demo.stop(Duration.ofSeconds(20))).as("exit status after SIGTERM").isZero();
            assertThat(demo.log()).contains("lb engine stopped");
            for (int port : DEMO_PORTS) {
                assertThat(FreePort.accepts(port)).as("port %d after the stop", port).isFalse();
            }
        }
    }
}
