package vipgate.stream;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.uring.IoUring;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import vipgate.config.HostPort;
import vipgate.stream.config.StreamConfig;
import vipgate.stream.metrics.StreamMetrics;
import vipgate.stream.proxy.Connector;
import vipgate.stream.proxy.NettyConnector;
import vipgate.stream.proxy.Routes;
import vipgate.stream.proxy.SessionInitializer;
import vipgate.transport.Transport;
import vipgate.transport.Transports;

/**
 * The stream engine (nginx {@code stream {}}): TCP listeners, their event loops and the routing snapshot they serve.
 * {@link #reload} swaps the snapshot (established sessions keep the route they started with) and opens or closes
 * only the listeners whose addresses changed.
 */
public final class StreamEngine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StreamEngine.class.getName());

    private final Transports transports;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Connector connector;
    private final ChannelGroup sessions = new DefaultChannelGroup("stream-sessions", GlobalEventExecutor.INSTANCE);
    private final Map<HostPort, Channel> listeners = new LinkedHashMap<>();
    private final StreamMetrics metrics = new StreamMetrics();
    private volatile Routes routes;
    private StreamConfig config;
    private boolean stopped;

    private StreamEngine(StreamConfig config, Transports transports) {
        this.config = config;
        this.transports = transports;
        this.boss = transports.newGroup(1, "vipgate-stream-accept");
        this.workers = transports.newGroup(config.eventLoops(), "vipgate-stream");
        this.connector = new NettyConnector(transports.clients());
    }

    /**
     * Binds every listener of the config; fails (and releases everything) when one cannot be bound or a server's
     * name does not resolve.
     */
    public static StreamEngine start(StreamConfig config) {
        // auto never picks epoll here: its half-close loses data (see reference.conf)
        Transports transports = Transports.choose(config.transport() != Transport.AUTO ? config.transport()
                : IoUring.isAvailable() ? Transport.IO_URING : Transport.NIO);
        StreamEngine engine = new StreamEngine(config, transports);
        try {
            engine.routes = Routes.compile(config, Map.of(), System::nanoTime, engine.metrics);
            engine.bindMissing(engine.routes.bindAddresses());
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        LOG.info(() -> "stream engine started: transport " + transports.kind().name().toLowerCase() + " ("
                + (config.transport() == Transport.AUTO ? "auto: io_uring if available, else nio" : "configured")
                + "), listening on " + engine.listeners.keySet());
        return engine;
    }

    public synchronized StreamConfig config() {
        return config;
    }

    /** The routing new sessions get. */
    public Routes routes() {
        return routes;
    }

    /** Sessions open now (client connections accepted and not yet closed). */
    public int sessions() {
        return sessions.size();
    }

    /** The addresses actually bound (with the real port when the config said 0). */
    public synchronized List<InetSocketAddress> boundAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        listeners.values().forEach(c -> out.add((InetSocketAddress) c.localAddress()));
        return out;
    }

    /**
     * Applies a new configuration: new sessions use its upstreams, established ones keep theirs. New listeners are
     * bound first; if one fails, nothing changes and the error is thrown so the caller keeps the old config.
     */
    public synchronized void reload(StreamConfig next) {
        if (!next.transport().equals(config.transport()) || next.eventLoops() != config.eventLoops()) {
            LOG.warning("stream: transport and event-loops changes take effect only after a restart");
        }
        Routes compiled = Routes.compile(next, routes.upstreams(), System::nanoTime, metrics);
        Set<HostPort> wanted = compiled.bindAddresses();
        List<HostPort> added = bindMissing(wanted);
        routes = compiled;
        for (HostPort old : new ArrayList<>(listeners.keySet())) {
            if (!wanted.contains(old)) {
                listeners.remove(old).close();
                LOG.info(() -> "stream: stopped listening on " + old);
            }
        }
        config = next;
        retainMetrics(compiled);
        LOG.info(() -> "stream configuration reloaded: " + compiled.upstreams().size() + " upstreams, listening on "
                + listeners.keySet() + (added.isEmpty() ? "" : " (new: " + added + ")"));
    }

    /** Series of listeners and servers the new config dropped disappear from /metrics; the rest keep counting. */
    private void retainMetrics(Routes compiled) {
        Set<String> listenerNames = new HashSet<>();
        compiled.bindAddresses().forEach(hp -> listenerNames.add(hp.toString()));
        Set<List<String>> servers = new HashSet<>();
        compiled.upstreams().forEach((name, u) -> u.peers().forEach(p -> servers.add(List.of(name, p.name()))));
        metrics.retain(listenerNames, servers);
    }

    public StreamMetrics metrics() {
        return metrics;
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
                // a client's FIN is passed on to its server, which may still answer (see Session)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new SessionInitializer(hp, () -> routes, connector, sessions, System::nanoTime,
                        metrics.listener(hp.toString())));
        try {
            return b.bind(hp.resolve()).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new IllegalStateException("stream: cannot listen on " + hp + ": " + e.getMessage()
                    + " (is another process using the port, or is the address not on this host?)", e);
        }
    }

    /** Stops accepting and closes every session. */
    @Override
    public void close() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            // awaited: once close returns, the port is free (a restart or another engine may bind it)
            listeners.values().forEach(c -> c.close().syncUninterruptibly());
            listeners.clear();
        }
        sessions.close().awaitUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        LOG.info("stream engine stopped");
    }
}
