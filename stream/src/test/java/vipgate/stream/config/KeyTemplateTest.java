package vipgate.stream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class KeyTemplateTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.7", 40001);
    private static final InetSocketAddress LISTENER = new InetSocketAddress("10.0.0.9", 6379);

    @Test
    void variablesAreTheSessionsAddresses() {
        assertThat(KeyTemplate.parse("$remote_addr").evaluate(CLIENT, LISTENER)).isEqualTo("192.0.2.7");
        assertThat(KeyTemplate.parse("$remote_addr:$remote_port").evaluate(CLIENT, LISTENER)).isEqualTo("192.0.2.7:40001");
        assertThat(KeyTemplate.parse("${server_addr}x$server_port").evaluate(CLIENT, LISTENER)).isEqualTo("10.0.0.9x6379");
        assertThat(KeyTemplate.parse("fixed").evaluate(CLIENT, LISTENER)).isEqualTo("fixed");
        assertThat(KeyTemplate.parse("").evaluate(CLIENT, LISTENER)).isEmpty();
    }

    @Test
    void anUnknownVariableIsRefusedWithTheKnownOnes() {
        assertThatThrownBy(() -> KeyTemplate.parse("$remote_address")).hasMessageContaining("'$remote_address'")
                .hasMessageContaining("$remote_addr, $remote_port, $server_addr, $server_port");
        assertThatThrownBy(() -> KeyTemplate.parse("$REMOTE_ADDR")).hasMessageContaining("unknown variable");
        assertThatThrownBy(() -> KeyTemplate.parse("a $ b")).hasMessageContaining("'$'");
        assertThatThrownBy(() -> KeyTemplate.parse("${remote_addr")).hasMessageContaining("closing '}'");
    }

    @Test
    void templatesAreEqualWhenTheirTextIs() {
        assertThat(KeyTemplate.parse("$remote_addr")).isEqualTo(KeyTemplate.parse("$remote_addr"))
                .hasSameHashCodeAs(KeyTemplate.parse("$remote_addr")).isNotEqualTo(KeyTemplate.parse("${remote_addr}"));
    }
}
