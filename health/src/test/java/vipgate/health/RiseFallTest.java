package vipgate.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static vipgate.health.RiseFall.Transition.DOWN;
import static vipgate.health.RiseFall.Transition.NONE;
import static vipgate.health.RiseFall.Transition.UP;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RiseFallTest {

    private static List<RiseFall.Transition> feed(RiseFall rf, String outcomes) {
        List<RiseFall.Transition> out = new ArrayList<>();
        for (char c : outcomes.toCharArray()) {
            out.add(rf.record(c == 'S'));
        }
        return out;
    }

    @Test
    void upTargetGoesDownOnlyAfterFallConsecutiveFailures() {
        RiseFall rf = new RiseFall(2, 3, true);
        assertThat(feed(rf, "FFSFFF")).containsExactly(NONE, NONE, NONE, NONE, NONE, DOWN);
        assertThat(rf.isHealthy()).isFalse();
    }

    @Test
    void downTargetComesUpOnlyAfterRiseConsecutiveSuccesses() {
        RiseFall rf = new RiseFall(2, 3, false);
        assertThat(feed(rf, "SFSS")).containsExactly(NONE, NONE, NONE, UP);
        assertThat(rf.isHealthy()).isTrue();
    }

    @Test
    void oneAndOneFollowsEveryResult() {
        RiseFall rf = new RiseFall(1, 1, true);
        assertThat(feed(rf, "SFFSSF")).containsExactly(NONE, DOWN, NONE, UP, NONE, DOWN);
    }

    @Test
    void countersStartAfreshAfterATransition() {
        RiseFall rf = new RiseFall(2, 2, true);
        // Down at the second F; the lone S after it is wiped by the next F, so two more are needed.
        assertThat(feed(rf, "SFFSFSS")).containsExactly(NONE, NONE, DOWN, NONE, NONE, NONE, UP);
    }

    /**
     * Every sequence of up to 8 results for small rise/fall, against a declarative statement of the rule:
     * the verdict flips exactly when the result disagrees with it and the run of identical results ending
     * here has reached the threshold.
     */
    @Test
    void exhaustiveSmallCasesMatchTheRunRule() {
        for (int rise = 1; rise <= 4; rise++) {
            for (int fall = 1; fall <= 4; fall++) {
                for (boolean initial : new boolean[] {true, false}) {
                    for (int length = 0; length <= 8; length++) {
                        for (int bits = 0; bits < 1 << length; bits++) {
                            check(rise, fall, initial, length, bits);
                        }
                    }
                }
            }
        }
    }

    private static void check(int rise, int fall, boolean initial, int length, int bits) {
        RiseFall rf = new RiseFall(rise, fall, initial);
        boolean verdict = initial;
        for (int i = 0; i < length; i++) {
            boolean ok = (bits >> i & 1) == 1;
            int run = 0;
            for (int j = i; j >= 0 && ((bits >> j & 1) == 1) == ok; j--) {
                run++;
            }
            RiseFall.Transition expected = NONE;
            if (ok != verdict && run >= (ok ? rise : fall)) {
                expected = ok ? UP : DOWN;
                verdict = ok;
            }
            assertThat(rf.record(ok))
                    .as("rise %d fall %d initial %s bits %s step %d", rise, fall, initial, Integer.toBinaryString(bits), i)
                    .isEqualTo(expected);
            assertThat(rf.isHealthy()).isEqualTo(verdict);
        }
    }

    @Test
    void rejectsThresholdsBelowOne() {
        assertThatThrownBy(() -> new RiseFall(0, 3, true)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rise");
        assertThatThrownBy(() -> new RiseFall(2, 0, true)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fall");
    }
}
