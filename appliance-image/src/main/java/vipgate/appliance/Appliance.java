package vipgate.appliance;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;
import vipgate.appliance.admin.AdminServer;
import vipgate.appliance.metrics.IpvsMetrics;
import vipgate.appliance.metrics.MetricsPage;
import vipgate.appliance.metrics.StatusText;
import vipgate.config.ConfigException;
import vipgate.ipvs.engine.IpvsEngine;
import vipgate.ipvs.engine.RealServerMode;
import vipgate.ipvs.engine.RealServerStatus;
import vipgate.ipvs.engine.VrrpView;
import vipgate.ipvs.netlink.Daemon;
import vipgate.ipvs.netlink.IpvsClient;
import vipgate.lb.LbEngine;
import vipgate.lb.OutOfMemory;
import vipgate.lb.metrics.LbMetrics;
import vipgate.lb.metrics.ListenerMetrics;
import vipgate.lb.metrics.ServerMetrics;
import vipgate.lb.metrics.StatusClasses;
import vipgate.lb.metrics.UpstreamFailure;
import vipgate.balance.Peer;
import vipgate.stream.StreamEngine;
import vipgate.stream.config.StreamConfig;
import vipgate.vrrp.engine.InstanceStatus;
import vipgate.vrrp.notify.NotifyEvent;
import vipgate.vrrp.engine.VrrpEngine;
import vipgate.vrrp.state.State;

/** The running appliance: its engines, its admin API and the config they run on. */
public final class Appliance implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Appliance.class.getName());

    private final Optional<Path> file;
    private volatile ApplianceConfig config;
    private final LbEngine lb;
    /** Null while the config has no vipgate.stream servers: no event loops for an engine that serves nothing. */
    private StreamEngine stream;
    /** Null when the config has no vrrp instances (a single box, or a box behind another HA layer). */
    private final VrrpEngine vrrp;
    /** Null when the config has no ipvs virtual servers and no sync daemon: then the kernel needs no ip_vs. */
    private final IpvsEngine ipvs;
    /** The kernel's IPVS counters for /metrics, read through the ipvs engine's client; empty without the engine. */
    private final Optional<IpvsMetrics> ipvsMetrics;
    /** Null unless vipgate.ipvs.real-server-mode lists VIPs (this box is a DR real server). */
    private final RealServerMode realServerMode;
    private final AdminServer admin;

    private Appliance(Optional<Path> file, ApplianceConfig config, LbEngine lb, StreamEngine stream, VrrpEngine vrrp,
            IpvsEngine ipvs, IpvsClient ipvsKernel, RealServerMode realServerMode) {
        this.file = file;
        this.config = config;
        this.lb = lb;
        this.stream = stream;
        this.vrrp = vrrp;
        this.ipvs = ipvs;
        this.ipvsMetrics = ipvs == null ? Optional.empty() : Optional.of(new IpvsMetrics(ipvsKernel::table));
        this.realServerMode = realServerMode;
        this.admin = new AdminServer(this, config.admin());
    }

    public static Appliance start(Optional<Path> file, ApplianceConfig config) {
        LbEngine lb = LbEngine.start(config.lb());
        StreamEngine stream = null;
        VrrpEngine vrrp = null;
        IpvsEngine ipvs = null;
        IpvsClient ipvsKernel = null;
        RealServerMode realServerMode = null;
        try {
            stream = startStream(config.stream());
            // the proxies listen before this box may claim the VIP
            vrrp = config.vrrp().instances().isEmpty() ? null : VrrpEngine.start(config.vrrp(), lb::isServing);
            // out of memory: priority 0 (the backup takes the VIP now, not after the master-down interval), then exit
            OutOfMemory.install(vrrp == null ? () -> { } : vrrp::close);
            if (!config.ipvs().isEmpty()) {
                ipvsKernel = IpvsClient.open();
                ipvs = startIpvs(config, ipvsKernel, vrrp);
            }
            realServerMode = config.ipvs().realServerMode().enabled()
                    ? RealServerMode.apply(config.ipvs().realServerMode(), Path.of("/proc/sys")) : null;
            Appliance a = new Appliance(file, config, lb, stream, vrrp, ipvs, ipvsKernel, realServerMode);
            a.admin.start();
            LOG.info(() -> "vipgate node '" + config.nodeName() + "' running on " + config.source() + "; admin API on http://"
                    + config.adminListen());
            return a;
        } catch (java.io.IOException e) {
            throw closeAll(lb, stream, vrrp, ipvs, realServerMode, new IllegalStateException(e.getMessage(), e));
        } catch (RuntimeException e) {
            throw closeAll(lb, stream, vrrp, ipvs, realServerMode, e);
        }
    }

    private static RuntimeException closeAll(LbEngine lb, StreamEngine stream, VrrpEngine vrrp, IpvsEngine ipvs,
            RealServerMode realServerMode, RuntimeException e) {
        if (realServerMode != null) {
            realServerMode.close();
        }
        if (ipvs != null) {
            ipvs.close();
        }
        if (vrrp != null) {
            vrrp.close();
        }
        if (stream != null) {
            stream.close();
        }
        lb.shutdown(java.time.Duration.ZERO);
        return e;
    }

    private static StreamEngine startStream(StreamConfig config) {
        return config.servers().isEmpty() ? null : StreamEngine.start(config);
    }

    /**
     * Runs the engine on {@code kernel}, which the engine closes, also when it cannot start. (The client is opened in
     * {@link #start}, where "IPVS not available in this kernel: ..." becomes an IllegalStateException as well; the
     * appliance keeps it to read the counters for /metrics.)
     *
     * @throws IllegalStateException when the kernel refuses the configuration
     */
    private static IpvsEngine startIpvs(ApplianceConfig config, IpvsClient kernel, VrrpEngine vrrp) {
        try {
            return IpvsEngine.start(config.ipvs(), kernel, vrrpView(vrrp),
                    () -> ThreadLocalRandom.current().nextDouble());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The VRRP roles the ipvs sync daemon follows, read from the vrrp engine's status. */
    private static VrrpView vrrpView(VrrpEngine vrrp) {
        if (vrrp == null) {
            return VrrpView.NONE;
        }
        return new VrrpView() {
            @Override
            public Optional<Daemon.State> role(String instance) {
                return vrrp.status().stream().filter(i -> i.name().equals(instance)).findFirst()
                        .flatMap(i -> i.state() == State.MASTER ? Optional.of(Daemon.State.MASTER)
                                : i.state() == State.BACKUP ? Optional.of(Daemon.State.BACKUP) : Optional.empty());
            }

            @Override
            public OptionalInt virtualRouterId(String instance) {
                return vrrp.status().stream().filter(i -> i.name().equals(instance)).mapToInt(InstanceStatus::vrid).findFirst();
            }

            @Override
            public void onChange(Runnable listener) {
                vrrp.addTransitionListener(listener);
            }
        };
    }

    public ApplianceConfig config() {
        return config;
    }

    public LbEngine lb() {
        return lb;
    }

    /** The stream engine, empty while the config has no vipgate.stream servers. */
    public synchronized Optional<StreamEngine> stream() {
        return Optional.ofNullable(stream);
    }

    /**
     * Re-reads the config file and applies it. A config with errors is refused and the running one stays; the
     * problems are thrown to the caller (the admin API or the SIGHUP handler) to report.
     */
    public synchronized ApplianceConfig reload() {
        ApplianceConfig next;
        try {
            next = ApplianceConfig.load(file);
        } catch (ConfigException e) {
            LOG.warning("reload refused, still running the previous configuration:\n" + e.getMessage());
            throw e;
        }
        if (!next.admin().equals(config.admin())) {
            LOG.warning("vipgate.admin changes take effect only after a restart");
        }
        if (!next.vrrp().equals(config.vrrp())) {
            LOG.warning("vrrp changes take effect only after a restart (restarting the instances here would move the VIP)");
        }
        try {
            lb.reload(next.lb());
        } catch (IllegalStateException e) {
            // e.g. a new listen address that cannot be bound; the lb engine left everything as it was
            LOG.warning("reload refused, still running the previous configuration:\n" + e.getMessage());
            throw e;
        }
        try {
            if (stream != null) {
                stream.reload(next.stream());
            } else {
                stream = startStream(next.stream());
            }
        } catch (IllegalStateException | IllegalArgumentException e) {
            // a listen address that cannot be bound, a server name that does not resolve: the stream engine kept its
            // configuration, the lb one already runs the new one
            LOG.warning("stream reload refused, its previous configuration keeps running:\n" + e.getMessage());
            throw e;
        }
        if (ipvs != null) {
            ipvs.reload(next.ipvs());
        } else if (!next.ipvs().isEmpty()) {
            LOG.warning("ipvs virtual servers added to a box that started without any take effect only after a restart");
        }
        if (!next.ipvs().realServerMode().equals(config.ipvs().realServerMode())) {
            LOG.warning("ipvs.real-server-mode changes take effect only after a restart");
        }
        config = next;
        return next;
    }

    /**
     * A planned VRRP handover (POST /vrrp/handover, `vipgate handover`): per instance that was master, whether its
     * backup took over; see {@link VrrpEngine#handover}. Blocks up to a master-down interval.
     */
    public Map<String, Boolean> handover() {
        return vrrp == null ? Map.of() : vrrp.handover();
    }

    /** Everything the appliance knows, as JSON for GET /status and `vipgate status`. */
    public String statusJson() {
        Json j = new Json().beginObject()
                .field("node", config.nodeName())
                .field("config", config.source())
                .beginObject("lb")
                .field("transport", lb.transports().kind().name().toLowerCase())
                .field("requests", lb.context().requestCount())
                .field("retries", lb.context().retryCount())
                .field("error-responses", lb.context().errorResponseCount());
        Map<String, LbMetrics.Distribution> latency = new HashMap<>();
        lb.metrics().distributions().forEach(d -> latency.put(d.name(), d));
        j.beginArray("listeners");
        lb.boundAddresses().forEach(a -> j.beginObject().field("address", hostPort(a)).endObject());
        j.endArray();
        j.beginArray("listener-stats");
        for (ListenerMetrics l : lb.metrics().listeners()) {
            j.beginObject().field("listener", l.address())
                    .field("connections", l.connectionsActive())
                    .field("accepted", l.connectionsAccepted())
                    .field("bytes-in", l.bytesIn())
                    .field("bytes-out", l.bytesOut());
            responses(j, l.responses());
            percentiles(j, latency.get("listener." + l.address() + ".request"));
            j.endObject();
        }
        j.endArray();
        j.beginArray("upstreams");
        lb.context().routing().upstreams().values().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(g -> {
            j.beginObject().field("name", g.name()).field("algorithm", g.spec().algorithm().name().toLowerCase().replace('_', '-'))
                    .field("retries", g.metrics().retries())
                    .field("no-server-available", g.metrics().unavailable());
            j.beginArray("servers");
            long now = System.nanoTime();
            for (Peer p : g.peers()) {
                j.beginObject()
                        .field("address", p.name())
                        .field("state", p.isDown() ? "down" : !p.isHealthy() ? "unhealthy" : p.isAvailable(now) ? "up" : "failed")
                        .field("weight", p.weight())
                        .field("effective-weight", p.effectiveWeight())
                        .field("fails", p.fails())
                        .field("active", p.conns())
                        .field("backup", p.isBackup())
                        .field("healthy", p.isHealthy());
                ServerMetrics m = g.metrics(p);
                j.field("open-connections", m.openConnections()).field("idle-connections", m.idleConnections());
                responses(j, m.responses());
                j.beginObject("failures");
                for (UpstreamFailure f : UpstreamFailure.values()) {
                    j.field(f.label().replace('_', '-'), m.failures(f));
                }
                j.endObject();
                percentiles(j, latency.get("server." + g.name() + "." + p.name() + ".request"));
                j.endObject();
            }
            j.endArray().endObject();
        });
        j.endArray().endObject();
        if (vrrp != null) {
            j.beginArray("vrrp");
            for (InstanceStatus i : vrrp.status()) {
                j.beginObject()
                        .field("instance", i.name())
                        .field("interface", i.iface())
                        .field("vrid", i.vrid())
                        .field("state", i.state().name())
                        .field("priority", i.configuredPriority())
                        .field("effective-priority", i.effectivePriority())
                        .field("master", i.master().orElse(""))
                        .field("adverts-received", i.advertsReceived())
                        .field("adverts-sent", i.advertsSent())
                        .field("vips-restored", i.vipsRestored());
                j.beginObject("dropped");
                i.dropped().forEach((reason, count) -> j.field(reason.name().toLowerCase().replace('_', '-'), count));
                j.endObject().endObject();
            }
            j.endArray();
        }
        if (ipvs != null) {
            j.beginArray("ipvs");
            for (RealServerStatus vs : ipvs.status()) {
                j.beginObject().field("service", vs.service()).field("quorum", vs.quorum()).beginArray("real-servers");
                for (RealServerStatus.RealServer rs : vs.realServers()) {
                    j.beginObject().field("address", rs.address()).field("state", rs.up() ? "up" : "down")
                            .field("last-probe", rs.lastProbe()).endObject();
                }
                j.endArray().endObject();
            }
            j.endArray();
        }
        return j.endObject().toString();
    }

    /** The readable status tables of `vipgate status` (GET /status?format=text). */
    public String statusText() {
        return StatusText.render(config.nodeName(), config.source(), lb, vrrp == null ? List.of() : vrrp.status());
    }

    /** The Prometheus exposition of every engine's metrics, for GET /metrics. */
    public String metricsText() {
        return MetricsPage.render(lb, stream().map(StreamEngine::metrics), vrrp == null ? List.of() : vrrp.status(), ipvsMetrics);
    }

    /** The latency histograms' names, e.g. "listener.0.0.0.0:80.request", "server.web.10.0.0.1:80.response". */
    public List<String> histogramNames() {
        return lb.metrics().distributions().stream().map(LbMetrics.Distribution::name).toList();
    }

    /** A histogram's percentile distribution since start, in milliseconds, as HdrHistogram prints it. */
    public Optional<String> histogramText(String name) {
        return lb.metrics().distribution(name).map(d -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            out.println("# " + name + ": latency in milliseconds since start");
            d.total().outputPercentileDistribution(out, 1000.0);
            return bytes.toString(StandardCharsets.UTF_8);
        });
    }

    private static void responses(Json j, StatusClasses responses) {
        j.beginObject("responses");
        for (int c = 1; c <= 5; c++) {
            j.field(c + "xx", responses.get(c));
        }
        j.endObject();
    }

    /** Latency over the last metrics interval, in milliseconds; absent when nothing was recorded in it. */
    private static void percentiles(Json j, LbMetrics.Distribution d) {
        if (d == null || d.interval().getTotalCount() == 0) {
            return;
        }
        j.beginObject("latency-ms");
        for (double p : new double[] {50, 90, 99, 99.9}) {
            j.field("p" + (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p)),
                    d.interval().getValueAtPercentile(p) / 1000.0);
        }
        j.field("max", d.interval().getMaxValue() / 1000.0).endObject();
    }

    /**
     * The ordered stream of VRRP transitions (keepalived's notify FIFO, as JSON): what notify scripts saw, in the
     * order it happened, even when scripts ran late.
     */
    public String eventsJson() {
        Json j = new Json().beginObject().beginArray("events");
        if (vrrp != null) {
            for (NotifyEvent e : vrrp.events()) {
                j.beginObject()
                        .field("at", e.at().toString())
                        .field("scope", e.scope().name())
                        .field("name", e.name())
                        .field("state", e.kind().name())
                        .field("priority", e.priority())
                        .endObject();
            }
        }
        return j.endArray().endObject().toString();
    }

    /** "127.0.0.1:8080" or "[::1]:8080", as written in the config (InetSocketAddress.toString gives "/127.0.0.1:8080"). */
    private static String hostPort(java.net.InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    @Override
    public void close() {
        if (vrrp != null) {
            // priority 0 before anything else, and the VIPs kept (and served) until the backup holds them
            vrrp.close();
        }
        if (ipvs != null) {
            // after the VIP has left: the backup serves while this box's services go
            ipvs.close();
        }
        if (realServerMode != null) {
            realServerMode.close();
        }
        admin.close();
        lb.shutdown(config.lb().shutdownDrain());
        // after the lb drain: TCP sessions are served until then
        synchronized (this) {
            if (stream != null) {
                stream.close();
            }
        }
    }
}
