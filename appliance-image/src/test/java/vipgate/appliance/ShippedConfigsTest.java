package vipgate.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import vipgate.config.HostPort;

/** The configs the appliance ships must pass its own check. */
class ShippedConfigsTest {
    @Test
    void embeddedDemoConfigIsValid() {
        ApplianceConfig c = ApplianceConfig.load(Optional.empty());
        assertThat(c.nodeName()).isEqualTo("demo");
        assertThat(c.adminListen()).isEqualTo(HostPort.parse("127.0.0.1:9090"));
        assertThat(c.lb().upstreams()).containsKey("web");
        assertThat(c.lb().upstreams().get("web").servers()).hasSize(2);
    }

    @Test
    void exampleEtcConfigIsValid() {
        ApplianceConfig c = ApplianceConfig.load(Optional.of(Path.of("src/main/dist/vipgate.conf")));
        assertThat(c.nodeName()).isEqualTo("lb-a");
        assertThat(c.lb().servers().get(0).listen()).hasSize(2);
        assertThat(c.lb().client().maxBodySize()).isEqualTo(10L << 20);
        assertThat(c.ipvs().virtualServers()).singleElement().satisfies(vs -> {
            assertThat(vs.forwarding()).isEqualTo(vipgate.ipvs.netlink.Forwarding.DIRECT_ROUTE);
            assertThat(vs.realServers()).hasSize(2);
        });
        assertThat(c.ipvs().syncDaemon()).hasValueSatisfying(d -> assertThat(d.vrrpInstance()).isEqualTo("VI_1"));
    }
}
