package vipgate.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UpstreamTrailTest {
    private static final long MS = 1_000_000;

    @Test
    void oneServerLooksLikeNginxsSingleEntry() {
        UpstreamTrail t = new UpstreamTrail();
        t.begin("10.0.0.1:80", 0);
        t.connected(1 * MS);
        t.headerReceived(200, 4 * MS);
        t.ended(0, 1234 * MS);
        assertThat(t.addresses()).isEqualTo("10.0.0.1:80");
        assertThat(t.statuses()).isEqualTo("200");
        assertThat(t.connectTimes()).isEqualTo("0.001");
        assertThat(t.headerTimes()).isEqualTo("0.004");
        assertThat(t.responseTimes()).isEqualTo("1.234");
    }

    @Test
    void aRetryListsBothServersWithTheFailureStatusNginxLogs() {
        UpstreamTrail t = new UpstreamTrail();
        t.begin("10.0.0.1:80", 0);
        t.ended(502, 2 * MS);
        // the exchange ends every try again when it finishes it; the first status stays
        t.ended(0, 3 * MS);
        t.begin("10.0.0.2:80", 3 * MS);
        t.connected(3 * MS);
        t.headerReceived(200, 13 * MS);
        t.ended(0, 15 * MS);
        t.begin("10.0.0.3:80", 15 * MS);
        assertThat(t.addresses()).isEqualTo("10.0.0.1:80, 10.0.0.2:80, 10.0.0.3:80");
        assertThat(t.statuses()).isEqualTo("502, 200, -");
        assertThat(t.connectTimes()).isEqualTo("-, 0.000, -");
        assertThat(t.headerTimes()).isEqualTo("-, 0.010, -");
        assertThat(t.responseTimes()).isEqualTo("0.002, 0.012, -");
    }
}
