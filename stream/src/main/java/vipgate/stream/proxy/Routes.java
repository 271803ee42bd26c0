package vipgate.stream.proxy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import vipgate.config.HostPort;
import vipgate.stream.config.ListenerSpec;
import vipgate.stream.config.StreamConfig;
import vipgate.stream.config.UpstreamSpec;
import vipgate.stream.metrics.StreamMetrics;

/**
 * One configuration's routing, immutable: the route of each listen address and the running upstreams. A session
 * takes its route when it starts and keeps it, so a reload applies to new sessions only.
 */
public final class Routes {
    private final Map<HostPort, Route> byListener;
    private final Map<String, Upstream> upstreams;

    private Routes(Map<HostPort, Route> byListener, Map<String, Upstream> upstreams) {
        this.byListener = byListener;
        this.upstreams = upstreams;
    }

    /**
     * @param previous the running upstreams of the configuration before (empty at start): one whose spec did not
     *                 change is kept with its balancing and passive-health state
     * @throws IllegalArgumentException when a server's host name does not resolve
     */
    public static Routes compile(StreamConfig config, Map<String, Upstream> previous, LongSupplier clock,
            StreamMetrics metrics) {
        Map<String, Upstream> upstreams = new LinkedHashMap<>();
        for (UpstreamSpec spec : config.upstreams().values()) {
            Upstream old = previous.get(spec.name());
            upstreams.put(spec.name(), old != null && old.spec().equals(spec) ? old : new Upstream(spec, clock, metrics));
        }
        Map<HostPort, Route> byListener = new LinkedHashMap<>();
        for (ListenerSpec server : config.servers()) {
            Route route = new Route(server, upstreams.get(server.proxyPass()));
            server.listen().forEach(hp -> byListener.put(hp, route));
        }
        return new Routes(Map.copyOf(byListener), Map.copyOf(upstreams));
    }

    /** The route of a listen address, null when this configuration does not listen there. */
    public Route route(HostPort listener) {
        return byListener.get(listener);
    }

    public Set<HostPort> bindAddresses() {
        return byListener.keySet();
    }

    public Map<String, Upstream> upstreams() {
        return upstreams;
    }
}
