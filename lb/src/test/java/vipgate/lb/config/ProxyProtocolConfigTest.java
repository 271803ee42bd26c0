package vipgate.lb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import vipgate.config.ConfigException;
import vipgate.config.ConfigProblem;

class ProxyProtocolConfigTest {
    private static String config(String upstream, String servers) {
        return """
                vipgate.lb {
                  upstreams.web { servers = [ { address = "127.0.0.1:8081" } ]%s }
                  servers = [
                %s
                  ]
                }
                """.formatted(upstream, servers);
    }

    private static String server(String listen, String extra) {
        return "    { listen = \"" + listen + "\", locations = [ { path = \"/\", upstream = web } ]" + extra + " }\n";
    }

    private static List<String> problems(String text) {
        ConfigException e = catchThrowableOfType(() -> LbConfigText.bind(text), ConfigException.class);
        assertThat(e).as("binding should fail").isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void proxyProtocolAndTheUpstreamHeaderAreRead() {
        LbConfig cfg = LbConfigText.bind(config(", send-proxy = v2",
                server("127.0.0.1:8080", ", proxy-protocol = true, real-ip { from = [\"10.0.0.0/8\"], header = proxy_protocol }")));
        assertThat(cfg.servers().get(0).proxyProtocol()).isTrue();
        assertThat(cfg.servers().get(0).realIp().header()).isEqualTo("proxy_protocol");
        assertThat(cfg.upstreams().get("web").sendProxy()).isEqualTo(UpstreamSpec.SendProxy.V2);
        assertThat(LbConfigText.bind(config("", server("127.0.0.1:8080", ""))).upstreams().get("web").sendProxy())
                .isEqualTo(UpstreamSpec.SendProxy.OFF);
    }

    @Test
    void proxyProtocolNeedsTrustedSenders() {
        assertThat(problems(config("", server("127.0.0.1:8080", ", proxy-protocol = true"))))
                .singleElement().asString().contains("vipgate.lb.servers[0].proxy-protocol", "real-ip.from");
    }

    @Test
    void serversOnOneSocketAgreeOnProxyProtocol() {
        String trusted = ", real-ip.from = [\"10.0.0.0/8\"]";
        assertThat(problems(config("", server("0.0.0.0:8080", ", proxy-protocol = true" + trusted) + server("127.0.0.1:8080", trusted))))
                .containsExactly("test.conf:5: vipgate.lb.servers[1].listen: 127.0.0.1:8080 is without PROXY protocol here but "
                        + "0.0.0.0:8080 of vipgate.lb.servers[0] (line 4) is PROXY protocol on the same socket; set "
                        + "proxy-protocol on both servers, or on neither, or listen on another port");
    }

    @Test
    void aRealIpHeaderMustBeAName() {
        assertThat(problems(config("", server("127.0.0.1:8080", ", real-ip { from = [\"10.0.0.0/8\"], header = \"X-Real IP\" }"))))
                .singleElement().asString().contains("real-ip.header", "not a header name");
        assertThat(problems(config(", send-proxy = v3", server("127.0.0.1:8080", ""))))
                .singleElement().asString().contains("send-proxy", "off | v1 | v2");
    }
}
