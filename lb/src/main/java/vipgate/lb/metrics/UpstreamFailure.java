package vipgate.lb.metrics;

/** Why an attempt on an upstream server failed, as counted (nginx's error log reasons, grouped). */
public enum UpstreamFailure {
    /** refused, unreachable */
    CONNECT,
    /** the TLS handshake failed: a certificate not verified, no common protocol or suite, a client certificate refused */
    TLS,
    /** connect, send or read timeout */
    TIMEOUT,
    /** closed or reset before the response was complete */
    CLOSED,
    /** a response that is not valid HTTP */
    INVALID_RESPONSE;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
