package vipgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {
    @Test
    void parsesTheFormsOperatorsWrite() {
        assertThat(HostPort.parse("127.0.0.1:8081")).isEqualTo(new HostPort("127.0.0.1", 8081));
        assertThat(HostPort.parse("[::1]:80")).isEqualTo(new HostPort("::1", 80));
        assertThat(HostPort.parse("8080")).isEqualTo(new HostPort("0.0.0.0", 8080));
        assertThat(HostPort.parse(" web1:80 ")).isEqualTo(new HostPort("web1", 80));
        assertThat(HostPort.parse("[::]:443").toString()).isEqualTo("[::]:443");
    }

    @Test
    void refusesWithAHint() {
        assertThatThrownBy(() -> HostPort.parse("10.0.0.1")).hasMessageContaining("has no port");
        assertThatThrownBy(() -> HostPort.parse("::1:80")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> HostPort.parse("h:70000")).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> HostPort.parse(":80")).hasMessageContaining("no host");
    }

    /** Each passed parsing before, then failed at bind ("cannot listen on 999.1.1.1:80: null") or connect time. */
    @Test
    void refusesHostsThatAreNoAddressAndNoName() {
        // nginx -t: host not found in "999.1.1.1:80" of the "listen" directive in /tmp/ngx/badip.conf.nginx:1
        assertThatThrownBy(() -> HostPort.parse("999.1.1.1:80"))
                .hasMessage("'999.1.1.1:80': 999.1.1.1 is not an IPv4 address (four numbers from 0 to 255)");
        assertThatThrownBy(() -> HostPort.parse("10.0.0:80")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> HostPort.parse("10.0.0.1.2:80")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> HostPort.parse("[zz::1]:80")).hasMessage("'[zz::1]:80': zz::1 is not an IPv6 address");
        assertThatThrownBy(() -> HostPort.parse("[1::2::3]:80")).hasMessageContaining("not an IPv6 address");
        for (String name : new String[] {"a..b", "-web", "web-.test", "we b", "web/1", "x".repeat(64)}) {
            assertThatThrownBy(() -> HostPort.parse(name + ":80")).as(name).hasMessageContaining("is not a host name");
        }
        assertThat(HostPort.parse("*:80").host()).isEqualTo("*");
        assertThat(HostPort.parse("[fe80::1%lo]:80").host()).isEqualTo("fe80::1%lo");
        assertThat(HostPort.parse("web_1.internal.:80").host()).isEqualTo("web_1.internal.");
        assertThat(HostPort.parse("255.255.255.255:80").host()).isEqualTo("255.255.255.255");
    }
}
