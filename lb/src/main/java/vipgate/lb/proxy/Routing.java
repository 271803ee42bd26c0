package vipgate.lb.proxy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vipgate.lb.config.BufferingSpec;
import vipgate.lb.config.ClientSpec;
import vipgate.lb.config.LbConfig;
import vipgate.lb.config.LocationSpec;
import vipgate.lb.config.RewriteSpec;
import vipgate.lb.config.TlsSpec;
import vipgate.lb.config.UpstreamSpec;
import vipgate.lb.config.VirtualServerSpec;
import vipgate.lb.http.AccessRules;
import vipgate.lb.http.Cidr;
import vipgate.lb.http.ErrorPages;
import vipgate.lb.http.RealIp;
import vipgate.lb.http.Template;
import vipgate.lb.limit.LimitZones;
import vipgate.lb.http.HeaderRewrite;
import vipgate.lb.metrics.LbMetrics;
import vipgate.lb.route.Location;
import vipgate.lb.route.LocationPath;
import vipgate.lb.route.NginxMap;
import vipgate.lb.route.NginxRegex;
import vipgate.lb.route.Return;
import vipgate.lb.route.Rewrite;
import vipgate.lb.route.Router;
import vipgate.lb.route.VirtualHost;
import vipgate.lb.tls.ServerTls;

/** Everything a request needs from the configuration, swapped as one immutable snapshot on reload. */
public record Routing(Router router, Map<String, UpstreamGroup> upstreams, ClientSpec client,
        BufferingSpec buffering, LimitZones limits, Map<TlsSpec, ServerTls> tls, Map<String, NginxMap> maps) {

    /** Builds the snapshot of {@code config}, reusing running upstream groups whose spec did not change. */
    public static Routing compile(LbConfig config, Map<String, UpstreamGroup> running, LbMetrics metrics) {
        return compile(config, running, LimitZones.NONE, Map.of(), metrics);
    }

    /** Builds the snapshot that replaces {@code previous} on a reload, keeping what did not change (see below). */
    public static Routing compile(LbConfig config, Routing previous, LbMetrics metrics) {
        return compile(config, previous.upstreams(), previous.limits(), previous.tls(), metrics);
    }

    /**
     * Builds the snapshot of {@code config}, reusing running upstream groups, limit zones and server TLS whose
     * definition did not change: limit counts survive a reload as nginx's shared zones do, and TLS session caches
     * and ticket keys live on (for TLS the certificates must be unchanged too).
     *
     * @throws IllegalStateException when the TLS library refuses a server's TLS
     */
    private static Routing compile(LbConfig config, Map<String, UpstreamGroup> running, LimitZones runningZones,
            Map<TlsSpec, ServerTls> runningTls, LbMetrics metrics) {
        LimitZones zones = LimitZones.compile(config.limits(), runningZones);
        Map<String, NginxMap> maps = new HashMap<>();
        config.maps().forEach((name, spec) -> maps.put(name, new NginxMap(spec)));
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
            Set<String> serverCaptures = new HashSet<>(maps.keySet());
            List<Rewrite> serverRewrites = rewrites(vs.rewrites(), serverCaptures);
            List<Location> locations = new ArrayList<>();
            for (LocationSpec l : vs.locations()) {
                LocationPath path = LocationPath.parse(l.path());
                Set<String> captures = new HashSet<>(serverCaptures);
                if (path.regex() != null) {
                    captures.addAll(path.regex().names().keySet());
                }
                List<Rewrite> rewrites = rewrites(l.rewrites(), captures);
                locations.add(new Location(path, rewrites, returns(l.returns(), captures), zones.limits(l.limits()),
                        AccessRules.parse(l.access()), l.upstream(), Template.parse(l.passUri(), captures), HeaderRewrite.of(l.requestHeaders(), captures),
                        HeaderRewrite.of(l.responseHeaders(), captures)));
            }
            VirtualServerSpec.RealIpSpec r = vs.realIp();
            RealIp realIp = r.from().isEmpty() ? RealIp.OFF
                    : new RealIp(r.from().stream().map(Cidr::parse).toList(), r.header(), r.recursive());
            hosts.add(new VirtualHost(vs.listen(), vs.serverNames(), vs.isDefault(), serverRewrites,
                    returns(vs.returns(), serverCaptures), zones.limits(vs.limits()), AccessRules.parse(vs.access()), realIp,
                    vs.proxyProtocol(), locations, ErrorPages.load(vs.errorPages()), serverTls));
        }
        return new Routing(new Router(hosts), Map.copyOf(groups), config.client(), config.buffering(), zones, Map.copyOf(tls), Map.copyOf(maps));
    }

    private static List<Rewrite> rewrites(List<RewriteSpec> specs, Set<String> captures) {
        List<Rewrite> out = new ArrayList<>();
        for (RewriteSpec r : specs) {
            NginxRegex regex = NginxRegex.compile(r.regex(), false);
            captures.addAll(regex.names().keySet());
            out.add(Rewrite.of(regex, r.replacement(), r.flag()));
        }
        return out;
    }

    private static Return returns(String raw, Set<String> captures) {
        return raw.isEmpty() ? null : Return.parse(raw, captures);
    }
}
