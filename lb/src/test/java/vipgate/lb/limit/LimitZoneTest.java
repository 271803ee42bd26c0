package vipgate.lb.limit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import vipgate.lb.http.Template;

/** nginx's limit_req arithmetic on a fake clock (milliseconds passed in). */
class LimitZoneTest {

    private static LimitZone zone(long milliRate) {
        return new LimitZone("z", Template.parse("$remote_addr"), milliRate, 1 << 20);
    }

    @Test
    void withoutBurstOneRequestPerIntervalPasses() {
        LimitZone z = zone(2000); // 2r/s: one every 500 ms
        assertThat(z.take("a", 0, 0, 0)).as("a new key").isZero();
        assertThat(z.take("a", 100, 0, 0)).isEqualTo(-1);
        assertThat(z.take("a", 500, 0, 0)).isZero();
        assertThat(z.take("a", 600, 0, 0)).isEqualTo(-1);
        assertThat(z.take("b", 600, 0, 0)).as("keys are apart").isZero();
        assertThat(z.refused()).isEqualTo(2);
    }

    @Test
    void aBurstWithNodelayPassesAtOnceThenRefuses() {
        LimitZone z = zone(1000);
        assertThat(z.take("a", 0, 3, 3)).isZero();
        for (int i = 0; i < 3; i++) {
            assertThat(z.take("a", 0, 3, 3)).isZero();
        }
        assertThat(z.take("a", 0, 3, 3)).isEqualTo(-1);
        assertThat(z.take("a", 1000, 3, 3)).as("one drained").isZero();
    }

    @Test
    void aBurstWithoutNodelayIsPacedAtTheRate() {
        LimitZone z = zone(2000);
        assertThat(z.take("a", 0, 4, 0)).isZero();
        assertThat(z.take("a", 0, 4, 0)).as("1000/1000 excess at 2r/s").isEqualTo(500);
        assertThat(z.take("a", 0, 4, 0)).isEqualTo(1000);
        assertThat(z.take("a", 0, 4, 1)).as("delay=1 lets one through at once").isEqualTo(1000);
        assertThat(z.delayed()).isEqualTo(3);
    }

    @Test
    void aRateInRequestsPerMinuteDrainsInThousandths() {
        LimitZone z = zone(1000 / 60); // 1r/m: 16 thousandths a second, as nginx rounds it
        assertThat(z.take("a", 0, 0, 0)).isZero();
        assertThat(z.take("a", 59_000, 0, 0)).isEqualTo(-1);
        assertThat(z.take("a", 63_000, 0, 0)).as("1000 - 16 x 63 < 0").isZero();
    }

    @Test
    void aFullZoneMakesRoomWithoutScanningItAll() {
        LimitZone z = new LimitZone("z", Template.parse("$remote_addr"), 1000, LimitZone.STATE_BYTES * 4);
        for (int i = 0; i < 100; i++) {
            assertThat(z.take("k" + i, i, 0, 0)).isZero();
        }
        assertThat(z.keys()).isLessThanOrEqualTo(4);
    }
}
