package vipgate.lb.metrics;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What one listening address served: request latency, responses by class, bytes and connections. */
public final class ListenerMetrics {
    private final String address;
    private final LatencySeries requestTime;
    private final StatusClasses responses = new StatusClasses();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder active = new LongAdder();
    private final LongAdder tlsHandshakes = new LongAdder();
    private final LongAdder tlsResumed = new LongAdder();
    private final LongAdder tlsFailures = new LongAdder();
    private final LongAdder proxyProtocolRefused = new LongAdder();

    ListenerMetrics(String address) {
        this.address = address;
        this.requestTime = new LatencySeries(new LatencySeries.Key("listener", "request", Map.of("listener", address)));
    }

    public String address() {
        return address;
    }

    /** First request byte to last response byte, every request including the proxy's own error answers. */
    public LatencySeries requestTime() {
        return requestTime;
    }

    public StatusClasses responses() {
        return responses;
    }

    public void connectionOpened() {
        accepted.increment();
        active.increment();
    }

    public void connectionClosed() {
        active.decrement();
    }

    public void received(long bytes) {
        bytesIn.add(bytes);
    }

    public void sent(long bytes) {
        bytesOut.add(bytes);
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long bytesOut() {
        return bytesOut.sum();
    }

    public long connectionsAccepted() {
        return accepted.sum();
    }

    public long connectionsActive() {
        return active.sum();
    }

    /** A TLS handshake completed; {@code resumed}: without a full handshake (a ticket or the session cache). */
    public void tlsHandshake(boolean resumed) {
        tlsHandshakes.increment();
        if (resumed) {
            tlsResumed.increment();
        }
    }

    /** A client's TLS handshake failed (timeout, no common protocol or suite, not TLS at all, ...). */
    public void tlsHandshakeFailed() {
        tlsFailures.increment();
    }

    public long tlsHandshakes() {
        return tlsHandshakes.sum();
    }

    public long tlsResumed() {
        return tlsResumed.sum();
    }

    public long tlsHandshakeFailures() {
        return tlsFailures.sum();
    }

    /** A connection to a PROXY protocol socket was closed: an untrusted sender, or a missing or malformed header. */
    public void proxyProtocolRefused() {
        proxyProtocolRefused.increment();
    }

    public long proxyProtocolRefusals() {
        return proxyProtocolRefused.sum();
    }
}
