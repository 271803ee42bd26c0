package vipgate.vrrp.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import vipgate.vrrp.state.Action.AddVips;
import vipgate.vrrp.state.Action.RemoveVips;
import vipgate.vrrp.state.Action.SendAdvert;
import vipgate.vrrp.state.Action.SendGarp;
import vipgate.vrrp.state.Action.Transition;

/** Elections between simulated routers on a fake clock: adverts travel through the test, nothing sleeps. */
class VrrpInstanceTest {
    static final long MS = 1_000_000L;
    static final long S = 1_000 * MS;
    static final InetAddress A = ip("192.168.16.128");
    static final InetAddress B = ip("192.168.16.129");

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InstanceParams params(String name, int version, int prio, int centis, State initial, boolean preempt,
            Duration preemptDelay, InetAddress local) {
        return new InstanceParams(name, version, prio, centis, initial, preempt, preemptDelay, local, 5, Duration.ofSeconds(5),
                Duration.ZERO, 1);
    }

    static VrrpInstance v2(String name, int prio, State initial, InetAddress local) {
        return new VrrpInstance(params(name, 2, prio, 100, initial, true, Duration.ZERO, local));
    }

    /** Two routers on one LAN, multicast; the test is the wire and the clock. */
    static final class Lan {
        final VrrpInstance a;
        final VrrpInstance b;
        final InetAddress addrA;
        final InetAddress addrB;
        boolean aUp = true;
        boolean bUp = true;
        long now;
        final List<String> log = new ArrayList<>();

        Lan(VrrpInstance a, InetAddress addrA, VrrpInstance b, InetAddress addrB) {
            this.a = a;
            this.b = b;
            this.addrA = addrA;
            this.addrB = addrB;
        }

        void start() {
            deliver(a, a.start(now));
            deliver(b, b.start(now));
        }

        /** Runs timers and adverts until {@code until}, in deadline order. */
        void runUntil(long until) {
            while (true) {
                long next = Long.MAX_VALUE;
                if (aUp && a.nextDeadline().isPresent()) {
                    next = Math.min(next, a.nextDeadline().getAsLong());
                }
                if (bUp && b.nextDeadline().isPresent()) {
                    next = Math.min(next, b.nextDeadline().getAsLong());
                }
                if (next > until) {
                    now = until;
                    return;
                }
                now = next;
                if (aUp && a.nextDeadline().isPresent() && a.nextDeadline().getAsLong() == now) {
                    deliver(a, a.timerExpired(now));
                }
                if (bUp && b.nextDeadline().isPresent() && b.nextDeadline().getAsLong() == now) {
                    deliver(b, b.timerExpired(now));
                }
            }
        }

        void deliver(VrrpInstance from, List<Action> actions) {
            for (Action act : actions) {
                if (act instanceof Transition t) {
                    log.add(String.format("%.6f %s %s->%s", now / 1e9, from.name(), t.from(), t.to()));
                }
                if (act instanceof SendAdvert adv) {
                    VrrpInstance to = from == a ? b : a;
                    boolean toUp = to == a ? aUp : bUp;
                    if (toUp) {
                        deliver(to, to.advertReceived(adv.priority(), 100, from == a ? addrA : addrB, now));
                    }
                }
            }
        }
    }

    @Test
    void seed000MasterWinsAtOnceAndBackupStaysWhileAdvertsFlow() {
        // seed 000: node .128 state MASTER priority 100, node .129 state BACKUP priority 99
        Lan lan = new Lan(v2("VI_1", 100, State.MASTER, A), A, v2("VI_1", 99, State.BACKUP, B), B);
        lan.start();
        assertThat(lan.a.state()).isEqualTo(State.BACKUP); // state MASTER below 255 listens first
        // as keepalived: the full master down interval, 3 s + skew (156/256 s = 609375 us), not one interval + skew
        lan.runUntil(3_609_375_000L - 1);
        assertThat(lan.a.state()).isEqualTo(State.BACKUP);
        lan.runUntil(3_609_375_000L);
        assertThat(lan.a.state()).isEqualTo(State.MASTER);
        lan.runUntil(60 * S);
        assertThat(lan.a.state()).isEqualTo(State.MASTER);
        assertThat(lan.b.state()).isEqualTo(State.BACKUP);
        assertThat(lan.log).containsExactly("0.000000 VI_1 INIT->BACKUP", "0.000000 VI_1 INIT->BACKUP",
                "3.609375 VI_1 BACKUP->MASTER");
    }

    @Test
    void masterPowerOffMovesTheVipAndItsReturnPreemptsBack() {
        Lan lan = new Lan(v2("VI_1", 100, State.MASTER, A), A, v2("VI_1", 99, State.BACKUP, B), B);
        lan.start();
        lan.runUntil(10 * S);
        long lastAdvert = lan.a.nextDeadline().getAsLong() - S; // the master's last advert went out then
        lan.aUp = false; // power off: silence, no goodbye
        lan.runUntil(20 * S);
        assertThat(lan.b.state()).isEqualTo(State.MASTER);
        // took over Master_Down_Interval after the last advert: 3 s + skew of 99 (157/256 s = 613281 us)
        assertThat(lan.b.masterDownMicros()).isEqualTo(3_613_281);
        assertThat(lan.log.get(lan.log.size() - 1)).isEqualTo(String.format("%.6f VI_1 BACKUP->MASTER",
                (lastAdvert + 3_613_281_000L) / 1e9));

        // master back: a fresh start as state MASTER; hearing the lower master it ignores it and takes over
        VrrpInstance back = v2("VI_1", 100, State.MASTER, A);
        Lan again = new Lan(back, A, lan.b, B);
        again.now = lan.now;
        again.deliver(back, back.start(again.now));
        again.runUntil(again.now + 10 * S);
        assertThat(back.state()).isEqualTo(State.MASTER);
        assertThat(lan.b.state()).isEqualTo(State.BACKUP);
    }

    @Test
    void becomingMasterAddsVipsAnnouncesThemAdvertisesAndSendsASecondGarpBurst() {
        VrrpInstance i = new VrrpInstance(params("VI_1", 2, 255, 100, State.MASTER, true, Duration.ZERO, A));
        // VIPs and GARP before the advert: a master handing over drops its VIPs on that advert
        assertThat(i.start(0)).containsExactly(new AddVips(), new SendGarp(5), new SendAdvert(255),
                new Transition(State.INIT, State.MASTER, 255));
        assertThat(i.nextDeadline()).hasValue(1 * S);
        assertThat(i.timerExpired(1 * S)).containsExactly(new SendAdvert(255));
        i.timerExpired(4 * S);
        assertThat(i.timerExpired(5 * S)).containsExactly(new SendAdvert(255), new SendGarp(5));
        assertThat(i.timerExpired(6 * S)).containsExactly(new SendAdvert(255));
    }

    @Test
    void garpRefreshRepeatsWhileMaster() {
        VrrpInstance i = new VrrpInstance(new InstanceParams("VI_1", 2, 255, 100, State.MASTER, true, Duration.ZERO, A, 5,
                Duration.ZERO, Duration.ofMillis(2500), 2));
        i.start(0);
        assertThat(i.nextDeadline()).hasValue(1 * S);
        i.timerExpired(1 * S);
        i.timerExpired(2 * S);
        assertThat(i.nextDeadline()).hasValue(2500 * MS);
        assertThat(i.timerExpired(2500 * MS)).containsExactly(new SendGarp(2));
        assertThat(i.nextDeadline()).hasValue(3 * S);
    }

    @Test
    void stateBackupWaitsTheFullDownInterval() {
        VrrpInstance i = v2("VI_1", 100, State.BACKUP, A);
        i.start(0);
        assertThat(i.nextDeadline()).hasValue(3_609_375_000L);
        assertThat(i.timerExpired(3_609_374_999L)).isEmpty();
        assertThat(i.timerExpired(3_609_375_000L)).contains(new Transition(State.BACKUP, State.MASTER, 100));
    }

    @Test
    void equalPriorityIsBrokenByTheHigherAddress() {
        Lan lan = new Lan(v2("VI_1", 100, State.BACKUP, A), A, v2("VI_1", 100, State.BACKUP, B), B);
        lan.start();
        // both time out at the same instant and both become master before hearing the other (dual master)
        long t = lan.a.nextDeadline().getAsLong();
        List<Action> fromA = lan.a.timerExpired(t);
        List<Action> fromB = lan.b.timerExpired(t);
        lan.now = t;
        assertThat(lan.a.state()).isEqualTo(State.MASTER);
        assertThat(lan.b.state()).isEqualTo(State.MASTER);
        lan.deliver(lan.a, fromA);
        lan.deliver(lan.b, fromB);
        lan.runUntil(30 * S);
        // .128 yields to .129 on hearing it
        assertThat(lan.b.state()).isEqualTo(State.MASTER);
        assertThat(lan.a.state()).isEqualTo(State.BACKUP);
    }

    @Test
    void addressesCompareUnsigned() {
        assertThat(VrrpInstance.compareUnsigned(ip("200.0.0.1"), ip("10.0.0.1"))).isPositive();
        VrrpInstance master = v2("VI_1", 100, State.BACKUP, ip("10.0.0.1"));
        master.start(0);
        master.timerExpired(4 * S);
        assertThat(master.state()).isEqualTo(State.MASTER);
        // 200.x is higher than 10.x only when bytes compare unsigned (0xC8 is negative as a Java byte)
        assertThat(master.advertReceived(100, 100, ip("200.0.0.1"), 5 * S)).containsExactly(new SendAdvert(100),
                new RemoveVips(), new Transition(State.MASTER, State.BACKUP, 100));
    }

    @Test
    void masterHearingALowerMasterAdvertisesAndGarpsAtOnce() {
        VrrpInstance m = v2("VI_1", 100, State.BACKUP, A);
        m.start(0);
        m.timerExpired(4 * S);
        assertThat(m.advertReceived(99, 100, B, 4500 * MS)).containsExactly(new SendAdvert(100), new SendGarp(5));
        assertThat(m.nextDeadline()).hasValue(5500 * MS);
        // within the same interval: already answered
        assertThat(m.advertReceived(99, 100, B, 5400 * MS)).isEmpty();
        // equal priority from a lower address: same, once the interval has passed
        assertThat(m.advertReceived(100, 100, ip("192.168.16.1"), 5500 * MS)).containsExactly(new SendAdvert(100),
                new SendGarp(5));
        // priority 0 from another router: advertise now, no GARP
        assertThat(m.advertReceived(0, 100, B, 6500 * MS)).containsExactly(new SendAdvert(100));
        // our own looped advert
        assertThat(m.advertReceived(100, 100, A, 7500 * MS)).isEmpty();
    }

    /** Issue 12 #11c: 20k well-formed lower adverts a second got 4.8x as many answers and 10 s of GARP. */
    @Test
    void aFloodOfLowerAdvertsGetsOneAnswerPerInterval() {
        VrrpInstance m = new VrrpInstance(params("VI_1", 3, 100, 10, State.BACKUP, true, Duration.ZERO, A));
        m.start(0);
        m.timerExpired(S);
        assertThat(m.state()).isEqualTo(State.MASTER);
        int adverts = 0;
        int garps = 0;
        // 20,000 adverts/s at priority 50 for 2 s, the master's own 100 ms timer running in between
        for (long t = 2 * S; t < 4 * S; t += 50_000) {
            List<Action> out = new ArrayList<>(m.advertReceived(50, 10, B, t));
            out.addAll(m.timerExpired(t));
            adverts += (int) out.stream().filter(SendAdvert.class::isInstance).count();
            garps += (int) out.stream().filter(SendGarp.class::isInstance).count();
        }
        // 20 intervals: one answer (advert + GARP burst) each, plus at most the regular adverts
        assertThat(garps).isEqualTo(20);
        assertThat(adverts).isBetween(20, 40);
        // the flood ends: only the regular advert, no more GARP
        assertThat(m.timerExpired(5 * S)).containsExactly(new SendAdvert(100));
    }

    /** Issue 12 #11b: the loser of a healed split brain tells the winner once before it yields, so the winner GARPs. */
    @Test
    void aYieldingMasterAdvertisesOnceSoTheWinnerReannounces() {
        VrrpInstance winner = v2("VI_1", 100, State.BACKUP, A);
        VrrpInstance loser = v2("VI_1", 90, State.BACKUP, B);
        winner.start(0);
        loser.start(0);
        // partitioned: each hears nothing and becomes master
        winner.timerExpired(4 * S);
        loser.timerExpired(4 * S);
        assertThat(winner.state()).isEqualTo(State.MASTER);
        assertThat(loser.state()).isEqualTo(State.MASTER);
        // healed: the winner's regular advert arrives first
        List<Action> yielded = loser.advertReceived(100, 100, A, 10 * S);
        assertThat(yielded).containsExactly(new SendAdvert(90), new RemoveVips(), new Transition(State.MASTER, State.BACKUP, 90));
        assertThat(loser.state()).isEqualTo(State.BACKUP);
        // that one advert at the loser's priority makes the winner re-announce the VIP
        assertThat(winner.advertReceived(90, 100, B, 10 * S + MS)).containsExactly(new SendAdvert(100), new SendGarp(5));
        // and the loser, now backup, takes the winner's answer calmly
        assertThat(loser.advertReceived(100, 100, A, 10 * S + 2 * MS)).isEmpty();
        assertThat(loser.state()).isEqualTo(State.BACKUP);
    }

    /** Issue 12 #9: a VIP removed by hand on the master comes back at once and is re-announced. */
    @Test
    void aVipRemovedFromTheMasterIsRestored() {
        VrrpInstance m = v2("VI_1", 100, State.BACKUP, A);
        m.start(0);
        m.timerExpired(4 * S);
        assertThat(m.vipsRemoved()).containsExactly(new Action.RestoreVips(), new SendGarp(5));
        // not master: nothing to restore (our own removal on stepping down is seen this way too)
        m.advertReceived(200, 100, B, 5 * S);
        assertThat(m.state()).isEqualTo(State.BACKUP);
        assertThat(m.vipsRemoved()).isEmpty();
    }

    /** Issue 12 #10: a backup never keeps a VIP: it drops one found on itself at the first advert of its master. */
    @Test
    void aBackupDropsAStrayVipAtTheFirstAdvertOfItsMaster() {
        VrrpInstance b = v2("VI_1", 99, State.BACKUP, B);
        b.start(0);
        assertThat(b.vipsAdded()).isEmpty();
        // a lower router's advert is no master for a preempting backup: it takes over instead
        assertThat(b.advertReceived(50, 100, A, S)).isEmpty();
        assertThat(b.advertReceived(100, 100, A, 2 * S)).containsExactly(new RemoveVips());
        assertThat(b.advertReceived(100, 100, A, 3 * S)).isEmpty();
        // gone again by itself: nothing to drop later
        b.vipsAdded();
        b.vipsRemoved();
        assertThat(b.advertReceived(100, 100, A, 4 * S)).isEmpty();
        // a stray while FAULT goes at once; entering FAULT with one drops it too
        b.vipsAdded();
        assertThat(b.trackingChanged(99, true, 5 * S)).containsExactly(new RemoveVips(), new Transition(State.BACKUP, State.FAULT, 99));
        assertThat(b.vipsAdded()).containsExactly(new RemoveVips());
        // our own VIPs while master are no strays
        VrrpInstance m = v2("VI_1", 100, State.BACKUP, A);
        m.start(0);
        m.timerExpired(4 * S);
        assertThat(m.vipsAdded()).isEmpty();
    }

    @Test
    void priorityZeroGivesFastTakeoverAfterExactlyTheSkew() {
        Lan lan = new Lan(v2("VI_1", 100, State.MASTER, A), A, v2("VI_1", 99, State.BACKUP, B), B);
        lan.start();
        lan.runUntil(10 * S);
        long t = lan.now;
        List<Action> bye = lan.a.shutdown(t);
        assertThat(bye).containsExactly(new SendAdvert(0), new RemoveVips(), new Transition(State.MASTER, State.STOPPED, 100));
        lan.deliver(lan.a, bye);
        lan.aUp = false;
        // skew of priority 99 = 157/256 s = 613281 us
        assertThat(lan.b.nextDeadline()).hasValue(t + 613_281_000L);
        lan.runUntil(t + 613_281_000L);
        assertThat(lan.b.state()).isEqualTo(State.MASTER);
        assertThat(lan.a.shutdown(t + S)).isEmpty();
    }

    @Test
    void nopreemptKeepsALowerMasterInPlace() {
        VrrpInstance high = new VrrpInstance(params("VI_1", 2, 150, 100, State.BACKUP, false, Duration.ZERO, B));
        high.start(0);
        for (long t = S; t < 30 * S; t += S) {
            assertThat(high.advertReceived(100, 100, A, t)).isEmpty();
            high.timerExpired(t);
        }
        assertThat(high.state()).isEqualTo(State.BACKUP);
        // the lower master dies: nopreempt does not stop a takeover
        assertThat(high.nextDeadline()).hasValue(29 * S + high.masterDownMicros() * 1000);
        high.timerExpired(29 * S + high.masterDownMicros() * 1000);
        assertThat(high.state()).isEqualTo(State.MASTER);
    }

    @Test
    void preemptingBackupIgnoresALowerMaster() {
        VrrpInstance high = v2("VI_1", 150, State.BACKUP, B);
        high.start(0);
        high.advertReceived(100, 100, A, 1 * S);
        high.advertReceived(100, 100, A, 2 * S);
        // lower adverts do not reset the timer set at start
        assertThat(high.nextDeadline()).hasValue(high.masterDownMicros() * 1000);
    }

    @Test
    void preemptDelayToleratesALowerMasterUntilItRunsOut() {
        VrrpInstance high = new VrrpInstance(params("VI_1", 2, 150, 100, State.BACKUP, true, Duration.ofSeconds(10), B));
        high.start(0);
        long t = 0;
        while (high.state() == State.BACKUP && t < 60 * S) {
            t += S;
            high.advertReceived(100, 100, A, t);
            high.timerExpired(t);
        }
        // adverts reset the down timer until 10 s after start; the first one ignored is at 10 s, takeover 3.x s later
        long down = high.masterDownMicros() * 1000;
        assertThat(t).isEqualTo(9 * S + down + (S - down % S));
        assertThat(high.state()).isEqualTo(State.MASTER);
    }

    @Test
    void v3BackupAdoptsTheMastersIntervalAndANewMasterUsesItsOwn() {
        VrrpInstance b = new VrrpInstance(params("VI_1", 3, 100, 100, State.BACKUP, true, Duration.ZERO, B));
        b.start(0);
        assertThat(b.masterDownMicros()).isEqualTo(3_609_375);
        b.advertReceived(200, 50, A, 1 * S);
        assertThat(b.masterAdverIntervalCentis()).isEqualTo(50);
        // 3 x 0.5 s + (156 x 0.5 s) / 256 = 1.5 s + 304687 us
        assertThat(b.skewMicros()).isEqualTo(304_687);
        assertThat(b.nextDeadline()).hasValue(1 * S + 1_804_687_000L);
        b.timerExpired(1 * S + 1_804_687_000L);
        assertThat(b.state()).isEqualTo(State.MASTER);
        assertThat(b.masterAdverIntervalCentis()).isEqualTo(100);
        assertThat(b.nextDeadline()).hasValue(2 * S + 1_804_687_000L);
    }

    @Test
    void faultAndRecovery() {
        VrrpInstance m = v2("VI_1", 100, State.BACKUP, A);
        m.start(0);
        m.timerExpired(4 * S);
        assertThat(m.trackingChanged(100, true, 5 * S)).containsExactly(new SendAdvert(0), new RemoveVips(),
                new Transition(State.MASTER, State.FAULT, 100));
        assertThat(m.nextDeadline()).isEmpty();
        assertThat(m.advertReceived(99, 100, B, 6 * S)).isEmpty();
        assertThat(m.trackingChanged(100, false, 7 * S)).containsExactly(new Transition(State.FAULT, State.BACKUP, 100));
        assertThat(m.nextDeadline()).hasValue(7 * S + 3_609_375_000L);
    }

    @Test
    void aFaultBeforeStartStartsInFault() {
        VrrpInstance i = v2("VI_1", 100, State.MASTER, A);
        assertThat(i.trackingChanged(100, true, 0)).isEmpty();
        assertThat(i.start(0)).containsExactly(new Transition(State.INIT, State.FAULT, 100));
        assertThatThrownBy(() -> i.start(0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aMasterWhosePriorityDropsAdvertisesAtOnceAndIsPreempted() {
        Lan lan = new Lan(v2("VI_1", 100, State.MASTER, A), A, v2("VI_1", 99, State.BACKUP, B), B);
        lan.start();
        lan.runUntil(10 * S);
        // seed 002's weight -20 script fails on the master: 100 -> 80, below the backup's 99
        lan.deliver(lan.a, lan.a.trackingChanged(80, false, lan.now));
        lan.runUntil(20 * S);
        assertThat(lan.b.state()).isEqualTo(State.MASTER);
        assertThat(lan.a.state()).isEqualTo(State.BACKUP);
    }

    @Test
    void invalidParamsAreRefused() {
        assertThatThrownBy(() -> params("x", 2, 100, 100, State.MASTER, false, Duration.ZERO, A))
                .hasMessageContaining("nopreempt");
        assertThatThrownBy(() -> params("x", 2, 255, 100, State.MASTER, true, Duration.ofSeconds(1), A))
                .hasMessageContaining("preempt-delay");
        assertThatThrownBy(() -> params("x", 2, 100, 150, State.BACKUP, true, Duration.ZERO, A))
                .hasMessageContaining("150cs");
    }

    // ------------------------------------------------------------ master-down judged on arrival times (issue 12.11)

    /** A backup of priority 99 hearing a v3 master (20 ms adverts): master down = 60 ms + skew 12.26 ms. */
    static VrrpInstance v3Backup() {
        VrrpInstance b = new VrrpInstance(params("VI_1", 3, 99, 2, State.BACKUP, true, Duration.ZERO, B));
        b.start(0);
        b.advertReceived(100, 2, A, 100 * MS);
        return b;
    }

    @Test
    void aLateMasterDownTimerThatFindsAnUnhandledAdvertFromBeforeItsDeadlineDoesNotTakeOver() {
        VrrpInstance b = v3Backup();
        long deadline = b.nextDeadline().getAsLong();
        assertThat(deadline).isEqualTo(100 * MS + 60 * MS + 12_265_000);
        // the loop ran 30 ms late; the receiver took an advert off the wire 2 ms before the deadline
        assertThat(b.timerExpired(deadline + 30 * MS, OptionalLong.of(deadline - 2 * MS))).isEmpty();
        assertThat(b.state()).isEqualTo(State.BACKUP);
        assertThat(b.nextDeadline()).as("still due: the engine calls again after handing the advert over").hasValue(deadline);
        // handed over with its arrival time, the advert re-arms the timer from when it arrived, not from now
        b.advertReceived(100, 2, A, deadline - 2 * MS);
        assertThat(b.nextDeadline()).hasValue(deadline - 2 * MS + 72_265_000);
        assertThat(b.timerExpired(deadline + 31 * MS, OptionalLong.empty())).isEmpty();
        assertThat(b.state()).isEqualTo(State.BACKUP);
    }

    @Test
    void anAdvertThatArrivedAfterTheDeadlineDoesNotHoldTheTakeoverBack() {
        VrrpInstance b = v3Backup();
        long deadline = b.nextDeadline().getAsLong();
        assertThat(b.timerExpired(deadline + 5 * MS, OptionalLong.of(deadline + 1 * MS)))
                .contains(new AddVips(), new Transition(State.BACKUP, State.MASTER, 99));
    }

    @Test
    void aLateTimerWithNoFresherArrivalTakesOver() {
        VrrpInstance b = v3Backup();
        long deadline = b.nextDeadline().getAsLong();
        assertThat(b.timerExpired(deadline + 30 * MS, OptionalLong.empty())).contains(new AddVips());
        assertThat(b.state()).isEqualTo(State.MASTER);
    }

    @Test
    void anUnhandledLowerPriorityAdvertOnlyDefersTheTakeoverUntilItIsHandled() {
        VrrpInstance b = v3Backup();
        long deadline = b.nextDeadline().getAsLong();
        assertThat(b.timerExpired(deadline + 1 * MS, OptionalLong.of(deadline - 1 * MS))).isEmpty();
        // it was a lower-priority router: ignored (preempt), so the next call takes over
        assertThat(b.advertReceived(50, 2, ip("192.168.16.7"), deadline - 1 * MS)).isEmpty();
        assertThat(b.timerExpired(deadline + 2 * MS, OptionalLong.empty())).contains(new AddVips());
    }

    // ------------------------------------------------------------ planned handover (issue 12.12)

    static VrrpInstance v3Master(InetAddress local) {
        VrrpInstance m = new VrrpInstance(params("VI_1", 3, 255, 10, State.MASTER, true, Duration.ZERO, local));
        m.start(0);
        return m;
    }

    @Test
    void aHandoverKeepsTheVipsUntilTheNewMasterSpokeAndAGraceLaterThenStops() {
        VrrpInstance m = v3Master(A);
        assertThat(m.handover(50 * MS, 500 * MS, 30 * MS, State.STOPPED)).containsExactly(new SendAdvert(0));
        assertThat(m.state()).isEqualTo(State.MASTER);
        assertThat(m.handingOver()).isTrue();
        // no advert at our own priority while waiting (it would hold the backup back); priority 0 again instead
        assertThat(m.timerExpired(150 * MS)).containsExactly(new SendAdvert(0));
        assertThat(m.trackingChanged(200, false, 160 * MS)).isEmpty();
        // another leaving router, or our own looped advert, is not the new master
        assertThat(m.advertReceived(0, 10, B, 170 * MS)).isEmpty();
        assertThat(m.advertReceived(200, 10, A, 171 * MS)).isEmpty();
        assertThat(m.advertReceived(99, 10, B, 180 * MS)).isEmpty();
        assertThat(m.nextDeadline()).as("the grace, for answers in flight").hasValue(210 * MS);
        assertThat(m.advertReceived(99, 10, B, 200 * MS)).isEmpty();
        assertThat(m.timerExpired(209 * MS)).isEmpty();
        assertThat(m.timerExpired(210 * MS)).containsExactly(new RemoveVips(), new Transition(State.MASTER, State.STOPPED, 200));
        assertThat(m.state()).isEqualTo(State.STOPPED);
        assertThat(m.nextDeadline()).isEmpty();
    }

    @Test
    void anOperatorsHandoverEndsInBackupFollowingTheNewMaster() {
        VrrpInstance m = v3Master(A);
        m.handover(50 * MS, 500 * MS, 0, State.BACKUP);
        m.advertReceived(99, 10, B, 120 * MS);
        assertThat(m.timerExpired(120 * MS)).containsExactly(new RemoveVips(), new Transition(State.MASTER, State.BACKUP, 255));
        assertThat(m.masterAddress()).contains(B);
        // a handover is meant to last: the lower new master is not preempted while it advertises...
        m.advertReceived(99, 10, B, 200 * MS);
        m.advertReceived(99, 10, B, 300 * MS);
        assertThat(m.timerExpired(300 * MS + m.masterDownMicros() * 1000 - 1)).isEmpty();
        assertThat(m.state()).isEqualTo(State.BACKUP);
        // ...but taken over from as usual when it falls silent
        assertThat(m.timerExpired(300 * MS + m.masterDownMicros() * 1000)).contains(new AddVips());
    }

    @Test
    void aHandoverNobodyTakesStaysMasterOrStopsWhenShuttingDown() {
        VrrpInstance m = v3Master(A);
        m.handover(0, 300 * MS, 0, State.BACKUP);
        m.timerExpired(100 * MS);
        m.timerExpired(200 * MS);
        assertThat(m.timerExpired(300 * MS)).containsExactly(new SendAdvert(255));
        assertThat(m.handingOver()).isFalse();
        assertThat(m.state()).isEqualTo(State.MASTER);

        VrrpInstance s = v3Master(A);
        s.handover(0, 300 * MS, 0, State.STOPPED);
        assertThat(s.timerExpired(300 * MS)).containsExactly(new SendAdvert(0), new RemoveVips(),
                new Transition(State.MASTER, State.STOPPED, 255));
    }

    @Test
    void aBackupTakesOverFromAHandoverAfterItsSkewAndTheOldMasterLetsGoOnItsAdvert() {
        VrrpInstance m = v2("VI_1", 100, State.MASTER, A);
        VrrpInstance b = v2("VI_1", 99, State.BACKUP, B);
        Lan lan = new Lan(m, A, b, B);
        lan.start();
        lan.runUntil(5 * S);
        assertThat(m.state()).isEqualTo(State.MASTER);
        lan.deliver(m, m.handover(lan.now, 5 * S, 100 * MS, State.STOPPED));
        lan.runUntil(lan.now + b.skewMicros() * 1000 - 1);
        assertThat(m.state()).as("holds the VIPs while the backup waits its skew").isEqualTo(State.MASTER);
        lan.runUntil(lan.now + 1);
        assertThat(b.state()).isEqualTo(State.MASTER);
        assertThat(m.state()).as("both hold the VIPs for the grace").isEqualTo(State.MASTER);
        lan.runUntil(lan.now + 100 * MS);
        assertThat(m.state()).isEqualTo(State.STOPPED);
    }

    @Test
    void aHandoverWhenNotMasterStopsOrDoesNothing() {
        VrrpInstance b = v3Backup();
        assertThat(b.handover(200 * MS, 500 * MS, 0, State.BACKUP)).isEmpty();
        assertThat(b.handover(200 * MS, 500 * MS, 0, State.STOPPED)).containsExactly(new Transition(State.BACKUP, State.STOPPED, 99));
    }

    @Test
    void aBackupRelaysTheLeavingMastersConnectionsFromItsGoodbyeUntilJustBeforeItLetsGo() {
        VrrpInstance b = v2("VI_1", 99, State.BACKUP, B);
        b.start(0);
        b.advertReceived(100, 100, A, 1 * S);
        // the relay is set up at the goodbye, before this box takes over and clients move here
        assertThat(b.advertReceived(0, 100, A, 2 * S)).containsExactly(new Action.RelayStrays(A));
        assertThat(b.advertReceived(0, 100, A, 2 * S + MS)).as("a repeated goodbye").isEmpty();
        long takeover = 2 * S + MS + b.skewMicros() * 1000;
        assertThat(b.timerExpired(takeover)).contains(new AddVips()).doesNotContain(new Action.EndRelay());
        long end = takeover + VrrpInstance.RELAY_AFTER_TAKEOVER_NANOS;
        assertThat(b.timerExpired(end - 1)).doesNotContain(new Action.EndRelay());
        assertThat(end).as("ends before the old master's grace, which starts at our first advert")
                .isLessThan(takeover + VrrpInstance.HANDOVER_GRACE_NANOS);
        // the old master lets go of the VIPs then: a client that asked it for them meanwhile is told again
        assertThat(b.timerExpired(end)).containsExactly(new Action.EndRelay(), new SendGarp(5));
    }

    @Test
    void aRelayEndsWhenAMasterSpeaksAgainOrThisBoxLeaves() {
        VrrpInstance b = v2("VI_1", 99, State.BACKUP, B);
        b.start(0);
        b.advertReceived(0, 100, A, 1 * S);
        assertThat(b.advertReceived(100, 100, A, 1 * S + MS)).as("the handover was called off")
                .containsExactly(new Action.EndRelay());

        VrrpInstance c = v2("VI_1", 99, State.BACKUP, B);
        c.start(0);
        c.advertReceived(0, 100, A, 1 * S);
        assertThat(c.shutdown(1 * S + MS)).contains(new Action.EndRelay());

        VrrpInstance own = v2("VI_1", 99, State.BACKUP, B);
        own.start(0);
        assertThat(own.advertReceived(0, 100, B, 1 * S)).as("our own goodbye is no one to relay to").isEmpty();
    }
}
