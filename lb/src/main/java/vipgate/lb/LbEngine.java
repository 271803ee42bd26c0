package vipgate.lb;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import vipgate.config.HostPort;
import vipgate.lb.config.LbConfig;
import vipgate.lb.metrics.LbMetrics;
import vipgate.lb.metrics.MetricsReporter;
import vipgate.lb.proxy.BufferBudget;
import vipgate.lb.proxy.FrontendHandler;
import vipgate.lb.proxy.ProxyContext;
import vipgate.lb.proxy.ProxyInitializer;
import vipgate.lb.proxy.Routing;
import vipgate.transport.Transports;

/**
 * The lb engine: listeners, event loops and the routing snapshot they serve. {@link #reload} swaps the snapshot
 * atomically (requests in flight keep the one they started with; idle keep-alive connections stay open) and
 * opens or closes only the listeners whose addresses changed.
 */
public final class LbEngine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LbEngine.class.getName());

    private final Transports transports;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ProxyContext context;
    private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final Map<HostPort, Channel> listeners = new LinkedHashMap<>();
    private final UpstreamHealth health;
    private final LbMetrics metrics = new LbMetrics();
    private final MetricsReporter reporter;
    private LbConfig config;
    private volatile boolean stopped;

    private LbEngine(LbConfig config, Transports transports) {
        // first: a server's TLS the library refuses then leaves no event loop running
        Routing routing = Routing.compile(config, Map.of(), metrics);
        this.config = config;
        this.transports = transports;
        this.boss = transports.newGroup(1, "vipgate-accept");
        this.workers = transports.newGroup(config.eventLoops(), "vipgate-lb");
        this.health = new UpstreamHealth(workers, transports.clients());
        this.context = new ProxyContext(transports.clients(), routing, metrics, new BufferBudget(clients, config.maxBufferMemory()));
        this.reporter = new MetricsReporter(metrics);
    }

    /** Binds every listener of the config; fails (and releases everything) when one cannot be bound. */
    public static LbEngine start(LbConfig config) {
        Transports transports = Transports.choose(config.transport());
        LbEngine engine = new LbEngine(config, transports);
        try {
            engine.health.apply(engine.context.routing().upstreams().values());
            engine.context.accessLog().apply(config.accessLog());
            engine.bindMissing(engine.context.routing().router().bindAddresses());
            engine.reporter.apply(config.metrics());
            // a box without listeners (an LVS director, seed 004) has no proxy to warm up
            if (config.warmup() && !engine.context.routing().router().bindAddresses().isEmpty()) {
                Warmup.inBackground(engine.boss, engine.workers, transports, (c, m) -> Routing.compile(c, Map.of(), m));
            }
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        LOG.info(() -> "lb engine started: transport " + transports.kind().name().toLowerCase() + " (" + transports.whyChosen()
                + "), " + engine.workerCount() + " event loops, " + (engine.context.budget().limit() >> 20)
                + " MiB of direct memory for buffers, listening on " + engine.listeners.keySet());
        return engine;
    }

    private int workerCount() {
        int n = 0;
        for (var ignored : workers) {
            n++;
        }
        return n;
    }

    public synchronized LbConfig config() {
        return config;
    }

    /**
     * Whether this engine serves: it listens and at least one upstream has a server that is up, healthy and not
     * resting after failures. The vrrp engine's track-lb follows this, so the VIP leaves a box whose proxy cannot
     * answer.
     */
    public boolean isServing() {
        synchronized (this) {
            if (stopped || listeners.isEmpty() || listeners.values().stream().noneMatch(Channel::isActive)) {
                return false;
            }
        }
        long now = System.nanoTime();
        return context.routing().upstreams().values().stream()
                .anyMatch(g -> g.peers().stream().anyMatch(p -> !p.isDown() && p.isHealthy() && p.isAvailable(now)));
    }

    public ProxyContext context() {
        return context;
    }

    public LbMetrics metrics() {
        return metrics;
    }

    public Transports transports() {
        return transports;
    }

    /** The addresses actually bound (with the real port when the config said 0). */
    public synchronized List<InetSocketAddress> boundAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        listeners.values().forEach(c -> out.add((InetSocketAddress) c.localAddress()));
        return out;
    }

    /**
     * Applies a new configuration without dropping connections. The new listeners are bound first; if one
     * fails, or the TLS library refuses a server's TLS, nothing changes and the error is thrown so the caller keeps
     * the old config. TLS connections keep the certificates they were made with; new ones get the new.
     */
    public synchronized void reload(LbConfig next) {
        if (!next.transport().equals(config.transport()) || next.eventLoops() != config.eventLoops()) {
            LOG.warning("transport and event-loops changes take effect only after a restart");
        }
        Routing routing = Routing.compile(next, context.routing(), metrics);
        Set<HostPort> wanted = routing.router().bindAddresses();
        List<HostPort> added = bindMissing(wanted);
        context.routing(routing);
        context.budget().limit(next.maxBufferMemory());
        health.apply(routing.upstreams().values());
        for (HostPort old : new ArrayList<>(listeners.keySet())) {
            if (!wanted.contains(old)) {
                listeners.remove(old).close();
                LOG.info(() -> "stopped listening on " + old);
            }
        }
        config = next;
        context.accessLog().apply(next.accessLog());
        retainMetrics(next);
        reporter.apply(next.metrics());
        LOG.info(() -> "configuration reloaded: " + routing.upstreams().size() + " upstreams, listening on " + listeners.keySet()
                + (added.isEmpty() ? "" : " (new: " + added + ")"));
    }

    /** Series of listeners and servers the new config dropped disappear from /metrics; the rest keep counting. */
    private void retainMetrics(LbConfig next) {
        Set<String> listenerNames = new HashSet<>();
        next.servers().forEach(vs -> vs.listen().forEach(hp -> listenerNames.add(hp.toString())));
        Map<String, Set<String>> servers = new HashMap<>();
        context.routing().upstreams().forEach((name, g) -> {
            Set<String> addresses = new HashSet<>();
            g.peers().forEach(p -> addresses.add(p.name()));
            servers.put(name, addresses);
        });
        metrics.retain(listenerNames, servers);
    }

    private List<HostPort> bindMissing(Set<HostPort> wanted) {
        List<HostPort> added = new ArrayList<>();
        try {
            for (HostPort hp : wanted) {
                if (!listeners.containsKey(hp)) {
                    listeners.put(hp, bind(hp));
                    added.add(hp);
                }
            }
        } catch (RuntimeException e) {
            added.forEach(hp -> listeners.remove(hp).close());
            throw e;
        }
        return added;
    }

    private Channel bind(HostPort hp) {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channelFactory(transports.servers())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ProxyInitializer(context, clients, metrics.listener(hp.toString())));
        try {
            return b.bind(hp.resolve()).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on " + hp + ": " + e.getMessage()
                    + " (is another process using the port, or is the address not on this host?)", e);
        }
    }

    /**
     * Stops accepting, lets requests in flight finish for at most {@code drain}, then closes everything.
     * Idle keep-alive connections are closed at once.
     */
    public void shutdown(Duration drain) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            listeners.values().forEach(Channel::close);
            listeners.clear();
        }
        health.stop();
        reporter.close();
        clients.forEach(c -> c.pipeline().fireUserEventTriggered(FrontendHandler.DRAIN));
        long deadline = System.nanoTime() + drain.toNanos();
        while (!clients.isEmpty() && System.nanoTime() < deadline) {
            clients.newCloseFuture().awaitUninterruptibly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        if (!clients.isEmpty()) {
            LOG.warning(() -> clients.size() + " connections still busy after the " + drain.toSeconds() + "s drain; closing them");
        }
        clients.close().awaitUninterruptibly();
        context.pools().forEach((loop, pool) -> loop.execute(pool::closeAll));
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        // after the event loops ended: requests cut by the stop were logged too
        context.accessLog().close();
        LOG.info("lb engine stopped");
    }

    @Override
    public void close() {
        shutdown(config.shutdownDrain());
    }
}
