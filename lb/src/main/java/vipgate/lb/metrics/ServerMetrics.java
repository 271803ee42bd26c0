package vipgate.lb.metrics;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** One upstream server's latencies and counters, kept across reloads while the server stays configured. */
public final class ServerMetrics {
    private final String upstream;
    private final String server;
    private final LatencySeries requestTime;
    private final LatencySeries responseTime;
    private final LatencySeries connectTime;
    private final LatencySeries healthCheckTime;
    private final StatusClasses responses = new StatusClasses();
    private final Map<UpstreamFailure, LongAdder> failures = new EnumMap<>(UpstreamFailure.class);
    private final LongAdder idleConnections = new LongAdder();
    private final LongAdder openConnections = new LongAdder();

    ServerMetrics(String upstream, String server) {
        this.upstream = upstream;
        this.server = server;
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("upstream", upstream);
        labels.put("server", server);
        this.requestTime = new LatencySeries(new LatencySeries.Key("server", "request", labels));
        this.responseTime = new LatencySeries(new LatencySeries.Key("server", "response", labels));
        this.connectTime = new LatencySeries(new LatencySeries.Key("server", "connect", labels));
        this.healthCheckTime = new LatencySeries(new LatencySeries.Key("server", "health-check", labels));
        for (UpstreamFailure f : UpstreamFailure.values()) {
            failures.put(f, new LongAdder());
        }
    }

    public String upstream() {
        return upstream;
    }

    public String server() {
        return server;
    }

    /** Whole request (first client byte to last response byte) of the requests this server answered. */
    public LatencySeries requestTime() {
        return requestTime;
    }

    /** Request sent to response headers received (nginx $upstream_header_time, from the send). */
    public LatencySeries responseTime() {
        return responseTime;
    }

    /** TCP connect of new connections (reused keep-alive connections cost none). */
    public LatencySeries connectTime() {
        return connectTime;
    }

    /** Every active health-check probe of this server, failed probes included. */
    public LatencySeries healthCheckTime() {
        return healthCheckTime;
    }

    public StatusClasses responses() {
        return responses;
    }

    public void failed(UpstreamFailure reason) {
        failures.get(reason).increment();
    }

    public long failures(UpstreamFailure reason) {
        return failures.get(reason).sum();
    }

    public void connectionOpened() {
        openConnections.increment();
    }

    public void connectionClosed() {
        openConnections.decrement();
    }

    public void idleChanged(int delta) {
        idleConnections.add(delta);
    }

    /** Connections to this server that are open (busy or idle in a pool). */
    public long openConnections() {
        return openConnections.sum();
    }

    /** Open connections waiting in the keep-alive pools. */
    public long idleConnections() {
        return idleConnections.sum();
    }

    LatencySeries[] series() {
        return new LatencySeries[] {requestTime, responseTime, connectTime, healthCheckTime};
    }
}
