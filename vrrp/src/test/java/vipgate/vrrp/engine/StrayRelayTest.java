package vipgate.vrrp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class StrayRelayTest {
    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void theRelayIsOneTransactionThatReplacesAnyOldOneAndPassesOnlyStraySegmentsOfTheLeavingMastersFamily() throws Exception {
        String script = StrayRelay.installScript("vipgate_relay_VI_1", List.of(ip("10.77.0.100"), ip("fd00::100"),
                ip("10.77.0.101")), ip("10.77.0.1"), "eth0");
        assertThat(script).isEqualTo("""
                add table ip vipgate_relay_VI_1
                delete table ip vipgate_relay_VI_1
                add table ip6 vipgate_relay_VI_1
                delete table ip6 vipgate_relay_VI_1
                table ip vipgate_relay_VI_1 {
                  chain strays {
                    type filter hook prerouting priority filter; policy accept;
                    ip daddr { 10.77.0.100, 10.77.0.101 } tcp flags & syn == 0 socket wildcard 1 counter dup to 10.77.0.1 device "eth0" drop
                  }
                }
                """);
    }

    @Test
    void anIpv6LeavingMasterIsReachedAtItsLinkLocalAddressOnTheInstancesInterface() throws Exception {
        String script = StrayRelay.installScript("t", List.of(ip("fd00::100")), ip("fe80::1%1"), "eth1");
        assertThat(script).contains("ip6 daddr { fd00:0:0:0:0:0:0:100 } tcp flags & syn == 0 socket wildcard 1 counter dup to fe80:0:0:0:0:0:0:1 device \"eth1\" drop");
    }

    @Test
    void tableNamesAreNftIdentifiers() {
        assertThat(StrayRelay.tableName("VI-1 web.a")).isEqualTo("vipgate_relay_VI_1_web_a");
    }
}
