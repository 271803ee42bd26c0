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
}
