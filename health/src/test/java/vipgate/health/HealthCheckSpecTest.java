package vipgate.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.config.ConfigLoader;
import vipgate.config.ConfigProblem;
import vipgate.config.Problems;
import vipgate.config.Section;

class HealthCheckSpecTest {
    private static final Config REFERENCE = ConfigLoader.reference();

    /** Binds each entry of {@code checks { name { ... } }} the way an engine binds its element lists. */
    private static Map<String, HealthCheckSpec> bind(String userFile, Problems problems) {
        Section root = Section.root(ConfigFactory.parseString(userFile), REFERENCE, problems);
        Map<String, HealthCheckSpec> specs = root.namedObjects("checks", Section.elementDefaults(REFERENCE, HealthCheckSpec.DEFAULTS_PATH))
                .entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> HealthCheckSpec.bind(e.getValue())));
        root.finish();
        return specs;
    }

    private static List<String> messages(Problems problems) {
        return problems.list().stream().map(ConfigProblem::message).toList();
    }

    @Test
    void emptyBlockGetsTheDocumentedDefaults() {
        Problems problems = new Problems();
        HealthCheckSpec spec = bind("checks { plain {} }", problems).get("plain");
        assertThat(messages(problems)).isEmpty();
        assertThat(spec).isEqualTo(new HealthCheckSpec(HealthCheckSpec.Type.NONE, Duration.ofSeconds(2), Duration.ofSeconds(1),
                2, 3, "/", StatusRange.parse("200-399"), "", "", List.of()));
        assertThat(spec.enabled()).isFalse();
    }

    @Test
    void validBlocksBindEveryKey() {
        Problems problems = new Problems();
        Map<String, HealthCheckSpec> specs = bind("""
                checks {
                  web {
                    type = http
                    interval = 5s
                    timeout = 500ms
                    rise = 1
                    fall = 4
                    path = "/healthz?full=1"
                    expect-status = "200,204"
                    host = "www.example.com"
                    body-contains = "OK"
                  }
                  db {
                    type = script
                    script = ["/usr/lib/vipgate/check-db", "--quick"]
                  }
                  port { type = tcp, interval = 1s, timeout = 1s }
                }
                """, problems);
        assertThat(messages(problems)).isEmpty();

        HealthCheckSpec web = specs.get("web");
        assertThat(web.type()).isEqualTo(HealthCheckSpec.Type.HTTP);
        assertThat(web.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(web.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(web.rise()).isEqualTo(1);
        assertThat(web.fall()).isEqualTo(4);
        assertThat(web.path()).isEqualTo("/healthz?full=1");
        assertThat(web.expectStatus()).isEqualTo(StatusRange.parse("200,204"));
        assertThat(web.host()).isEqualTo("www.example.com");
        assertThat(web.bodyContains()).isEqualTo("OK");

        assertThat(specs.get("db").type()).isEqualTo(HealthCheckSpec.Type.SCRIPT);
        assertThat(specs.get("db").script()).containsExactly("/usr/lib/vipgate/check-db", "--quick");
        assertThat(specs.get("port").type()).isEqualTo(HealthCheckSpec.Type.TCP);
    }

    @Test
    void bindsAsANestedSectionOverTheTemplate() {
        Problems problems = new Problems();
        Config reference = ConfigFactory.parseString("upstream.health-check = ${vipgate-defaults.health-check}").withFallback(REFERENCE);
        Section root = Section.root(ConfigFactory.parseString("upstream.health-check { type = tcp, fall = 5 }"), reference, problems);
        HealthCheckSpec spec = HealthCheckSpec.bind(root.section("upstream").section("health-check"));
        root.finish();
        assertThat(messages(problems)).isEmpty();
        assertThat(spec.type()).isEqualTo(HealthCheckSpec.Type.TCP);
        assertThat(spec.fall()).isEqualTo(5);
        assertThat(spec.rise()).isEqualTo(2);
    }

    @Test
    void misspeltKeyIsReportedWithTheRightSpelling() {
        Problems problems = new Problems();
        bind("checks { web { type = tcp, intervall = 5s } }", problems);
        assertThat(messages(problems)).containsExactly("unknown key 'checks.web.intervall'; did you mean 'interval'?");
    }

    @Test
    void misspeltTypeIsReportedWithTheChoices() {
        Problems problems = new Problems();
        bind("checks { web { type = htpp } }", problems);
        assertThat(messages(problems)).singleElement().asString()
                .contains("checks.web.type", "http | none | script | tcp", "did you mean http?");
    }

    @Test
    void everyInvalidValueIsReportedAtOnce() {
        Problems problems = new Problems();
        bind("""
                checks {
                  a { interval = 0s }
                  b { interval = 1s, timeout = 2s }
                  c { rise = 0, fall = -1 }
                  d { path = "healthz" }
                  e { expect-status = "2xx" }
                  f { type = script }
                  g { timeout = 0s }
                  h { host = "www example.com" }
                }
                """, problems);
        assertThat(messages(problems)).containsExactlyInAnyOrder(
                "checks.a.interval: must be greater than 0, e.g. 2s or 500ms",
                "checks.b.timeout: must not exceed interval (1s), got 2s; raise interval or lower timeout",
                "checks.c.rise: must be at least 1, got 0",
                "checks.c.fall: must be at least 1, got -1",
                "checks.d.path: must start with / and contain no spaces, e.g. \"/healthz\"; got 'healthz'",
                "checks.e.expect-status: '2xx' in '2xx' is not an HTTP status from 100 to 599;"
                        + " write a status or range such as 200, 200-399 or 200,204,300-399",
                "checks.f.script: type = script needs a command, e.g. script = [\"/etc/vipgate/check-app.sh\", \"--quick\"]",
                "checks.g.timeout: must be greater than 0, e.g. 2s or 500ms",
                "checks.h.host: must be a host name such as \"www.example.com\", got 'www example.com'");
    }

    @Test
    void problemsPointAtTheUsersLine(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("vipgate.conf"), "checks {\n  web {\n    rise = 0\n  }\n}\n");
        Problems problems = new Problems();
        Section root = Section.root(ConfigLoader.parseFile(file), REFERENCE, problems);
        root.namedObjects("checks", Section.elementDefaults(REFERENCE, HealthCheckSpec.DEFAULTS_PATH))
                .values().forEach(HealthCheckSpec::bind);
        root.finish();
        assertThat(problems.list()).singleElement().hasToString(file + ":3: checks.web.rise: must be at least 1, got 0");
    }

    @Test
    void factoryBuildsTheCheckerTheTypeAsksFor() {
        Problems problems = new Problems();
        Map<String, HealthCheckSpec> specs = bind("""
                checks {
                  none {}
                  tcp { type = tcp }
                  http { type = http }
                  script { type = script, script = ["/bin/true"] }
                }
                """, problems);
        assertThat(messages(problems)).isEmpty();
        EventLoopGroup group = NettyTestSupport.newGroup();
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        try {
            InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
            assertThat(Checker.newChecker(specs.get("tcp"), target, group, NettyTestSupport.NIO, executor))
                    .isInstanceOf(TcpConnectChecker.class);
            assertThat(Checker.newChecker(specs.get("http"), target, group, NettyTestSupport.NIO, executor))
                    .isInstanceOf(HttpGetChecker.class);
            assertThat(Checker.newChecker(specs.get("script"), target, group, NettyTestSupport.NIO, executor))
                    .isInstanceOf(ScriptChecker.class);
            assertThatThrownBy(() -> Checker.newChecker(specs.get("none"), target, group, NettyTestSupport.NIO, executor))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            executor.shutdownNow();
            NettyTestSupport.shutdown(group);
        }
    }
}
