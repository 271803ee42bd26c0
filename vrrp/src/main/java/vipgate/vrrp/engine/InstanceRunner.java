package vipgate.vrrp.engine;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.channels.AsynchronousCloseException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import vipgate.netlink.route.IfAddress;
import vipgate.netlink.route.Link;
import vipgate.netlink.route.RouteNetlink;
import vipgate.vrrp.config.InstanceSpec;
import vipgate.vrrp.notify.NotifyEvent;
import vipgate.vrrp.state.Action;
import vipgate.vrrp.state.State;
import vipgate.vrrp.state.SyncGroup;
import vipgate.vrrp.state.VrrpInstance;
import vipgate.vrrp.track.EffectivePriority;
import vipgate.vrrp.track.TrackStatus;
import vipgate.vrrp.track.TrackedObject;
import vipgate.vrrp.wire.Decoded;
import vipgate.vrrp.wire.DropReason;
import vipgate.vrrp.wire.Expectation;
import vipgate.vrrp.wire.VrrpPacket;

/**
 * The I/O edge of one VRRP instance: its socket, its receiver thread, its timer, and the execution of the pure
 * {@link VrrpInstance}'s actions. Everything but the blocking receive runs on the engine's single loop thread,
 * so the state machine needs no locks.
 */
final class InstanceRunner {
    private static final Logger LOG = Logger.getLogger(InstanceRunner.class.getName());
    /** One log line per drop reason per this many nanoseconds: a flood of bogus packets must not flood the log. */
    private static final long DROP_LOG_INTERVAL = TimeUnit.SECONDS.toNanos(10);
    /**
     * Adverts handed to the loop and not yet processed. Beyond this the receiver drops (and counts) what arrives: a
     * flood must not grow the loop's queue without bound (issue 12 #11c: +225 MB of queued packets and GARP tasks).
     */
    static final int MAX_PENDING_ADVERTS = 1024;
    /** What the engine learns from a runner: transitions (for notify and sync groups). */
    interface Events {
        void transition(InstanceRunner runner, Action.Transition transition);
    }

    private final InstanceSpec spec;
    private final ScheduledExecutorService loop;
    private final Executor announcer;
    private final Events events;
    private final VirtualAddresses vips;
    private final StrayRelay relay;
    private final EffectivePriority effective;
    private final AdvertSocket socket;
    private final InetAddress localAddress;
    private final Expectation expectation;
    private final VrrpPacket advert;
    private final VrrpInstance machine;
    private final Thread receiver;
    /**
     * Arrival time of the newest packet for our VRID the receiver has queued for the loop (written after it is
     * queued), and of the newest one the loop has handled: a late timer must not take over past a queued advert.
     */
    private volatile long newestArrival;
    private long handledArrival;
    /** Arrival of the last accepted advert: a takeover's log line says how long the master had been silent. */
    private long lastAdvert;
    /** Completed when a {@link #handover} ends: true when another router took over. */
    private CompletableFuture<Boolean> handover;
    private ScheduledFuture<?> timer;
    private boolean interfaceUp = true;

    private final AtomicInteger pending = new AtomicInteger();
    /** Set while a GARP burst waits for the announcer: one queued burst per instance announces every VIP anyway. */
    private final AtomicBoolean garpQueued = new AtomicBoolean();
    private long vipsRestored;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final Map<DropReason, AtomicLong> dropped = new EnumMap<>(DropReason.class);
    /** Transitions by the state entered; only the loop writes, the admin API reads a snapshot on the loop. */
    private final Map<State, Long> transitions = new EnumMap<>(State.class);
    private final Map<DropReason, Long> lastDropLog = new EnumMap<>(DropReason.class);

    /** Opens the socket; call on the loop thread. */
    InstanceRunner(InstanceSpec spec, RouteNetlink route, ScheduledExecutorService loop, Executor announcer,
            ExecutorService relayWorker, Events events) throws IOException {
        this.spec = spec;
        this.loop = loop;
        this.announcer = announcer;
        this.events = events;
        for (DropReason r : DropReason.values()) {
            dropped.put(r, new AtomicLong());
        }
        Link link = route.link(spec.iface()).orElseThrow(() -> new IOException("vrrp instance " + spec.name()
                + ": no interface '" + spec.iface() + "' (see `ip link`); fix vipgate.vrrp.instances." + spec.name() + ".interface"));
        boolean ipv6 = spec.vips().get(0).address() instanceof Inet6Address;
        this.localAddress = spec.unicastSource().orElse(primaryAddress(route, link, ipv6));
        this.socket = AdvertSocket.open(ipv6, link.name(), link.index(), spec.unicastSource().orElse(null));
        this.expectation = spec.expectation(socket.checksumMode());
        this.advert = spec.advert();
        this.vips = new VirtualAddresses(spec, route);
        this.relay = new StrayRelay(spec.name(), spec.vipAddresses(), link.name(), relayWorker);
        this.effective = new EffectivePriority(spec.priority(), spec.tracked());
        this.machine = new VrrpInstance(spec.params(localAddress));
        this.interfaceUp = link.up() && link.running();
        this.receiver = new Thread(this::receive, "vipgate-vrrp-rx-" + spec.name());
        receiver.setDaemon(true);
        this.newestArrival = System.nanoTime();
        this.handledArrival = newestArrival;
    }

    /** The advert source: the interface's first IPv4 address that is not a VIP (link-local for IPv6). */
    private InetAddress primaryAddress(RouteNetlink route, Link link, boolean ipv6) throws IOException {
        List<InetAddress> vipAddresses = spec.vipAddresses();
        for (IfAddress a : route.addresses()) {
            if (a.ifindex() != link.index() || vipAddresses.contains(a.address())) {
                continue;
            }
            if (!ipv6 && a.address() instanceof Inet4Address) {
                return a.address();
            }
            if (ipv6 && a.address() instanceof Inet6Address v6 && v6.isLinkLocalAddress()) {
                return a.address();
            }
        }
        throw new IOException("vrrp instance " + spec.name() + ": interface " + link.name() + " has no "
                + (ipv6 ? "link-local IPv6" : "IPv4") + " address to send adverts from; add one, or set unicast-source");
    }

    InstanceSpec spec() {
        return spec;
    }

    String name() {
        return spec.name();
    }

    State state() {
        return machine.state();
    }

    /** In FAULT because of its own tracking or interface, not because its sync group forced it. */
    boolean ownFault() {
        return machine.ownFault();
    }

    void start() {
        // as keepalived does: VIPs left by a previous run (killed with SIGKILL) must not linger on a backup
        vips.remove();
        relay.clearStale();
        vips.prepareAnnouncements();
        receiver.start();
        applyTracking();
        apply(machine.start(System.nanoTime()));
        LOG.info(() -> spec + ": started " + (spec.multicast() ? "multicast" : "unicast to " + spec.unicastPeers())
                + " from " + localAddress.getHostAddress() + ", " + machine.state());
    }

    /** A tracked object changed its verdict; call on the loop. */
    void track(TrackedObject.Kind kind, String objectName, TrackStatus status) {
        if (effective.set(kind, objectName, status)) {
            applyTracking();
        }
    }

    /** The instance's own interface went down or up: down is FAULT, as in keepalived. */
    void interfaceState(String ifname, boolean up) {
        if (up && spec.vips().stream().anyMatch(v -> v.device().orElse(spec.iface()).equals(ifname))) {
            // an interface that came (back) up may have a new index or MAC
            vips.prepareAnnouncements();
        }
        track(TrackedObject.Kind.INTERFACE, ifname, up ? TrackStatus.OK : TrackStatus.FAILED);
        if (ifname.equals(spec.iface()) && up != interfaceUp) {
            interfaceUp = up;
            LOG.warning(() -> spec.name() + ": interface " + ifname + (up ? " is up again" : " went down: FAULT"));
            applyTracking();
        }
    }

    /**
     * An address appeared on or vanished from this box (rtnetlink); call on the loop. Ours as master means someone
     * removed a VIP we serve, ours otherwise a stray copy: the state machine decides.
     */
    void addressChanged(IfAddress address, boolean added) {
        if (machine.state() != State.STOPPED && spec.vipAddresses().contains(address.address())) {
            apply(added ? machine.vipsAdded() : machine.vipsRemoved());
        }
    }

    /** Netlink events were lost: the VIPs may have changed unseen; a master makes sure it still holds them. */
    void verifyVips() {
        if (machine.state() == State.MASTER) {
            restoreVips();
        }
    }

    void sync(SyncGroup.Command command) {
        apply(machine.sync(command, System.nanoTime()));
    }

    /** Tells the machine the tracked objects' verdict; its own interface being down is a FAULT too. */
    private void applyTracking() {
        EffectivePriority.Result verdict = effective.evaluate();
        apply(machine.trackingChanged(verdict.priority(), !interfaceUp || verdict.fault(), System.nanoTime()));
    }

    private void receive() {
        String priority = VrrpEngine.raiseThread();
        LOG.fine(() -> spec.name() + ": advert receiver runs at " + priority);
        try {
            while (true) {
                AdvertSocket.Received packet = socket.receive(-1);
                if (packet == null) {
                    continue;
                }
                if (pending.incrementAndGet() > MAX_PENDING_ADVERTS) {
                    pending.decrementAndGet();
                    dropped.get(DropReason.OVERLOAD).incrementAndGet();
                    continue;
                }
                loop.execute(() -> {
                    pending.decrementAndGet();
                    onPacket(packet);
                });
                // published after queueing, so a timer that sees this arrival runs after the advert is handled
                if (VrrpPacket.peekVrid(packet.payload()) == spec.vrid()) {
                    newestArrival = packet.arrivedAt();
                }
            }
        } catch (AsynchronousCloseException e) {
            // closed by stop()
        } catch (IOException e) {
            LOG.log(Level.SEVERE, spec.name() + ": receiving adverts failed; this node can no longer see its peer", e);
        }
    }

    private void onPacket(AdvertSocket.Received p) {
        if (p.arrivedAt() - handledArrival > 0) {
            handledArrival = p.arrivedAt();
        }
        if (machine.state() == State.STOPPED) {
            return;
        }
        byte[] payload = p.payload();
        if (VrrpPacket.forAnotherVrid(payload, spec.vrid())) {
            // another instance's (or router's) VRID on this link: normal with several instances, counted only
            dropped.get(DropReason.WRONG_VRID).incrementAndGet();
            return;
        }
        Decoded decoded = VrrpPacket.decode(payload, p.source(), p.destination(), p.ttl(), expectation);
        if (decoded instanceof Decoded.Dropped drop) {
            dropped.get(drop.reason()).incrementAndGet();
            long now = System.nanoTime();
            Long last = lastDropLog.get(drop.reason());
            if (last == null || now - last > DROP_LOG_INTERVAL) {
                lastDropLog.put(drop.reason(), now);
                LOG.warning(() -> spec.name() + ": dropped advert from " + p.source().getHostAddress() + ": " + drop.reason()
                        + " (" + drop.detail() + ")");
            }
            return;
        }
        VrrpPacket packet = ((Decoded.Accepted) decoded).packet();
        received.incrementAndGet();
        lastAdvert = p.arrivedAt();
        // judged on when it arrived, not on when this loop got round to it
        apply(machine.advertReceived(packet.priority(), packet.intervalCentis(), p.source(), p.arrivedAt()));
    }

    private void onTimer() {
        timer = null;
        long newest = newestArrival;
        // a queued advert is handled before this timer runs again: it was queued before its arrival was published
        apply(machine.timerExpired(System.nanoTime(), newest - handledArrival > 0 ? OptionalLong.of(newest) : OptionalLong.empty()));
    }

    /**
     * Starts a planned handover (see {@link VrrpInstance#handover}), waiting at most one master-down interval
     * plus one advert interval for a new master; call on the loop. The future says whether one took over.
     */
    CompletableFuture<Boolean> handover(State then) {
        long maxWait = TimeUnit.MICROSECONDS.toNanos(machine.masterDownMicros() + machine.masterAdverIntervalCentis() * 10_000L);
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        if (handover != null) {
            handover.complete(false);
        }
        handover = done;
        apply(machine.handover(System.nanoTime(), maxWait, VrrpInstance.HANDOVER_GRACE_NANOS, then));
        return done;
    }

    private void apply(List<Action> actions) {
        for (Action action : actions) {
            if (action instanceof Action.SendAdvert send) {
                sendAdvert(send.priority());
            } else if (action instanceof Action.AddVips) {
                vips.add();
            } else if (action instanceof Action.RestoreVips) {
                restoreVips();
            } else if (action instanceof Action.RemoveVips) {
                vips.remove();
            } else if (action instanceof Action.SendGarp garp) {
                // the first announcement from here, before the advert that may follow: no thread hop before clients learn
                vips.announce(1, 0);
                if (garp.count() > 1) {
                    announce(garp.count() - 1);
                }
            } else if (action instanceof Action.RelayStrays r) {
                relay.start(r.to());
            } else if (action instanceof Action.EndRelay) {
                relay.stop();
            } else if (action instanceof Action.Transition t) {
                String silence = t.from() == State.BACKUP && t.to() == State.MASTER && received.get() > 0
                        ? String.format(java.util.Locale.ROOT, ", last advert %.1f ms ago, master down %.1f ms",
                                (System.nanoTime() - lastAdvert) / 1e6, machine.masterDownMicros() / 1e3) : "";
                LOG.info(() -> spec.name() + ": " + t.from() + " -> " + t.to() + " (priority " + t.priority() + silence + ")");
                transitions.merge(t.to(), 1L, Long::sum);
                events.transition(this, t);
            }
        }
        reschedule();
        if (handover != null && !machine.handingOver()) {
            handover.complete(machine.state() != State.MASTER);
            handover = null;
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void restoreVips() {
        int restored = vips.add();
        if (restored > 0) {
            vipsRestored += restored;
            LOG.warning(() -> spec.name() + ": " + restored + " VIP(s) were removed from this box while master (by hand or by "
                    + "another tool) and are restored; " + vipsRestored + " restored since start");
        }
    }

    /**
     * Hands the rest of a burst (its first frame went from the loop) to the announcer, unless one is still waiting
     * there (which announces the same addresses).
     */
    private void announce(int count) {
        if (garpQueued.compareAndSet(false, true)) {
            long interval = spec.garp().interval().toMillis();
            announcer.execute(() -> {
                garpQueued.set(false);
                sleepMillis(interval);
                vips.announce(count, interval);
            });
        }
    }

    private void reschedule() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        OptionalLong next = machine.nextDeadline();
        if (next.isPresent()) {
            long delay = Math.max(0, next.getAsLong() - System.nanoTime());
            timer = loop.schedule(this::onTimer, delay, TimeUnit.NANOSECONDS);
        }
    }

    private void sendAdvert(int priority) {
        VrrpPacket packet = advert.withPriority(priority);
        List<InetAddress> destinations = spec.multicast() ? List.of(socket.multicastGroup()) : spec.unicastPeers();
        for (InetAddress destination : destinations) {
            try {
                socket.send(destination, packet.encode(localAddress, destination, socket.checksumMode()));
                sent.incrementAndGet();
            } catch (IOException e) {
                LOG.warning(() -> spec.name() + ": cannot send advert to " + destination.getHostAddress() + ": " + e.getMessage());
            }
        }
    }

    /** Leaves for good: a master sends priority 0 and drops its VIPs. Call on the loop. */
    void stop() {
        apply(machine.shutdown(System.nanoTime()));
        if (timer != null) {
            timer.cancel(false);
        }
        socket.close();
        vips.closeAnnouncements();
    }

    NotifyEvent event(Action.Transition t) {
        return new NotifyEvent(NotifyEvent.Scope.INSTANCE, spec.name(), NotifyEvent.kindOf(t.to()), t.priority(), Instant.now());
    }

    /** A snapshot for the admin API; call on the loop. */
    InstanceStatus status() {
        Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        dropped.forEach((reason, count) -> {
            if (count.get() > 0) {
                drops.put(reason, count.get());
            }
        });
        return new InstanceStatus(spec.name(), spec.iface(), spec.vrid(), machine.state(), spec.priority(), machine.priority(),
                machine.masterAddress().map(InetAddress::getHostAddress), spec.vipAddresses().stream().map(InetAddress::getHostAddress).toList(),
                received.get(), sent.get(), drops, new EnumMap<>(transitions), vipsRestored);
    }
}
