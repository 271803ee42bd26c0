package vipgate.lb;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Logger;
import vipgate.health.CheckResult;
import vipgate.health.Checker;
import vipgate.health.HealthCheckSpec;
import vipgate.health.HealthListener;
import vipgate.health.HealthMonitor;
import vipgate.lb.metrics.ServerMetrics;
import vipgate.lb.proxy.UpstreamGroup;
import vipgate.balance.Peer;

/**
 * Active health checks of upstream servers: one monitor per server of every group whose health-check is
 * enabled. A failing server is skipped by its balancer (as if down) until it rises again. Monitors of a
 * group live exactly as long as the group: a reload that keeps the group keeps its monitors and their state.
 */
final class UpstreamHealth {
    private static final Logger LOG = Logger.getLogger(UpstreamHealth.class.getName());

    private final EventLoopGroup loops;
    private final ChannelFactory<? extends Channel> channels;
    private final Map<UpstreamGroup, List<HealthMonitor>> monitors = new IdentityHashMap<>();
    private ScheduledExecutorService scripts;

    UpstreamHealth(EventLoopGroup loops, ChannelFactory<? extends Channel> channels) {
        this.loops = loops;
        this.channels = channels;
    }

    synchronized void apply(Collection<UpstreamGroup> groups) {
        Map<UpstreamGroup, Boolean> wanted = new IdentityHashMap<>();
        groups.forEach(g -> wanted.put(g, Boolean.TRUE));
        monitors.entrySet().removeIf(e -> {
            if (!wanted.containsKey(e.getKey())) {
                e.getValue().forEach(HealthMonitor::stop);
                return true;
            }
            return false;
        });
        for (UpstreamGroup group : groups) {
            HealthCheckSpec spec = group.spec().healthCheck();
            if (!spec.enabled() || monitors.containsKey(group)) {
                continue;
            }
            monitors.put(group, group.peers().stream().map(peer -> monitor(group, peer, spec)).toList());
        }
    }

    private HealthMonitor monitor(UpstreamGroup group, Peer peer, HealthCheckSpec spec) {
        Checker checker = Checker.newChecker(spec, peer.address(), loops, channels, scriptExecutor());
        ServerMetrics metrics = group.metrics(peer);
        HealthMonitor m = new HealthMonitor(checker, spec.interval(), spec.rise(), spec.fall(), true, loops.next(),
                new HealthListener() {
                    @Override
                    public void onChange(boolean healthy, CheckResult last) {
                        peer.setHealthy(healthy);
                        LOG.warning(() -> "upstream '" + group.name() + "' server " + peer.name() + " is now "
                                + (healthy ? "UP" : "DOWN") + " (" + last.detail() + ")");
                    }

                    @Override
                    public void onProbe(CheckResult result) {
                        metrics.healthCheckTime().recordNanos(result.latencyNanos());
                    }
                });
        m.start();
        return m;
    }

    private ScheduledExecutorService scriptExecutor() {
        if (scripts == null) {
            scripts = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "vipgate-health-scripts");
                t.setDaemon(true);
                return t;
            });
        }
        return scripts;
    }

    synchronized void stop() {
        monitors.values().forEach(list -> list.forEach(HealthMonitor::stop));
        monitors.clear();
        if (scripts != null) {
            scripts.shutdownNow();
        }
    }
}
