package vipgate.lb.proxy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import vipgate.lb.config.BufferingSpec;
import vipgate.lb.config.ClientSpec;
import vipgate.lb.config.LbConfig;
import vipgate.lb.config.LocationSpec;
import vipgate.lb.config.TlsSpec;
import vipgate.lb.config.UpstreamSpec;
import vipgate.lb.config.VirtualServerSpec;
import vipgate.lb.http.ErrorPages;
import vipgate.lb.http.HeaderRewrite;
import vipgate.lb.metrics.LbMetrics;
import vipgate.lb.route.Location;
import vipgate.lb.route.Router;
import vipgate.lb.route.VirtualHost;
import vipgate.lb.tls.ServerTls;

/** Everything a request needs from the configuration, swapped as one immutable snapshot on reload. */
public record Routing(Router router, Map<String, UpstreamGroup> upstreams, ClientSpec client,
        BufferingSpec buffering, Map<TlsSpec, ServerTls> tls) {

    /** Builds the snapshot of {@code config}, reusing running upstream groups whose spec did not change. */
    public static Routing compile(LbConfig config, Map<String, UpstreamGroup> running, LbMetrics metrics) {
        return compile(config, running, Map.of(), metrics);
    }

    /**
     * Builds the snapshot of {@code config}, reusing running upstream groups and server TLS whose spec (for TLS: the
     * certificates too) did not change, so their session caches and ticket keys live on.
     *
     * @throws IllegalStateException when the TLS library refuses a server's TLS
     */
    public static Routing compile(LbConfig config, Map<String, UpstreamGroup> running, Map<TlsSpec, ServerTls> runningTls,
            LbMetrics metrics) {
        Map<String, UpstreamGroup> groups = new HashMap<>();
        for (UpstreamSpec spec : config.upstreams().values()) {
            UpstreamGroup old = running.get(spec.name());
            groups.put(spec.name(), old != null && old.spec().equals(spec) ? old : new UpstreamGroup(spec, metrics));
        }
        List<VirtualHost> hosts = new ArrayList<>();
        Map<TlsSpec, ServerTls> tls = new HashMap<>();
        for (VirtualServerSpec vs : config.servers()) {
            ServerTls serverTls = vs.tls().map(spec -> tls.computeIfAbsent(spec,
                    s -> runningTls.containsKey(s) ? runningTls.get(s) : ServerTls.build(s))).orElse(null);
            List<Location> locations = new ArrayList<>();
            for (LocationSpec l : vs.locations()) {
                locations.add(new Location(l.path(), l.exact(), l.upstream(), HeaderRewrite.of(l.requestHeaders()),
                        HeaderRewrite.of(l.responseHeaders())));
            }
            hosts.add(new VirtualHost(vs.listen(), vs.serverNames(), vs.isDefault(), locations, ErrorPages.load(vs.errorPages()),
                    serverTls));
        }
        return new Routing(new Router(hosts), Map.copyOf(groups), config.client(), config.buffering(), Map.copyOf(tls));
    }
}

