package vipgate.lb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import vipgate.config.ConfigException;
import vipgate.config.ConfigProblem;

class MapConfigTest {
    private static String config(String maps, String requestHeaders) {
        return """
                vipgate.lb {
                  upstreams.web { servers = [ { address = "127.0.0.1:8081" } ] }
                  maps { %s }
                  servers = [ { listen = "127.0.0.1:8080", locations = [ { path = "/", upstream = web, request-headers { %s } } ] } ]
                }
                """.formatted(maps, requestHeaders);
    }

    private static List<String> problems(String text) {
        ConfigException e = catchThrowableOfType(() -> LbConfigText.bind(text), ConfigException.class);
        assertThat(e).as("binding should fail").isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void aMapIsAVariableOfTheServersTemplates() {
        LbConfig cfg = LbConfigText.bind(config("""
                connection_upgrade { source = "$http_upgrade", default = upgrade, values = [ { match = "", value = close } ] }
                """, "Connection = \"$connection_upgrade\""));
        assertThat(cfg.maps().get("connection_upgrade").entries()).containsExactly(new MapSpec.Entry("", "close"));
        assertThat(cfg.maps().get("connection_upgrade").byDefault()).isEqualTo("upgrade");
    }

    @Test
    void anUnknownVariableIsStillRefused() {
        assertThat(problems(config("", "X = \"$connection_upgrade\""))).singleElement().asString()
                .contains("unknown variable $connection_upgrade");
    }

    @Test
    void badMapsAreRefusedWithTheReason() {
        assertThat(problems(config("""
                host { source = "$uri" }
                m { source = "$uri", values = [ { match = "~(a", value = x }, { match = "~^/(.*)", value = "/$1" } ] }
                """, ""))).satisfiesExactlyInAnyOrder(
                        p -> assertThat(p).contains("maps.host", "cannot name a map"),
                        p -> assertThat(p).contains("invalid regex"),
                        p -> assertThat(p).contains("cannot use the captures"));
    }
}
