package vipgate.ipvs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import vipgate.health.HealthCheckSpec;
import vipgate.health.StatusRange;
import vipgate.ipvs.config.CheckSpec;
import vipgate.ipvs.health.CheckState.Step;
import vipgate.ipvs.health.CheckState.Verdict;

/** keepalived's timing: delay_loop 6s, delay_before_retry 3s, as in seed 004 (with retry from each test). */
class CheckStateTest {
    static final Duration LOOP = Duration.ofSeconds(6);
    static final Duration RETRY = Duration.ofSeconds(3);

    static CheckState state(int retry, boolean initiallyUp) {
        return new CheckState(new CheckSpec(HealthCheckSpec.Type.TCP, LOOP, Duration.ofSeconds(10), retry, RETRY, LOOP, 80, "/",
                StatusRange.parse("200-299"), "", List.of()), initiallyUp);
    }

    @Test
    void aServerFailsAfterOnePlusRetryFailedTries() {
        CheckState s = state(3, true);
        assertThat(s.record(true)).isEqualTo(new Step(Verdict.NONE, LOOP));
        assertThat(s.record(false)).isEqualTo(new Step(Verdict.NONE, RETRY));
        assertThat(s.record(false)).isEqualTo(new Step(Verdict.NONE, RETRY));
        assertThat(s.record(false)).isEqualTo(new Step(Verdict.NONE, RETRY));
        assertThat(s.isUp()).isTrue();
        assertThat(s.record(false)).isEqualTo(new Step(Verdict.DOWN, LOOP));
        assertThat(s.isUp()).isFalse();
    }

    @Test
    void aSuccessBetweenRetriesStartsTheCountAgain() {
        CheckState s = state(1, true);
        s.record(true);
        assertThat(s.record(false)).isEqualTo(new Step(Verdict.NONE, RETRY));
        assertThat(s.record(true)).isEqualTo(new Step(Verdict.NONE, LOOP));
        assertThat(s.record(false)).isEqualTo(new Step(Verdict.NONE, RETRY));
        assertThat(s.record(false)).isEqualTo(new Step(Verdict.DOWN, LOOP));
    }

    @Test
    void oneSuccessBringsAFailedServerBackAndFailedServersStillRetry() {
        CheckState s = state(1, true);
        s.record(false);
        s.record(false);
        assertThat(s.isUp()).isFalse();
        // keepalived keeps the retry rhythm while down too
        assertThat(s.record(false)).isEqualTo(new Step(Verdict.NONE, RETRY));
        assertThat(s.record(false)).isEqualTo(new Step(Verdict.NONE, LOOP));
        assertThat(s.record(true)).isEqualTo(new Step(Verdict.UP, LOOP));
        assertThat(s.isUp()).isTrue();
    }

    @Test
    void retryZeroFailsAtOnce() {
        CheckState s = state(0, true);
        assertThat(s.record(false)).isEqualTo(new Step(Verdict.DOWN, LOOP));
    }

    @Test
    void alphaStartsDownAndJoinsOnTheFirstSuccess() {
        CheckState s = state(1, false);
        assertThat(s.isUp()).isFalse();
        assertThat(s.record(false)).isEqualTo(new Step(Verdict.NONE, RETRY));
        assertThat(s.record(false)).isEqualTo(new Step(Verdict.NONE, LOOP));
        assertThat(s.record(true)).isEqualTo(new Step(Verdict.UP, LOOP));
    }

    @Test
    void warmupSpreadsTheFirstProbe() {
        assertThat(CheckState.firstDelay(Duration.ofSeconds(60), 0)).isEqualTo(Duration.ZERO);
        assertThat(CheckState.firstDelay(Duration.ofSeconds(60), 0.5)).isEqualTo(Duration.ofSeconds(30));
        assertThat(CheckState.firstDelay(Duration.ZERO, 0.9)).isEqualTo(Duration.ZERO);
    }
}
