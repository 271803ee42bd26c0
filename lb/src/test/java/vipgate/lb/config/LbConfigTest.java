package vipgate.lb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import vipgate.config.ConfigException;
import vipgate.config.ConfigProblem;
import vipgate.config.HostPort;
import vipgate.balance.Algorithm;

class LbConfigTest {

    private static List<String> problems(String text) {
        ConfigException e = catchThrowableOfType(() -> LbConfigText.bind(text), ConfigException.class);
        assertThat(e).as("binding should fail").isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void aMinimalConfigTakesTheDocumentedDefaults() {
        LbConfig cfg = LbConfigText.bind("""
                vipgate.lb {
                  upstreams.web { servers = [ { address = "127.0.0.1:8081" }, { address = "[::1]:8082", weight = 3, backup = true } ] }
                  servers = [ { listen = "127.0.0.1:8080", server-names = "www.example.com", locations = [ { path = "= /health", upstream = web } ] } ]
                }
                """);
        UpstreamSpec web = cfg.upstreams().get("web");
        assertThat(web.algorithm()).isEqualTo(Algorithm.ROUND_ROBIN);
        assertThat(web.servers()).extracting(ServerSpec::address)
                .containsExactly(new HostPort("127.0.0.1", 8081), new HostPort("::1", 8082));
        ServerSpec first = web.servers().get(0);
        assertThat(first.weight()).isEqualTo(1);
        assertThat(first.maxFails()).isEqualTo(1);
        assertThat(first.failTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(web.servers().get(1).weight()).isEqualTo(3);
        assertThat(web.servers().get(1).backup()).isTrue();
        assertThat(web.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(web.nextUpstream().on()).containsExactlyInAnyOrder(NextUpstreamSpec.RetryOn.ERROR, NextUpstreamSpec.RetryOn.TIMEOUT);
        assertThat(web.nextUpstream().nonIdempotent()).isFalse();
        assertThat(cfg.client().maxBodySize()).isEqualTo(1 << 20);
        VirtualServerSpec server = cfg.servers().get(0);
        assertThat(server.serverNames()).containsExactly("www.example.com");
        assertThat(server.locations().get(0).path()).isEqualTo("= /health");
        assertThat(server.locations().get(0).rewrites()).isEmpty();
        assertThat(server.locations().get(0).returns()).isEmpty();
        assertThat(server.locations().get(0).passUri()).isEmpty();
    }

    @Test
    void regexLocationsRewritesAndReturnsAreCheckedAtTheirLines() {
        List<String> problems = problems("""
                vipgate.lb {
                  upstreams.web { servers = [ { address = "127.0.0.1:8081" } ] }
                  servers = [ { listen = "127.0.0.1:8080", locations = [
                    { path = "~ ^/a\\\\Kb", upstream = web }
                    { path = "/x/", upstream = web, rewrites = [ { regex = "^/x/(.*", replacement = "/y" } ] }
                    { path = "/y/", upstream = web, rewrites = [ { regex = "^/y/(?<n>.*)", replacement = "/z/$n$nope", flag = last } ] }
                    { path = "/z/", return = "3O1 /elsewhere" }
                    { path = "~* \\\\.png$", upstream = web, pass-uri = "/img/" }
                    { path = "/q/" }
                    { path = "^~ /x/", upstream = web }
                  ] } ]
                }
                """);
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:4: ").contains("\\K"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:5: ").contains("rewrites[0].regex"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:6: ").contains("unknown variable $nope"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:7: ").contains("return: write a status code"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:8: ").contains("cannot have URI part"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:9: ").contains("needs an upstream, a return or a rewrite"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:10: ").contains("duplicate location"));
        assertThat(problems).hasSize(7);
    }

    @Test
    void aServerWithAReturnNeedsNoLocation() {
        LbConfig cfg = LbConfigText.bind("""
                vipgate.lb {
                  upstreams.web { servers = [ { address = "127.0.0.1:8081" } ] }
                  servers = [ { listen = "127.0.0.1:8080", return = "301 https://$host$request_uri" } ]
                }
                """);
        assertThat(cfg.servers().get(0).returns()).isEqualTo("301 https://$host$request_uri");
        assertThat(cfg.servers().get(0).locations()).isEmpty();
    }

    @Test
    void theStartWarmUpIsOnByDefaultAndCanBeTurnedOff() {
        String rest = """
                  upstreams.web { servers = [ { address = "127.0.0.1:8081" } ] }
                  servers = [ { listen = "127.0.0.1:8080", locations = [ { path = "/", upstream = web } ] } ]
                }
                """;
        assertThat(LbConfigText.bind("vipgate.lb {\n" + rest).warmup()).isTrue();
        assertThat(LbConfigText.bind("vipgate.lb {\n  warmup = false\n" + rest).warmup()).isFalse();
        assertThat(problems("vipgate.lb {\n  warmup = sometimes\n" + rest)).singleElement().asString().contains("warmup");
    }

    @Test
    void aMisspeltKeyIsReportedAtItsLineWithTheKeyMeant() {
        List<String> problems = problems("""
                vipgate.lb {
                  upstreams.web {
                    servers = [ { address = "127.0.0.1:8081", wieght = 2 } ]
                  }
                  servers = [ { listen = "127.0.0.1:8080", locations = [ { path = "/", upstream = web } ] } ]
                }
                """);
        assertThat(problems).containsExactly(
                "test.conf:3: unknown key 'vipgate.lb.upstreams.web.servers[0].wieght'; did you mean 'weight'?");
    }

    @Test
    void aLocationNamingAMissingUpstreamIsReportedAtItsLine() {
        List<String> problems = problems("""
                vipgate.lb {
                  upstreams.web { servers = [ { address = "127.0.0.1:8081" } ] }
                  servers = [ {
                    listen = "127.0.0.1:8080"
                    locations = [ { path = "/", upstream = wbe } ]
                  } ]
                }
                """);
        assertThat(problems).singleElement().asString()
                .startsWith("test.conf:5: ")
                .contains("no upstream named 'wbe'")
                .contains("[web]");
    }

    @Test
    void badAddressesAreReportedAtTheirLines() {
        List<String> problems = problems("""
                vipgate.lb {
                  upstreams.web { servers = [
                    { address = "127.0.0.1" }
                    { address = "10.0.0.1:99999" }
                    { address = "::1:80" }
                  ] }
                  servers = [ { listen = "localhost", locations = [ { path = "/", upstream = web } ] } ]
                }
                """);
        assertThat(problems).hasSize(5);
        assertThat(problems.get(0)).startsWith("test.conf:3: ").contains("has no port");
        assertThat(problems.get(1)).startsWith("test.conf:4: ").contains("port must be a number from 1 to 65535");
        assertThat(problems.get(2)).startsWith("test.conf:5: ").contains("IPv6 address in brackets");
        assertThat(problems.get(3)).startsWith("test.conf:7: ").contains("listen").contains("has no port");
        assertThat(problems.get(4)).startsWith("test.conf:7: ").contains("at least one listen address");
    }

    @Test
    void everyProblemOfAFileIsReportedAtOnce() {
        List<String> problems = problems("""
                vipgate.lb {
                  tranport = epoll
                  upstreams.web { servers = [ { address = "127.0.0.1:8081", weight = 0 } ], read-timeout = 0s }
                  servers = [ { listen = "127.0.0.1:8080", locations = [ { path = "api", upstream = web } ] } ]
                }
                """);
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:2: ").contains("did you mean 'transport'"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:3: ").contains("weight: must be between 1 and 1000"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:3: ").contains("read-timeout: must be longer than 0s"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:4: ").contains("starts with '/'"));
    }

    @Test
    void anUnknownVariableInAHeaderTemplateIsReportedAtItsLine() {
        List<String> problems = problems("""
                vipgate.lb {
                  upstreams.web { servers = [ { address = "127.0.0.1:8081" } ], hash-key = "$remote_adr", algorithm = hash }
                  servers = [ { listen = "127.0.0.1:8080", locations = [ {
                    path = "/", upstream = web
                    request-headers { X-Real-IP = "$remote_adr" }
                    response-headers { X-Host = "${hots}" }
                  } ] } ]
                }
                """);
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:2: ").contains("hash-key")
                .contains("unknown variable $remote_adr"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:5: ").contains("X-Real-IP")
                .contains("unknown variable $remote_adr"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:6: ").contains("X-Host")
                .contains("unknown variable $hots"));
        assertThat(problems).hasSize(3);
    }
}
