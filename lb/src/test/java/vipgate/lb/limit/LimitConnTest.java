package vipgate.lb.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import vipgate.lb.http.TestRequest;
import vipgate.lb.http.Template;

/** nginx's limit_conn: requests of one key served at once, counted until each ends. */
class LimitConnTest {
    private final TestRequest vars = new TestRequest();

    private static LimitConnZone zone(String key, long size) {
        return new LimitConnZone("z", Template.parse(key), size);
    }

    @Test
    void atMostMaxAtOnceAndEachEndGivesOneBack() {
        LimitConnZone z = zone("$remote_addr", 1 << 20);
        List<LimitConn> two = List.of(new LimitConn(z, 2));
        LimitConn.Held a = LimitConn.acquire(two, vars);
        LimitConn.Held b = LimitConn.acquire(two, vars);
        assertThat(a).isNotNull();
        assertThat(b).isNotNull();
        assertThat(LimitConn.acquire(two, vars)).as("a third at once").isNull();
        assertThat(z.refused()).isEqualTo(1);
        a.release();
        a.release();
        assertThat(z.count("192.0.2.7")).as("released once").isEqualTo(1);
        assertThat(LimitConn.acquire(two, vars)).isNotNull();
    }

    @Test
    void aKeyAtZeroLeavesTheZoneAndAFullZoneRefusesNewKeys() {
        LimitConnZone z = zone("$arg_k", LimitZone.STATE_BYTES * 2);
        List<LimitConn> one = List.of(new LimitConn(z, 1));
        LimitConn.Held a = LimitConn.acquire(one, vars.args("k=a"));
        LimitConn.Held b = LimitConn.acquire(one, vars.args("k=b"));
        assertThat(LimitConn.acquire(one, vars.args("k=c"))).as("no room for a third key").isNull();
        a.release();
        assertThat(z.keys()).isEqualTo(1);
        assertThat(LimitConn.acquire(one, vars.args("k=c"))).as("room again").isNotNull();
        b.release();
    }

    @Test
    void aRefusalByTheSecondLimitGivesBackTheFirstAndAnEmptyKeyIsNotCounted() {
        LimitConnZone perIp = zone("$remote_addr", 1 << 20);
        LimitConnZone perKey = zone("$arg_k", 1 << 20);
        List<LimitConn> both = List.of(new LimitConn(perIp, 5), new LimitConn(perKey, 1));
        LimitConn.Held first = LimitConn.acquire(both, vars.args("k=x"));
        assertThat(LimitConn.acquire(both, vars.args("k=x"))).isNull();
        assertThat(perIp.count("192.0.2.7")).as("the refused one gave its count back").isEqualTo(1);
        LimitConn.Held noKey = LimitConn.acquire(both, vars.args(""));
        assertThat(perKey.keys()).isEqualTo(1);
        first.release();
        noKey.release();
        assertThat(perIp.keys()).isZero();
        assertThat(perKey.keys()).isZero();
    }
}
