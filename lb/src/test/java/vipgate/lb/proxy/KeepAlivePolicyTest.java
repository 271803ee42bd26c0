package vipgate.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import vipgate.lb.config.ClientSpec;

class KeepAlivePolicyTest {
    private static ClientSpec client(Duration keepaliveTimeout, int keepaliveRequests) {
        return new ClientSpec(Duration.ofSeconds(60), Duration.ofSeconds(60), keepaliveTimeout, keepaliveRequests,
                8192, 8192, 100, 0, Duration.ofSeconds(60), false);
    }

    private static final ClientSpec DEFAULT = client(Duration.ofSeconds(75), 1000);

    @Test
    void aConnectionIsKeptWhenNothingSpeaksAgainstIt() {
        assertThat(KeepAlivePolicy.keeps(DEFAULT, true, 1, false, false)).isTrue();
    }

    @Test
    void eachReasonToCloseCloses() {
        assertThat(KeepAlivePolicy.keeps(DEFAULT, false, 1, false, false)).as("the client asked to close").isFalse();
        assertThat(KeepAlivePolicy.keeps(DEFAULT, true, 1, true, false)).as("draining").isFalse();
        assertThat(KeepAlivePolicy.keeps(DEFAULT, true, 1, false, true)).as("body bytes still to come").isFalse();
        assertThat(KeepAlivePolicy.keeps(client(Duration.ofSeconds(75), 3), true, 3, false, false))
                .as("keepalive-requests reached").isFalse();
        assertThat(KeepAlivePolicy.keeps(client(Duration.ofSeconds(75), 3), true, 2, false, false)).isTrue();
    }

    /** de0f31f kept (and said keep-alive in) error answers with keepalive-timeout = 0, then closed the connection. */
    @Test
    void keepaliveTimeoutZeroKeepsNoConnection() {
        assertThat(KeepAlivePolicy.keeps(client(Duration.ZERO, 1000), true, 1, false, false)).isFalse();
    }
}
