package vipgate.appliance.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vipgate.config.Binding;
import vipgate.config.ConfigLoader;
import vipgate.lb.LbEngine;
import vipgate.lb.config.LbConfig;
import vipgate.testkit.FreePort;

class MetricsPageTest {
    private LbEngine lb;

    @AfterEach
    void stop() {
        if (lb != null) {
            lb.shutdown(java.time.Duration.ZERO);
        }
    }

    @Test
    void anAddressListedTwiceInOneUpstreamIsOneSeries() {
        // nginx accepts the same server twice (here as primary and backup); the page must stay valid
        LbConfig config = Binding.bind(ConfigLoader.parseString("""
                vipgate.lb {
                  upstreams.web.servers = [ { address = "127.0.0.1:1", weight = 2 }, { address = "127.0.0.1:1", backup = true } ]
                  servers = [ { listen = "127.0.0.1:%d", locations = [ { path = "/", upstream = web } ] } ]
                }
                """.formatted(FreePort.tcp()), "test.conf"), LbConfig::bind, "vipgate", "lb");
        lb = LbEngine.start(config);
        PrometheusExposition page = PrometheusExposition.parse(MetricsPage.render(lb, List.of()));
        assertThat(page.samples("vipgate_lb_upstream_server_up")).singleElement()
                .satisfies(s -> assertThat(s.labels()).containsEntry("server", "127.0.0.1:1"));
        assertThat(page.value("vipgate_lb_upstream_effective_weight", "upstream", "web", "server", "127.0.0.1:1")).isEqualTo(3);
    }
}
