package vipgate.vrrp.track;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import vipgate.vrrp.track.TrackedObject.Kind;

class EffectivePriorityTest {
    static final TrackedObject PLUS2 = new TrackedObject(Kind.SCRIPT, "chk_http_port", 2);
    static final TrackedObject MINUS20 = new TrackedObject(Kind.SCRIPT, "check_nginx", -20);
    static final TrackedObject ETH1 = new TrackedObject(Kind.INTERFACE, "eth1", 0);
    static final TrackedObject LB = new TrackedObject(Kind.LB, "lb", -50);

    @Test
    void positiveWeightAddsWhileOkNegativeSubtractsWhileFailed() {
        EffectivePriority p = new EffectivePriority(100, List.of(PLUS2, MINUS20));
        assertThat(p.evaluate().priority()).isEqualTo(100); // undecided counts neither way
        p.set(PLUS2, TrackStatus.OK);
        p.set(MINUS20, TrackStatus.OK);
        assertThat(p.evaluate().priority()).isEqualTo(102);
        p.set(PLUS2, TrackStatus.FAILED);
        p.set(MINUS20, TrackStatus.FAILED);
        assertThat(p.evaluate()).isEqualTo(new EffectivePriority.Result(80, List.of()));
    }

    @Test
    void weightZeroFailingIsFault() {
        EffectivePriority p = new EffectivePriority(100, List.of(ETH1));
        assertThat(p.set(Kind.INTERFACE, "eth1", TrackStatus.FAILED)).isTrue();
        assertThat(p.evaluate().fault()).isTrue();
        assertThat(p.evaluate().faults()).containsExactly(ETH1);
        assertThat(p.set(Kind.INTERFACE, "eth1", TrackStatus.FAILED)).isFalse();
        p.set(ETH1, TrackStatus.OK);
        assertThat(p.evaluate().fault()).isFalse();
    }

    @Test
    void clampedToOneTo254AndTheOwnerIsNeverAdjusted() {
        EffectivePriority low = new EffectivePriority(30, List.of(LB));
        low.set(LB, TrackStatus.FAILED);
        assertThat(low.evaluate().priority()).isEqualTo(1);
        TrackedObject big = new TrackedObject(Kind.SCRIPT, "s", 200);
        EffectivePriority high = new EffectivePriority(100, List.of(big));
        high.set(big, TrackStatus.OK);
        assertThat(high.evaluate().priority()).isEqualTo(254);
        EffectivePriority owner = new EffectivePriority(255, List.of(LB, ETH1));
        owner.set(LB, TrackStatus.FAILED);
        assertThat(owner.evaluate().priority()).isEqualTo(255);
        owner.set(ETH1, TrackStatus.FAILED);
        assertThat(owner.evaluate().fault()).isTrue();
    }

    @Test
    void scriptCounterStartsAtRiseMinusOneUnlessInitFail() {
        ScriptStatus s = new ScriptStatus(3, 2, false);
        assertThat(s.status()).isEqualTo(TrackStatus.UNKNOWN);
        assertThat(s.record(true)).isTrue(); // one success is enough at first
        assertThat(s.status()).isEqualTo(TrackStatus.OK);
        assertThat(s.record(false)).isFalse();
        assertThat(s.record(false)).isTrue(); // fall = 2
        assertThat(s.status()).isEqualTo(TrackStatus.FAILED);
        s.record(true);
        s.record(true);
        assertThat(s.status()).isEqualTo(TrackStatus.FAILED);
        s.record(true); // rise = 3
        assertThat(s.status()).isEqualTo(TrackStatus.OK);

        ScriptStatus firstFails = new ScriptStatus(2, 5, false);
        assertThat(firstFails.record(false)).isTrue(); // the first result decides, whatever fall says
        assertThat(firstFails.status()).isEqualTo(TrackStatus.FAILED);

        ScriptStatus initFail = new ScriptStatus(2, 1, true);
        assertThat(initFail.status()).isEqualTo(TrackStatus.FAILED);
        initFail.record(true);
        assertThat(initFail.status()).isEqualTo(TrackStatus.FAILED);
        initFail.record(true);
        assertThat(initFail.status()).isEqualTo(TrackStatus.OK);
    }
}
