package vipgate.vrrp.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import vipgate.netlink.libc.ThreadPriority;
import vipgate.netlink.route.Link;
import vipgate.netlink.route.RouteEvent;
import vipgate.netlink.route.RouteEvents;
import vipgate.netlink.route.RouteNetlink;
import vipgate.vrrp.config.InstanceSpec;
import vipgate.vrrp.config.ScriptSpec;
import vipgate.vrrp.config.SyncGroupSpec;
import vipgate.vrrp.config.VipSpec;
import vipgate.vrrp.config.VrrpConfig;
import vipgate.vrrp.notify.EventLog;
import vipgate.vrrp.notify.Notifier;
import vipgate.vrrp.notify.NotifyEvent;
import vipgate.vrrp.notify.NotifyFifo;
import vipgate.vrrp.notify.NotifyScripts;
import vipgate.vrrp.notify.SmtpAlert;
import vipgate.vrrp.state.Action;
import vipgate.vrrp.state.State;
import vipgate.vrrp.state.SyncGroup;
import vipgate.vrrp.track.TrackScript;
import vipgate.vrrp.track.TrackStatus;
import vipgate.vrrp.track.TrackedObject;

/**
 * The vrrp engine: every configured instance, its tracking (scripts, interfaces, the local lb) and its
 * notifications. One loop thread owns all state machines (so sync groups see a consistent picture); receivers
 * and script runs hand their results over to it.
 */
public final class VrrpEngine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VrrpEngine.class.getName());
    /** How long a caller waits for a task on the engine's loop. */
    private static final Duration LOOP_TIMEOUT = Duration.ofSeconds(10);
    /** How long {@link #start} waits for the instances to open. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration LB_POLL = Duration.ofMillis(500);
    private static final Duration STALE_VIP_TIMEOUT = Duration.ofSeconds(5);
    private static final String INSTANCES = "vipgate.vrrp.instances";
    /** Real-time priority of the receivers, the loop (timers, adverts) and the announcer: any beats normal threads. */
    private static final int REALTIME_PRIORITY = 10;
    /** How much longer than its own bound a caller waits for a handover to end. */
    private static final Duration HANDOVER_SLACK = Duration.ofSeconds(2);

    private final VrrpConfig config;
    private final ScheduledExecutorService loop;
    private final ExecutorService announcer;
    /** Runs the handover relay's nft commands (seconds of latency are harmless there, never on the loop). */
    private final ExecutorService relayWorker;
    private final Notifier notifier;
    private final BooleanSupplier lbHealthy;
    private final Map<String, InstanceRunner> runners = new LinkedHashMap<>();
    private final Map<String, TrackScript> scripts = new LinkedHashMap<>();
    private final List<SyncGroupRuntime> groups = new ArrayList<>();
    private RouteNetlink route;
    private RouteEvents routeEvents;
    private Boolean lastLbHealthy;
    private final List<Runnable> transitionListeners = new CopyOnWriteArrayList<>();

    private record SyncGroupRuntime(SyncGroupSpec spec, SyncGroup group) {
    }

    private VrrpEngine(VrrpConfig config, BooleanSupplier lbHealthy) {
        this.config = config;
        this.lbHealthy = lbHealthy;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> daemon(raised(r), "vipgate-vrrp"));
        this.announcer = Executors.newSingleThreadExecutor(r -> daemon(raised(r), "vipgate-vrrp-garp"));
        this.relayWorker = Executors.newSingleThreadExecutor(r -> daemon(r, "vipgate-vrrp-relay"));
        this.notifier = new Notifier(new EventLog(512), config.notifyFifo().map(p -> new NotifyFifo(p, 1024)),
                new NotifyScripts(256, Duration.ofSeconds(30)),
                config.smtp().enabled() ? Optional.of(new SmtpAlert(config.smtp())) : Optional.empty());
    }

    /**
     * The VRRP threads must not share fate with the proxy's event loops on a busy box: a receiver or timer that
     * runs late is a spurious takeover. Raises the calling thread (see {@link ThreadPriority}); returns what it got.
     */
    static String raiseThread() {
        return ThreadPriority.raiseCurrentThread(REALTIME_PRIORITY);
    }

    private static Runnable raised(Runnable r) {
        return () -> {
            String got = raiseThread();
            LOG.info(() -> Thread.currentThread().getName() + " runs at " + got);
            r.run();
        };
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Opens every instance's socket and starts them. Fails (and releases everything) when an instance cannot
     * start, e.g. a missing interface or no CAP_NET_RAW.
     *
     * @param lbHealthy whether the local lb engine serves (a listener and at least one live upstream server), for
     *        instances with track-lb
     */
    public static VrrpEngine start(VrrpConfig config, BooleanSupplier lbHealthy) {
        VrrpEngine engine = new VrrpEngine(config, lbHealthy);
        try {
            // opening loads most of the engine's classes: on a slow box (an emulated VM, a busy JVM start) that
            // takes far longer than any later task, so it gets a start-up limit of its own
            engine.onLoop(() -> {
                engine.open();
                return null;
            }, START_TIMEOUT);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        return engine;
    }

    /**
     * Removes every VIP {@code file} configures from this box; {@code vipgate run} calls it first thing. The VIPs of a
     * run killed with SIGKILL stay on the interface, and while the rest of the JVM starts the peer has taken over, so
     * both boxes answer for them (issue 12 #10: 9.1 s over 10 kill/restart cycles). Hence the short cuts: the
     * parsed file is read as it stands (binding and checking the whole configuration takes 2-4x longer), and
     * iproute2's {@code ip} (in the image) removes them, not our netlink binding, whose native loading alone takes
     * 0.4-1.5 s on a busy 2-core box where {@code ip} takes 60 ms.
     *
     * @throws RuntimeException when the file does not say which VIPs; the normal start reports that
     */
    public static void removeStaleVips(Config file) {
        StringBuilder batch = new StringBuilder();
        if (file.hasPath(INSTANCES)) {
            Config instances = file.getConfig(INSTANCES);
            for (String name : instances.root().keySet()) {
                Config instance = instances.getConfig(ConfigUtil.quoteString(name));
                for (String text : instance.getStringList("virtual-ipaddresses")) {
                    VipSpec vip = VipSpec.parse(text);
                    batch.append("address del ").append(vip.address().getHostAddress()).append('/').append(vip.prefixLength())
                            .append(" dev ").append(vip.device().orElse(instance.getString("interface"))).append('\n');
                }
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            // -force: go on after an address that is not there; each instance removes leftovers again through netlink
            Process ip = new ProcessBuilder("ip", "-force", "-batch", "-").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try (OutputStream in = ip.getOutputStream()) {
                in.write(batch.toString().getBytes(StandardCharsets.US_ASCII));
            }
            if (!ip.waitFor(STALE_VIP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                ip.destroyForcibly();
            }
        } catch (IOException e) {
            LOG.fine(() -> "cannot run ip to remove VIPs left by a previous run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void open() throws IOException {
        route = RouteNetlink.open();
        for (InstanceSpec spec : config.instances().values()) {
            runners.put(spec.name(), new InstanceRunner(spec, route, loop, announcer, relayWorker, this::onTransition));
        }
        for (SyncGroupSpec g : config.syncGroups().values()) {
            groups.add(new SyncGroupRuntime(g, new SyncGroup(g.name(), g.instances())));
        }
        // events first, then the current state, so no change falls in between
        routeEvents = RouteEvents.start(event -> loop.execute(() -> onRouteEvent(event)));
        readInterfaces();
        for (ScriptSpec s : config.scripts().values()) {
            TrackScript script = new TrackScript(s, loop, (ts, status, result) -> runners.values()
                    .forEach(r -> r.track(TrackedObject.Kind.SCRIPT, ts.name(), status)));
            scripts.put(s.name(), script);
        }
        runners.values().forEach(InstanceRunner::start);
        scripts.values().forEach(TrackScript::start);
        if (runners.values().stream().anyMatch(r -> r.spec().trackLb().isPresent())) {
            loop.scheduleWithFixedDelay(this::pollLb, 0, LB_POLL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Tells every instance the current state of every interface. */
    private void readInterfaces() throws IOException {
        for (Link link : route.links()) {
            runners.values().forEach(r -> r.interfaceState(link.name(), link.up() && link.running()));
        }
    }

    private void pollLb() {
        boolean healthy;
        try {
            healthy = lbHealthy.getAsBoolean();
        } catch (RuntimeException e) {
            healthy = false;
        }
        if (lastLbHealthy == null || lastLbHealthy != healthy) {
            boolean now = healthy;
            if (lastLbHealthy != null) {
                LOG.warning(() -> "local lb engine " + (now ? "serves again" : "no longer serves (no listener or no live upstream)"));
            }
            lastLbHealthy = healthy;
            runners.values().forEach(r -> r.track(TrackedObject.Kind.LB, "lb", now ? TrackStatus.OK : TrackStatus.FAILED));
        }
    }

    private void onRouteEvent(RouteEvent event) {
        if (event instanceof RouteEvent.LinkChanged l) {
            runners.values().forEach(r -> r.interfaceState(l.name(), l.up() && l.running()));
        } else if (event instanceof RouteEvent.LinkRemoved l) {
            runners.values().forEach(r -> r.interfaceState(l.name(), false));
        } else if (event instanceof RouteEvent.AddressAdded a) {
            runners.values().forEach(r -> r.addressChanged(a.address(), true));
        } else if (event instanceof RouteEvent.AddressRemoved a) {
            runners.values().forEach(r -> r.addressChanged(a.address(), false));
        } else if (event instanceof RouteEvent.EventsLost) {
            runners.values().forEach(InstanceRunner::verifyVips);
            try {
                readInterfaces();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot re-read interfaces after lost netlink events", e);
            }
        } else if (event instanceof RouteEvent.Stopped s) {
            LOG.log(Level.SEVERE, "interface monitoring stopped; interface failures will go unnoticed", s.cause());
        }
    }

    /**
     * Calls {@code listener} on the engine's thread after every state change of an instance (after its notify
     * commands are queued): e.g. the ipvs sync daemon switching with the VIP. It must not block.
     */
    public void addTransitionListener(Runnable listener) {
        transitionListeners.add(listener);
    }

    private void onTransition(InstanceRunner runner, Action.Transition t) {
        notifier.publish(runner.event(t), runner.spec().notifyCommands(), runner.spec().smtpAlert());
        for (SyncGroupRuntime g : groups) {
            if (!g.spec().instances().contains(runner.name())) {
                continue;
            }
            Optional<State> before = g.group().groupState();
            for (SyncGroup.Directive d : g.group().memberChanged(runner.name(), t.to(), runner.ownFault())) {
                InstanceRunner member = runners.get(d.member());
                if (member != null) {
                    member.sync(d.command());
                }
            }
            Optional<State> after = g.group().groupState();
            if (after.isPresent() && !after.equals(before)) {
                notifier.publish(new NotifyEvent(NotifyEvent.Scope.GROUP, g.spec().name(), NotifyEvent.kindOf(after.get()), 0,
                        Instant.now()), g.spec().notifyCommands(), g.spec().smtpAlert());
            }
        }
        transitionListeners.forEach(Runnable::run);
    }

    /** Every instance's status, as the loop sees it. */
    public List<InstanceStatus> status() {
        return onLoop(() -> runners.values().stream().map(InstanceRunner::status).toList());
    }

    /** The last transitions, oldest first. */
    public List<NotifyEvent> events() {
        return notifier.log().snapshot();
    }

    public VrrpConfig config() {
        return config;
    }

    /**
     * A planned handover of every instance that is master (see {@link vipgate.vrrp.state.VrrpInstance#handover}):
     * each says priority 0 but keeps its VIPs until a backup has taken them over and said so; the instance then
     * stays backup. Returns, per instance that was master, whether another router took over (false: nobody did
     * within a master-down interval, and it is master still).
     */
    public Map<String, Boolean> handover() {
        return awaitHandovers(onLoop(() -> {
            Map<String, CompletableFuture<Boolean>> started = new LinkedHashMap<>();
            runners.values().stream().filter(r -> r.state() == State.MASTER)
                    .forEach(r -> started.put(r.name(), r.handover(State.BACKUP)));
            return started;
        }));
    }

    private Map<String, Boolean> awaitHandovers(Map<String, CompletableFuture<Boolean>> started) {
        Map<String, Boolean> result = new LinkedHashMap<>();
        long until = System.nanoTime() + handoverBound().plus(HANDOVER_SLACK).toNanos();
        for (Map.Entry<String, CompletableFuture<Boolean>> e : started.entrySet()) {
            try {
                result.put(e.getKey(), e.getValue().get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                result.put(e.getKey(), false);
            } catch (ExecutionException | TimeoutException ex) {
                result.put(e.getKey(), false);
            }
        }
        return result;
    }

    /** At least the longest any instance waits for a new master: its master-down interval plus one advert interval. */
    private Duration handoverBound() {
        long centis = config.instances().values().stream().mapToLong(InstanceSpec::advertIntervalCentis).max().orElse(100);
        return Duration.ofMillis(centis * 10 * 5);
    }

    private <T> T onLoop(Callable<T> task) {
        return onLoop(task, LOOP_TIMEOUT);
    }

    private <T> T onLoop(Callable<T> task, Duration timeout) {
        try {
            return loop.submit(task).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the vrrp loop did not answer within " + timeout.toSeconds() + "s", e);
        }
    }

    /**
     * Leaves every instance, then stops all threads. A master hands over as in {@link #handover} but stops: it says
     * priority 0 and keeps its VIPs until the backup has taken them (at most a master-down interval), so no client
     * finds the VIP nowhere.
     */
    @Override
    public void close() {
        if (loop.isShutdown()) {
            return;
        }
        try {
            Map<String, Boolean> handedOver = awaitHandovers(onLoop(() -> {
                Map<String, CompletableFuture<Boolean>> started = new LinkedHashMap<>();
                runners.values().forEach(r -> started.put(r.name(), r.handover(State.STOPPED)));
                return started;
            }));
            LOG.info(() -> "vrrp handover on shutdown: " + handedOver);
        } catch (IllegalStateException e) {
            LOG.log(Level.WARNING, "vrrp handover on shutdown incomplete: " + e.getMessage(), e);
        }
        try {
            onLoop(() -> {
                // goodbye adverts first: every millisecond here is a millisecond without a master on the LAN
                runners.values().forEach(InstanceRunner::stop);
                scripts.values().forEach(TrackScript::stop);
                if (routeEvents != null) {
                    routeEvents.close();
                }
                if (route != null) {
                    route.close();
                }
                return null;
            });
        } catch (IllegalStateException e) {
            LOG.log(Level.WARNING, "vrrp shutdown incomplete: " + e.getMessage(), e);
        }
        loop.shutdown();
        announcer.shutdown();
        relayWorker.shutdown();
        try {
            // the relay's removal must run before the JVM exits, or its table outlives us (the next start removes it)
            relayWorker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        notifier.close();
        LOG.info("vrrp engine stopped");
    }
}
