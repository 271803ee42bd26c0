package vipgate.lb.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import vipgate.lb.log.AccessLog;
import vipgate.lb.metrics.LbMetrics;

/** Engine-wide state the per-connection handlers share: the current routing and each event loop's pool. */
public final class ProxyContext {
    private final ChannelFactory<? extends Channel> upstreamChannels;
    private final Map<EventLoop, UpstreamPool> pools = new ConcurrentHashMap<>();
    private final AccessLog accessLog = new AccessLog();
    private volatile Routing routing;
    private final LbMetrics metrics;
    private final LongAdder requests = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final BufferBudget budget;

    public ProxyContext(ChannelFactory<? extends Channel> upstreamChannels, Routing routing, LbMetrics metrics,
            BufferBudget budget) {
        this.upstreamChannels = upstreamChannels;
        this.routing = routing;
        this.metrics = metrics;
        this.budget = budget;
    }

    public BufferBudget budget() {
        return budget;
    }

    public LbMetrics metrics() {
        return metrics;
    }

    public AccessLog accessLog() {
        return accessLog;
    }

    public Routing routing() {
        return routing;
    }

    public void routing(Routing routing) {
        this.routing = routing;
    }

    /** The upstream pool of a client channel's event loop, made on first use there; only that loop may use it. */
    UpstreamPool pool(Channel client) {
        UpstreamPool pool = pools.get(client.eventLoop());
        return pool != null ? pool
                : pools.computeIfAbsent(client.eventLoop(), l -> new UpstreamPool(l, upstreamChannels, client.alloc(), this));
    }

    public Map<EventLoop, UpstreamPool> pools() {
        return pools;
    }

    LongAdder requests() {
        return requests;
    }

    LongAdder retries() {
        return retries;
    }

    LongAdder errors() {
        return errors;
    }

    public long requestCount() {
        return requests.sum();
    }

    public long retryCount() {
        return retries.sum();
    }

    public long errorResponseCount() {
        return errors.sum();
    }
}
