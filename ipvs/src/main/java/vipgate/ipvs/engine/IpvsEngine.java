package vipgate.ipvs.engine;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import vipgate.health.CheckResult;
import vipgate.health.Checker;
import vipgate.ipvs.config.IpvsConfig;
import vipgate.ipvs.config.RealServerSpec;
import vipgate.ipvs.config.SyncDaemonSpec;
import vipgate.ipvs.config.VirtualServerSpec;
import vipgate.ipvs.health.CheckState;
import vipgate.ipvs.health.NotifyCommands;
import vipgate.ipvs.health.RealServerMonitor;
import vipgate.ipvs.netlink.Command;
import vipgate.ipvs.netlink.Daemon;
import vipgate.ipvs.netlink.IpvsCodec;
import vipgate.ipvs.netlink.IpvsException;
import vipgate.ipvs.netlink.IpvsKernel;
import vipgate.ipvs.netlink.IpvsRequest;
import vipgate.ipvs.netlink.KernelService;
import vipgate.ipvs.netlink.ServiceKey;
import vipgate.ipvs.netlink.Timeouts;
import vipgate.ipvs.reconcile.DesiredService;
import vipgate.ipvs.reconcile.Operation;
import vipgate.ipvs.reconcile.Pool;
import vipgate.ipvs.reconcile.Reconciler;

/**
 * The ipvs engine: keepalived's check daemon for LVS. It owns the kernel client, one {@link Pool} per virtual
 * server and one {@link RealServerMonitor} per checked real server; every health verdict, reload and VRRP change
 * is handled on its single thread, and each ends in one reconciliation of the kernel table.
 */
public final class IpvsEngine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IpvsEngine.class.getName());
    /** After a failed reconciliation (e.g. someone else changed the table meanwhile) the next try. */
    static final Duration RETRY = Duration.ofSeconds(5);
    /** Besides following every VRRP change, how often the sync daemon looks again (a failed switch is retried). */
    static final Duration VRRP_RETRY = Duration.ofSeconds(5);
    private static final Duration NOTIFY_TIMEOUT = Duration.ofSeconds(30);
    /** Plans up to this many changes are logged change by change; larger ones only as a summary (FINE has each). */
    private static final int LOGGED_ONE_BY_ONE = 50;

    private final IpvsKernel kernel;
    private final VrrpView vrrp;
    private final DoubleSupplier random;
    private final ScheduledExecutorService loop;
    private final ScheduledExecutorService scripts;
    private final NotifyCommands notify;
    private EventLoopGroup probes;
    private IpvsConfig config;
    private final List<Pool> pools = new ArrayList<>();
    private final List<List<RealServerMonitor>> monitors = new ArrayList<>();
    private final Set<ServiceKey> owned = new HashSet<>();
    private ScheduledFuture<?> retry;
    private ScheduledFuture<?> vrrpPoll;
    private Optional<Daemon> runningDaemon = Optional.empty();

    private IpvsEngine(IpvsKernel kernel, VrrpView vrrp, DoubleSupplier random) {
        this.kernel = kernel;
        this.vrrp = vrrp;
        this.random = random;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "vipgate-ipvs"));
        this.scripts = Executors.newScheduledThreadPool(2, r -> daemon(r, "vipgate-ipvs-script"));
        this.notify = new NotifyCommands(scripts, NOTIFY_TIMEOUT);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Programs the kernel for {@code config} and starts the health checks. Fails (releasing everything) when the
     * kernel cannot be programmed, e.g. with {@link vipgate.ipvs.netlink.IpvsNotAvailableException} when ip_vs is
     * missing.
     *
     * @param random uniform numbers in [0, 1) for the warmup delays
     */
    public static IpvsEngine start(IpvsConfig config, IpvsKernel kernel, VrrpView vrrp, DoubleSupplier random)
            throws IpvsException {
        IpvsEngine engine = new IpvsEngine(kernel, vrrp, random);
        try {
            engine.onLoop(() -> {
                engine.begin(config);
                return null;
            });
        } catch (IpvsException | RuntimeException e) {
            engine.shutdownThreads();
            kernel.close();
            throw e;
        }
        return engine;
    }

    private void begin(IpvsConfig first) throws IpvsException {
        Timeouts t = first.timeouts();
        if (t.tcp() != 0 || t.tcpFin() != 0 || t.udp() != 0) {
            kernel.execute(IpvsCodec.setTimeouts(t));
        }
        install(first, List.of());
        reconcile(); // the first one must succeed: a kernel that refuses is a start-up error
        startMonitors();
        if (first.syncDaemon().isPresent()) {
            vrrp.onChange(() -> {
                try {
                    loop.execute(this::followVrrp);
                } catch (RejectedExecutionException e) {
                    // this engine is closed; the VRRP engine goes on
                }
            });
            // the look at a fixed pace only catches what a change could not do (a kernel that refused a switch)
            vrrpPoll = loop.scheduleWithFixedDelay(this::followVrrp, 0, VRRP_RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Applies a new configuration: only the difference reaches the kernel; real servers kept keep their health. A
     * kernel that refuses a change is logged and retried, as after a health change.
     */
    public void reload(IpvsConfig next) {
        try {
            onLoop(() -> {
                if (!next.syncDaemon().equals(config.syncDaemon())) {
                    LOG.warning("sync-daemon changes take effect only after a restart");
                }
                List<Pool> previous = List.copyOf(pools);
                boolean inSync = retry == null || retry.isDone();
                stopMonitors();
                install(next, previous);
                if (inSync) {
                    reconcileChanges(previous.stream().map(Pool::desired).toList());
                } else {
                    reconcileOrRetry();
                }
                startMonitors();
                return null;
            });
        } catch (IpvsException e) {
            throw new IllegalStateException(e); // reconcileOrRetry does not throw
        }
    }

    /** The virtual servers and the health of their real servers. */
    public List<RealServerStatus> status() {
        try {
            return onLoop(() -> {
                List<RealServerStatus> out = new ArrayList<>();
                for (int p = 0; p < pools.size(); p++) {
                    Pool pool = pools.get(p);
                    List<RealServerStatus.RealServer> servers = new ArrayList<>();
                    for (int i = 0; i < pool.spec().realServers().size(); i++) {
                        CheckResult last = monitors.get(p).get(i) == null ? null : monitors.get(p).get(i).lastResult();
                        servers.add(new RealServerStatus.RealServer(pool.spec().realServers().get(i).toString(), pool.isAlive(i),
                                last == null ? (monitors.get(p).get(i) == null ? "not checked" : "not probed yet") : last.detail()));
                    }
                    out.add(new RealServerStatus(pool.spec().toString(), pool.hasQuorum(), servers));
                }
                return out;
            });
        } catch (IpvsException e) {
            throw new IllegalStateException(e); // status reads only memory
        }
    }

    /** Stops the checks, then removes vipgate's services (on-shutdown = remove) and the sync daemon it started. */
    @Override
    public void close() {
        try {
            onLoop(() -> {
                stopMonitors();
                cancel(retry);
                cancel(vrrpPoll);
                if (config.onShutdown() == IpvsConfig.OnShutdown.REMOVE) {
                    removeOwned();
                }
                if (runningDaemon.isPresent()) {
                    stopDaemon(runningDaemon.get());
                }
                return null;
            });
        } catch (IpvsException | RuntimeException e) {
            LOG.warning("ipvs shutdown: " + e.getMessage());
        } finally {
            shutdownThreads();
            kernel.close();
        }
    }

    // ---- on the loop thread

    private void install(IpvsConfig next, List<Pool> previous) {
        for (Pool p : pools) {
            owned.add(p.spec().service().key());
        }
        pools.clear();
        config = next;
        for (VirtualServerSpec spec : next.virtualServers()) {
            Pool pool = new Pool(spec);
            // keepalived on reload: a real server that stays keeps its verdict, a new one starts as configured
            previous.stream().filter(old -> old.spec().service().key().equals(spec.service().key())).findFirst()
                    .ifPresent(old -> carryOver(old, pool));
            pool.start().forEach(e -> notifyEvent(spec, e));
            pools.add(pool);
        }
    }

    private static void carryOver(Pool old, Pool pool) {
        List<RealServerSpec> before = old.spec().realServers();
        List<RealServerSpec> after = pool.spec().realServers();
        for (int i = 0; i < after.size(); i++) {
            for (int j = 0; j < before.size(); j++) {
                if (after.get(i).address().equals(before.get(j).address()) && after.get(i).port() == before.get(j).port()) {
                    pool.setAlive(i, old.isAlive(j));
                }
            }
        }
    }

    private void startMonitors() {
        for (int p = 0; p < pools.size(); p++) {
            Pool pool = pools.get(p);
            List<RealServerMonitor> list = new ArrayList<>();
            for (int i = 0; i < pool.spec().realServers().size(); i++) {
                RealServerSpec rs = pool.spec().realServers().get(i);
                if (!rs.check().enabled()) {
                    list.add(null);
                    continue;
                }
                int poolIndex = p;
                int rsIndex = i;
                Checker checker = Checker.newChecker(rs.check().probe(), new InetSocketAddress(rs.address(), rs.checkPort()),
                        probeLoops(), NioSocketChannel::new, scripts);
                RealServerMonitor monitor = new RealServerMonitor(checker, new CheckState(rs.check(), pool.isAlive(i)), loop,
                        (up, result) -> onVerdict(poolIndex, rsIndex, up, result));
                monitor.start(CheckState.firstDelay(rs.check().warmup(), random.getAsDouble()));
                list.add(monitor);
            }
            monitors.add(list);
        }
    }

    private EventLoopGroup probeLoops() {
        if (probes == null) {
            // One event loop: probes are a few connects a second at most.
            probes = new MultiThreadIoEventLoopGroup(1, (ThreadFactory) r -> daemon(r, "vipgate-ipvs-probe"),
                    NioIoHandler.newFactory());
        }
        return probes;
    }

    private void stopMonitors() {
        monitors.forEach(list -> list.stream().filter(m -> m != null).forEach(RealServerMonitor::stop));
        monitors.clear();
    }

    private void onVerdict(int poolIndex, int rsIndex, boolean up, CheckResult result) {
        Pool pool = pools.get(poolIndex);
        LOG.info(() -> "real server " + pool.spec().realServers().get(rsIndex) + " of " + pool.spec() + (up ? " up" : " down")
                + ": " + result.detail());
        pool.setAlive(rsIndex, up).forEach(e -> notifyEvent(pool.spec(), e));
        // only this service changes: read back and program just it, not the whole table
        try {
            apply(Reconciler.plan(List.of(pool.desired()), kernel.service(pool.desired().service()).stream().toList(),
                    Set.of()), System.nanoTime());
        } catch (IpvsException e) {
            retryAfter(e);
        }
    }

    private void notifyEvent(VirtualServerSpec spec, Pool.Event e) {
        RealServerSpec rs = spec.realServers().stream().filter(r -> r.toString().equals(e.realServer())).findFirst().orElse(null);
        switch (e.kind()) {
            case REAL_SERVER_UP -> notify.run(rs == null ? List.of() : rs.notifyUp(), "real server " + e.realServer() + " of " + spec + " up");
            case REAL_SERVER_DOWN -> notify.run(rs == null ? List.of() : rs.notifyDown(), "real server " + e.realServer() + " of " + spec + " down");
            case QUORUM_GAINED -> {
                LOG.info(() -> spec + " gained quorum");
                notify.run(spec.notifyQuorumUp(), spec + " quorum up");
            }
            case QUORUM_LOST -> {
                LOG.warning(() -> spec + " lost quorum" + (spec.sorryServer().isPresent() ? "; sorry server in" : ""));
                notify.run(spec.notifyQuorumDown(), spec + " quorum down");
            }
        }
    }

    private void reconcile() throws IpvsException {
        long started = System.nanoTime();
        apply(Reconciler.plan(pools.stream().map(Pool::desired).toList(), kernel.table(), owned), started);
        // what the previous configuration owned is gone now; what the current one wants stays owned through pools
        owned.clear();
    }

    /**
     * After a reload, when the kernel was in sync with {@code before}: reads back and programs only the services
     * whose desired state changed, appeared or went away, so a reload touching 1% of a large table costs 1% of
     * a full read-back. A failure falls back to a full reconciliation.
     */
    private void reconcileChanges(List<DesiredService> before) {
        long started = System.nanoTime();
        // what is left in gone after the loop is no longer wanted
        Map<ServiceKey, DesiredService> gone = new HashMap<>();
        before.forEach(d -> gone.put(d.service().key(), d));
        List<DesiredService> changed = new ArrayList<>();
        for (Pool pool : pools) {
            DesiredService d = pool.desired();
            if (!d.equals(gone.remove(d.service().key()))) {
                changed.add(d);
            }
        }
        try {
            List<KernelService> actual = new ArrayList<>();
            for (DesiredService d : changed) {
                kernel.service(d.service()).ifPresent(actual::add);
            }
            for (DesiredService d : gone.values()) {
                kernel.service(d.service()).ifPresent(actual::add);
            }
            apply(Reconciler.plan(changed, actual, gone.keySet()), started);
            owned.clear();
        } catch (IpvsException e) {
            retryAfter(e);
        }
    }

    private void apply(List<Operation> plan, long started) throws IpvsException {
        // every change is logged while they are few (a health verdict, a small reload); a large table is summed up
        Level each = plan.size() <= LOGGED_ONE_BY_ONE ? Level.INFO : Level.FINE;
        List<IpvsRequest> requests = plan.stream().map(Operation::request).toList();
        requests.forEach(r -> LOG.log(each, () -> "ipvs: " + r.describe()));
        kernel.executeAll(requests);
        if (!plan.isEmpty()) {
            LOG.info(() -> "ipvs: table reconciled in " + (System.nanoTime() - started) / 1_000_000 + " ms (" + summary(plan) + ")");
        }
    }

    /** "services added: 1000, real servers added: 10000": the plan counted by kind, in the plan's order. */
    static String summary(List<Operation> plan) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        plan.forEach(op -> counts.merge(kind(op.request().command()), 1, Integer::sum));
        return String.join(", ", counts.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList());
    }

    private static String kind(Command command) {
        return switch (command) {
            case NEW_SERVICE -> "services added";
            case SET_SERVICE -> "services changed";
            case DEL_SERVICE -> "services removed";
            case NEW_DEST -> "real servers added";
            case SET_DEST -> "real servers changed";
            case DEL_DEST -> "real servers removed";
            default -> command.name();
        };
    }

    private void reconcileOrRetry() {
        try {
            reconcile();
        } catch (IpvsException e) {
            retryAfter(e);
        }
    }

    /** After a failed reconciliation (e.g. someone else changed the table meanwhile): a full one, later. */
    private void retryAfter(IpvsException e) {
        LOG.warning("ipvs: " + e.getMessage() + "; reading the table again in " + RETRY.toSeconds() + "s");
        if (retry == null || retry.isDone()) {
            retry = loop.schedule(this::reconcileOrRetry, RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void removeOwned() throws IpvsException {
        for (KernelService k : kernel.table()) {
            Optional<Pool> pool = pools.stream().filter(p -> p.spec().service().key().equals(k.service().key())).findFirst();
            if (pool.isEmpty() && !owned.contains(k.service().key())) {
                continue;
            }
            kernel.execute(new Operation.DeleteService(k.service()).request());
            pool.filter(p -> p.spec().omega()).ifPresent(p -> {
                // keepalived omega: what goes away on shutdown is announced like a failure
                for (int i = 0; i < p.spec().realServers().size(); i++) {
                    if (p.isAlive(i)) {
                        notify.run(p.spec().realServers().get(i).notifyDown(), "real server " + p.spec().realServers().get(i)
                                + " of " + p.spec() + " removed");
                    }
                }
                notify.run(p.spec().notifyQuorumDown(), p.spec() + " removed");
            });
        }
    }

    private void followVrrp() {
        SyncDaemonSpec spec = config.syncDaemon().orElseThrow();
        Optional<Daemon.State> role = vrrp.role(spec.vrrpInstance());
        OptionalInt syncId = spec.syncId().isPresent() ? spec.syncId() : vrrp.virtualRouterId(spec.vrrpInstance());
        if (role.isEmpty() || syncId.isEmpty() || runningDaemon.map(Daemon::state).equals(role)) {
            return;
        }
        Daemon next = Daemon.of(role.get(), spec.interfaceName(), syncId.getAsInt());
        try {
            if (runningDaemon.isPresent()) {
                stopDaemon(runningDaemon.get());
            }
            kernel.execute(IpvsCodec.newDaemon(next));
            LOG.info(() -> "ipvs: " + next.state().name().toLowerCase() + " sync daemon on " + next.interfaceName()
                    + ", sync id " + next.syncId());
            runningDaemon = Optional.of(next);
        } catch (IpvsException e) {
            if (e.reason() == IpvsException.Reason.EXISTS) {
                runningDaemon = Optional.of(next); // left running by an earlier vipgate or by hand: adopt it
            } else {
                LOG.warning("ipvs: " + e.getMessage());
            }
        }
    }

    private void stopDaemon(Daemon daemon) throws IpvsException {
        try {
            kernel.execute(IpvsCodec.deleteDaemon(daemon));
        } catch (IpvsException e) {
            if (e.reason() != IpvsException.Reason.NO_SUCH_SERVICE) {
                throw e;
            }
        }
        runningDaemon = Optional.empty();
    }

    // ---- plumbing

    private <T> T onLoop(Callable<T> task) throws IpvsException {
        try {
            return loop.submit(task).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IpvsException ipvs) {
                throw ipvs;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the ipvs engine", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the ipvs engine did not answer within 30 s", e);
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    private void shutdownThreads() {
        loop.shutdownNow();
        scripts.shutdownNow();
        if (probes != null) {
            probes.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        }
    }
}
