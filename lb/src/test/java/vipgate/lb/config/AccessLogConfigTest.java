package vipgate.lb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import vipgate.config.ConfigException;
import vipgate.config.ConfigProblem;

class AccessLogConfigTest {
    private static final String MINIMAL = """
            upstreams.web { servers = [ { address = "127.0.0.1:8081" } ] }
            servers = [ { listen = "127.0.0.1:8080", locations = [ { path = "/", upstream = web } ] } ]
            """;

    private static LbConfig bind(String lbBody) {
        return LbConfigText.bind("vipgate.lb {\n" + MINIMAL + lbBody + "\n}\n");
    }

    private static List<String> problems(String lbBody) {
        ConfigException e = catchThrowableOfType(() -> bind(lbBody), ConfigException.class);
        assertThat(e).as("binding should fail").isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void offByDefaultWithNginxsMainFormatPlusTheUpstreamFields() {
        AccessLogSpec log = bind("").accessLog();
        assertThat(log.path()).isEmpty();
        assertThat(log.format()).isEqualTo("$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
                + "\"$http_referer\" \"$http_user_agent\" \"$http_x_forwarded_for\" $upstream_addr $upstream_status "
                + "$request_time $upstream_response_time");
        assertThat(log.buffer()).isEqualTo(4 << 20);
        assertThat(log.flush()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aFormatOfTheUsersOwnIsNamedByAccessLog() {
        AccessLogSpec log = bind("""
                log-formats.timing = "$request_time $upstream_connect_time $upstream_header_time"
                access-log { path = "/var/log/vipgate/access.log", format = timing, buffer = 64k, flush = 5s }
                """).accessLog();
        assertThat(log.path()).contains(Path.of("/var/log/vipgate/access.log"));
        assertThat(log.format()).isEqualTo("$request_time $upstream_connect_time $upstream_header_time");
        assertThat(log.buffer()).isEqualTo(64 << 10);
        assertThat(log.flush()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void mistakesAreReportedAtTheirLines() {
        // lines: 1 vipgate.lb {, 2-3 MINIMAL, then these
        List<String> problems = problems("""
                log-formats { short = "$remote_addr $stauts" }
                access-log {
                  path = "logs/access.log"
                  format = combined
                  buffer = 1k
                  flush = 0s
                }
                """);
        assertThat(problems).containsExactly(
                "test.conf:4: vipgate.lb.log-formats: short: unknown variable $stauts; known: "
                        + problems.get(0).substring(problems.get(0).indexOf("known: ") + 7),
                "test.conf:6: vipgate.lb.access-log.path: write an absolute path such as \"/var/log/vipgate/access.log\", "
                        + "or \"\" for no access log",
                "test.conf:7: vipgate.lb.access-log.format: no log format named 'combined'; define "
                        + "vipgate.lb.log-formats.combined or use one of [main, short]",
                "test.conf:8: vipgate.lb.access-log.buffer: must be between 4k and 1g, got 1024",
                "test.conf:9: vipgate.lb.access-log.flush: must be longer than 0s");
        assertThat(problems.get(0)).contains("$status").contains("$http_NAME");
    }
}
