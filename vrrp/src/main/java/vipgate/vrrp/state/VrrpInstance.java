package vipgate.vrrp.state;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The VRRP state machine of one instance, kept apart from sockets and netlink (the split Google Seesaw's HA
 * component uses): every input carries the time, every output is a list of {@link Action}s for the engine
 * to carry out in order, and {@link #nextDeadline()} says when to call {@link #timerExpired}. Nothing here
 * sleeps, reads a clock or does I/O, so tests drive elections with a fake clock.
 *
 * <p>Semantics are keepalived 2.2.7's (RFC 3768 / 5798 plus keepalived's choices): see the vrrp reference
 * notes. Times are monotonic nanoseconds ({@link System#nanoTime()} in production), compared by
 * subtraction so the origin does not matter.
 *
 * <p>Not thread-safe: one engine thread owns each instance.
 */
public final class VrrpInstance {
    private static final long NANOS_PER_MICRO = 1_000;
    private static final long MICROS_PER_CENTI = 10_000;
    private static final long MICROS_PER_SECOND = 1_000_000;

    private final InstanceParams params;
    private State state = State.INIT;
    private int priority;
    private boolean trackingFault;
    private boolean groupFault;
    /** Our own interval as master; the master's advertised one as a v3 backup. */
    private int masterAdverCentis;
    private InetAddress masterAddress;
    /** The master down timer in BACKUP, the advert timer in MASTER. */
    private final Deadline timer = new Deadline();
    private final Deadline garpDelay = new Deadline();
    private final Deadline garpRefresh = new Deadline();
    /** Until when a lower-priority master is still tolerated (preempt-delay). */
    private final Deadline preemptAt = new Deadline();
    /**
     * As master, when we may next answer a lower-priority or priority-0 advert: at most one answer (advert + GARP)
     * per advert interval, so a flood of well-formed adverts cannot make us flood the LAN (or queue GARP bursts).
     */
    private final Deadline answerAt = new Deadline();
    /** Our VIPs were seen on this box while not master (a killed run's leftovers, or added by hand). */
    private boolean strayVips;
    /** Set while a planned handover waits for the new master: the longest this master keeps its VIPs. */
    private final Deadline handoverUntil = new Deadline();
    /** What a finished handover leaves: STOPPED (shutdown) or BACKUP (an operator's handover). */
    private State afterHandover;
    /** How long the VIPs stay after the new master spoke, so that responses in flight can still leave. */
    private long handoverGrace;
    /** The new master spoke: only the grace is left. */
    private boolean newMasterSeen;
    /** Until when segments of the leaving master's connections are relayed to it ({@link Action.RelayStrays}). */
    private final Deadline relayUntil = new Deadline();
    /** The master handing over whose connections are relayed, null when none are. */
    private InetAddress relayTo;
    /** After an operator's handover: the new master is not preempted while it advertises (until we are master again). */
    private boolean yielded;

    /**
     * How long a master handing over keeps its VIPs after the new master's first advert: its connections in flight
     * (relayed to it by the new master, see {@link Action.RelayStrays}) finish meanwhile.
     */
    public static final long HANDOVER_GRACE_NANOS = 1_000_000_000L;
    /**
     * How long a new master relays after taking over: a little less than the old master's grace (which starts at our
     * first advert), so nothing is relayed to a box that no longer holds the VIPs (one that forwards would send it
     * back, in a loop only the TTL ends).
     */
    static final long RELAY_AFTER_TAKEOVER_NANOS = HANDOVER_GRACE_NANOS - 200_000_000L;

    public VrrpInstance(InstanceParams params) {
        this.params = Objects.requireNonNull(params, "params");
        this.priority = params.priority();
        this.masterAdverCentis = params.advertIntervalCentis();
    }

    /**
     * Leaves INIT. keepalived's initial state rules: {@code state MASTER} with priority 255 is master at once;
     * any other start waits the full master down interval as backup, {@code state MASTER} below 255 included
     * (keepalived 2.2.7 measured: a restarted node must hear a running master before it preempts). A pending
     * tracking fault goes straight to FAULT.
     */
    public List<Action> start(long now) {
        if (state != State.INIT) {
            throw new IllegalStateException(params.name() + " already started (" + state + ")");
        }
        List<Action> out = new ArrayList<>();
        if (!params.preemptDelay().isZero()) {
            preemptAt.set(now + params.preemptDelay().toNanos());
        }
        if (inFault()) {
            enterFault(out);
        } else if (params.initialState() == State.MASTER && params.priority() == 255) {
            becomeMaster(now, out);
        } else {
            becomeBackup(now, out);
        }
        return List.copyOf(out);
    }

    /**
     * An advert for our VRID that passed {@code VrrpPacket.decode}.
     *
     * @param advertPriority 0..255
     * @param maxAdvertIntervalCentis the advertised interval in centiseconds (v2: seconds x 100)
     * @param source the advert's IP source, compared with ours on equal priority
     */
    public List<Action> advertReceived(int advertPriority, int maxAdvertIntervalCentis, InetAddress source, long now) {
        List<Action> out = new ArrayList<>();
        if (state == State.BACKUP) {
            if (backupReceived(advertPriority, maxAdvertIntervalCentis, source, now, out) && strayVips) {
                // another router is master: our copy of its VIPs answers ARP for addresses we do not serve
                strayVips = false;
                out.add(new Action.RemoveVips());
            }
        } else if (state == State.MASTER) {
            masterReceived(advertPriority, maxAdvertIntervalCentis, source, now, out);
        }
        // INIT, FAULT and STOPPED ignore adverts, as keepalived does.
        return List.copyOf(out);
    }

    /** @return true when the advert comes from a master we obey (it resets our down timer) */
    private boolean backupReceived(int advertPriority, int intervalCentis, InetAddress source, long now, List<Action> out) {
        if (advertPriority == 0) {
            // The master is leaving: take over after only the skew, so the highest backup wins the race. The relay
            // for its connections is set up now, before any client can move here.
            long takeover = now + micros(skewMicros());
            timer.set(takeover);
            relayFor(source, takeover + RELAY_AFTER_TAKEOVER_NANOS, out);
            return false;
        }
        endRelay(out); // a master speaks: none is leaving
        boolean lower = advertPriority < priority && !yielded;
        if (lower && params.preempt()) {
            if (params.preemptDelay().isZero()) {
                return false; // ignored: the down timer runs out and we take over
            }
            if (!preemptAt.isSet()) {
                preemptAt.set(now + params.preemptDelay().toNanos()); // first sight of a lower master starts the delay
            }
            if (preemptAt.isDue(now)) {
                return false;
            }
        } else if (!lower) {
            preemptAt.clear(); // a higher master: a later lower one restarts the full delay
        }
        if (params.version() == 3) {
            masterAdverCentis = intervalCentis; // RFC 5798 6.4.2: backups adopt the master's interval
        }
        masterAddress = source;
        timer.set(now + micros(masterDownMicros()));
        return true;
    }

    private void masterReceived(int advertPriority, int intervalCentis, InetAddress source, long now, List<Action> out) {
        if (handoverUntil.isSet()) {
            if (!newMasterSeen && advertPriority > 0 && compareUnsigned(source, params.localAddress()) != 0) {
                // the new master speaks: it added the VIPs and announced them before this advert, so new connections
                // go there; ours stay a little longer for the answers in flight, which need them as source address
                if (params.version() == 3) {
                    masterAdverCentis = intervalCentis;
                }
                masterAddress = source;
                newMasterSeen = true;
                handoverUntil.set(now + handoverGrace);
                timer.clear();
            }
            return;
        }
        int byAddress = compareUnsigned(source, params.localAddress());
        if (advertPriority != 0 && (advertPriority > priority || (advertPriority == priority && byAddress > 0))) {
            // Two masters (a split brain healing, or a preempting router): before yielding, tell the winner once at
            // our own priority (keepalived's higher_prio_send_advert), so it sees the conflict and re-announces the
            // VIP; clients whose ARP entries point at us would stay dark until their entries expire otherwise.
            out.add(new Action.SendAdvert(priority));
            if (params.version() == 3) {
                masterAdverCentis = intervalCentis;
            }
            masterAddress = source;
            leaveMaster(now, out);
            return;
        }
        if (advertPriority == priority && byAddress == 0) {
            return; // our own advert looped back
        }
        if (answerAt.isSet() && !answerAt.isDue(now)) {
            return; // answered within this interval already: the flood gets one answer per interval, not one each
        }
        answerAt.set(now + micros(masterAdverCentis * MICROS_PER_CENTI));
        sendAdvert(now, out);
        if (advertPriority != 0) {
            // A lower master: a split brain healing. It yields on our advert; re-announce the VIPs whose ARP
            // entries it may have taken over. (Priority 0 is a router leaving: asserting ourselves is enough.)
            out.add(new Action.SendGarp(params.garpRepeat()));
        }
    }

    private void relayFor(InetAddress leaving, long until, List<Action> out) {
        if (compareUnsigned(leaving, params.localAddress()) == 0) {
            return;
        }
        if (relayTo != null && compareUnsigned(leaving, relayTo) != 0) {
            endRelay(out);
        }
        if (relayTo == null) {
            relayTo = leaving;
            out.add(new Action.RelayStrays(leaving));
        }
        relayUntil.set(until);
    }

    private void endRelay(List<Action> out) {
        relayUntil.clear();
        if (relayTo != null) {
            relayTo = null;
            out.add(new Action.EndRelay());
        }
    }

    /**
     * Some of our VIPs disappeared from this box (removed by hand or by another tool: an RTM_DELADDR). A master
     * puts them back and re-announces them at once; in any other state this only forgets stray copies.
     */
    public List<Action> vipsRemoved() {
        if (state != State.MASTER) {
            strayVips = false;
            return List.of();
        }
        return List.of(new Action.RestoreVips(), new Action.SendGarp(params.garpRepeat()));
    }

    /**
     * Some of our VIPs appeared on this box (RTM_NEWADDR). Expected as master; otherwise they are strays that must
     * not answer for another router: FAULT drops them at once, a backup at the first advert of the master it obeys
     * (until then no other master is known, and the down timer decides).
     */
    public List<Action> vipsAdded() {
        if (state == State.MASTER || state == State.STOPPED) {
            return List.of();
        }
        if (state == State.FAULT) {
            return List.of(new Action.RemoveVips());
        }
        strayVips = true;
        return List.of();
    }

    /** Call when {@link #nextDeadline()} has passed; late calls are fine, early ones do nothing. */
    public List<Action> timerExpired(long now) {
        return timerExpired(now, OptionalLong.empty());
    }

    /**
     * Like {@link #timerExpired(long)}, told the arrival time of the newest advert the receiver has taken off the
     * wire but the engine has not yet passed to {@link #advertReceived}. A master-down timer that runs late (a
     * starved thread, a GC pause) while an advert that arrived before its deadline waits to be handled must not
     * take over: it does nothing, and the engine calls again once that advert is handled (which re-arms the
     * timer, or is ignored and the next call takes over).
     */
    public List<Action> timerExpired(long now, OptionalLong unhandledArrival) {
        List<Action> out = new ArrayList<>();
        if (relayUntil.isDue(now)) {
            endRelay(out);
            if (state == State.MASTER) {
                // the old master lets go of the VIPs now: a client that ARPed it meanwhile must come here too
                out.add(new Action.SendGarp(params.garpRepeat()));
            }
        }
        if (state == State.BACKUP && timer.isDue(now)) {
            if (unhandledArrival.isPresent() && unhandledArrival.getAsLong() - timer.at < 0) {
                return List.copyOf(out);
            }
            becomeMaster(now, out);
        } else if (state == State.MASTER && handoverUntil.isSet()) {
            handoverTimer(now, out);
        } else if (state == State.MASTER) {
            if (timer.isDue(now)) {
                sendAdvert(now, out);
            }
            if (garpDelay.isDue(now)) {
                garpDelay.clear();
                out.add(new Action.SendGarp(params.garpRepeat()));
            }
            if (garpRefresh.isDue(now)) {
                garpRefresh.set(now + params.garpMasterRefresh().toNanos());
                out.add(new Action.SendGarp(params.garpRefreshRepeat()));
            }
        }
        return List.copyOf(out);
    }

    /**
     * Tracking changed (see {@code vipgate.vrrp.track}): the new effective priority and whether a tracked
     * object puts the instance in FAULT. Works before {@link #start} too, to set the starting point.
     */
    public List<Action> trackingChanged(int effectivePriority, boolean fault, long now) {
        if (effectivePriority < 1 || effectivePriority > 255) {
            throw new IllegalArgumentException("effective priority must be 1..255, got " + effectivePriority);
        }
        int old = priority;
        priority = effectivePriority;
        trackingFault = fault;
        List<Action> out = new ArrayList<>();
        applyFault(now, out);
        if (state == State.MASTER && old != priority && !handoverUntil.isSet()) {
            // Tell the backups now: a lowered master should not wait an interval to be preempted.
            sendAdvert(now, out);
        }
        return List.copyOf(out);
    }

    /** A {@link SyncGroup} directive for this member. */
    public List<Action> sync(SyncGroup.Command command, long now) {
        List<Action> out = new ArrayList<>();
        switch (command) {
            case BECOME_MASTER -> {
                if (state == State.BACKUP) {
                    becomeMaster(now, out);
                }
            }
            case BECOME_BACKUP -> {
                if (state == State.MASTER) {
                    leaveMaster(now, out);
                }
            }
            case ENTER_FAULT -> {
                groupFault = true;
                applyFault(now, out);
            }
            case LEAVE_FAULT -> {
                groupFault = false;
                applyFault(now, out);
            }
        }
        return List.copyOf(out);
    }

    /** Stops for good; a master says goodbye with priority 0 so a backup takes over after only its skew. */
    public List<Action> shutdown(long now) {
        List<Action> out = new ArrayList<>();
        if (state == State.STOPPED) {
            return List.of();
        }
        if (state == State.MASTER) {
            out.add(new Action.SendAdvert(0));
            out.add(new Action.RemoveVips());
        }
        endRelay(out);
        out.add(new Action.Transition(state, State.STOPPED, priority));
        state = State.STOPPED;
        clearTimers();
        return List.copyOf(out);
    }

    /**
     * A planned handover: a master says priority 0 (so a backup takes over after only its skew) but keeps its
     * VIPs, and so its clients, until the new master's first advert, which that master sends after adding the
     * VIPs and announcing them; ours are removed {@code graceNanos} later (answers in flight need them as their source
     * address; new connections already go to the new master), and the instance ends in {@code then} (STOPPED for a
     * shutdown, BACKUP for an operator's handover, which then does not preempt the new master while it advertises). Priority 0 is repeated every advert interval while waiting.
     * If no new master speaks within {@code maxWaitNanos} a shutdown removes the VIPs anyway and a handover
     * stays master (nobody could take over). Not master: a shutdown stops at once, a handover does nothing.
     */
    public List<Action> handover(long now, long maxWaitNanos, long graceNanos, State then) {
        if (then != State.STOPPED && then != State.BACKUP) {
            throw new IllegalArgumentException("a handover ends in STOPPED or BACKUP, not " + then);
        }
        if (state != State.MASTER) {
            return then == State.STOPPED ? shutdown(now) : List.of();
        }
        List<Action> out = new ArrayList<>();
        afterHandover = then;
        handoverGrace = graceNanos;
        newMasterSeen = false;
        handoverUntil.set(now + maxWaitNanos);
        garpDelay.clear();
        garpRefresh.clear();
        out.add(new Action.SendAdvert(0));
        timer.set(now + micros(masterAdverCentis * MICROS_PER_CENTI));
        return List.copyOf(out);
    }

    /** True while a {@link #handover} waits for the new master. */
    public boolean handingOver() {
        return handoverUntil.isSet();
    }

    private void handoverTimer(long now, List<Action> out) {
        if (handoverUntil.isDue(now) && newMasterSeen) {
            endHandover(now, out);
        } else if (handoverUntil.isDue(now)) {
            handoverUntil.clear();
            if (afterHandover == State.STOPPED) {
                out.addAll(shutdown(now));
            } else {
                sendAdvert(now, out); // nobody took over: stay master, and say so with our own priority again
            }
        } else if (timer.isDue(now)) {
            out.add(new Action.SendAdvert(0)); // the first may have been lost
            timer.set(now + micros(masterAdverCentis * MICROS_PER_CENTI));
        }
    }

    private void endHandover(long now, List<Action> out) {
        handoverUntil.clear();
        if (afterHandover == State.STOPPED) {
            out.add(new Action.RemoveVips());
            endRelay(out);
            out.add(new Action.Transition(state, State.STOPPED, priority));
            state = State.STOPPED;
            clearTimers();
        } else {
            yielded = true;
            leaveMaster(now, out);
        }
    }

    /** When the engine must call {@link #timerExpired}; empty when nothing is scheduled (INIT, FAULT, STOPPED). */
    public OptionalLong nextDeadline() {
        long best = 0;
        boolean any = false;
        for (Deadline d : new Deadline[] {timer, garpDelay, garpRefresh, handoverUntil, relayUntil}) {
            if (d.isSet() && (!any || d.at - best < 0)) {
                best = d.at;
                any = true;
            }
        }
        return any ? OptionalLong.of(best) : OptionalLong.empty();
    }

    public String name() {
        return params.name();
    }

    public State state() {
        return state;
    }

    /** The effective priority we advertise. */
    public int priority() {
        return priority;
    }

    /** True while our own tracking (not only the sync group) holds us in FAULT; what a {@link SyncGroup} needs. */
    public boolean ownFault() {
        return trackingFault;
    }

    /** The master's advertised interval as a v3 backup, else ours. */
    public int masterAdverIntervalCentis() {
        return masterAdverCentis;
    }

    /** The source of the last advert that kept us backup, for the status page. */
    public Optional<InetAddress> masterAddress() {
        return Optional.ofNullable(masterAddress);
    }

    /**
     * Skew_Time in microseconds, computed as keepalived does (integer microseconds): v2 (256 - prio) / 256 s,
     * v3 (256 - prio) x Master_Adver_Interval / 256.
     */
    public long skewMicros() {
        if (params.version() == 2) {
            return (256 - priority) * MICROS_PER_SECOND / 256;
        }
        return (256 - priority) * (masterAdverCentis * MICROS_PER_CENTI) / 256;
    }

    /** Master_Down_Interval = 3 x Master_Adver_Interval + Skew_Time, in microseconds (prio 100, 1 s: 3 609 375). */
    public long masterDownMicros() {
        return 3 * masterAdverCentis * MICROS_PER_CENTI + skewMicros();
    }

    private boolean inFault() {
        return trackingFault || groupFault;
    }

    private void applyFault(long now, List<Action> out) {
        if (inFault() && (state == State.BACKUP || state == State.MASTER)) {
            enterFault(out);
        } else if (!inFault() && state == State.FAULT) {
            // keepalived leaves FAULT to BACKUP and lets the election decide.
            masterAdverCentis = params.advertIntervalCentis();
            becomeBackup(now, out);
        }
    }

    private void becomeMaster(long now, List<Action> out) {
        State from = state;
        state = State.MASTER;
        masterAdverCentis = params.advertIntervalCentis(); // a new master uses its own interval
        masterAddress = null;
        preemptAt.clear();
        answerAt.clear();
        strayVips = false;
        yielded = false;
        if (relayTo != null) {
            relayUntil.set(now + RELAY_AFTER_TAKEOVER_NANOS);
        }
        // VIPs and their announcement before the advert: a master handing over to us drops its VIPs on this
        // advert, and by then clients must already be told to come here
        out.add(new Action.AddVips());
        out.add(new Action.SendGarp(params.garpRepeat()));
        sendAdvert(now, out);
        if (!params.garpMasterDelay().isZero()) {
            garpDelay.set(now + params.garpMasterDelay().toNanos());
        }
        if (!params.garpMasterRefresh().isZero()) {
            garpRefresh.set(now + params.garpMasterRefresh().toNanos());
        }
        out.add(new Action.Transition(from, State.MASTER, priority));
    }

    private void leaveMaster(long now, List<Action> out) {
        out.add(new Action.RemoveVips());
        strayVips = false;
        becomeBackup(now, out);
    }

    private void becomeBackup(long now, List<Action> out) {
        State from = state;
        state = State.BACKUP;
        endRelay(out);
        handoverUntil.clear();
        garpDelay.clear();
        garpRefresh.clear();
        timer.set(now + micros(masterDownMicros()));
        out.add(new Action.Transition(from, State.BACKUP, priority));
    }

    private void enterFault(List<Action> out) {
        State from = state;
        if (from == State.MASTER) {
            out.add(new Action.SendAdvert(0));
            out.add(new Action.RemoveVips());
        } else if (strayVips) {
            out.add(new Action.RemoveVips());
        }
        endRelay(out);
        strayVips = false;
        state = State.FAULT;
        clearTimers();
        out.add(new Action.Transition(from, State.FAULT, priority));
    }

    private void sendAdvert(long now, List<Action> out) {
        out.add(new Action.SendAdvert(priority));
        timer.set(now + micros(masterAdverCentis * MICROS_PER_CENTI));
    }

    private void clearTimers() {
        handoverUntil.clear();
        timer.clear();
        garpDelay.clear();
        garpRefresh.clear();
    }

    private static long micros(long micros) {
        return micros * NANOS_PER_MICRO;
    }

    /** RFC 5798 6.4.3: addresses compare as unsigned numbers in network byte order. */
    static int compareUnsigned(InetAddress a, InetAddress b) {
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        if (x.length != y.length) {
            return Integer.compare(x.length, y.length);
        }
        for (int i = 0; i < x.length; i++) {
            int c = Integer.compare(x[i] & 0xFF, y[i] & 0xFF);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return params.name() + " " + state + " prio " + priority;
    }

    /** A settable point in monotonic time. */
    private static final class Deadline {
        private boolean set;
        private long at;

        void set(long when) {
            set = true;
            at = when;
        }

        void clear() {
            set = false;
        }

        boolean isSet() {
            return set;
        }

        boolean isDue(long now) {
            return set && now - at >= 0;
        }
    }
}
