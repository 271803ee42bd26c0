package vipgate.lb.http;

/** What nginx-style variables can be read from while a request is proxied. */
public interface RequestVariables {
    /** Client address as text ($remote_addr). */
    String remoteAddr();

    int remotePort();

    /** The Host header without port, lower-cased, or the listener address when absent ($host). */
    String host();

    /** Listener port ($server_port). */
    int serverPort();

    /** Original request line target ($request_uri). */
    String requestUri();

    /** "http", or "https" on a TLS listener ($scheme). */
    String scheme();

    /** The upstream group name ($proxy_host). */
    String proxyHost();

    /** The servers tried so far, ", "-separated, "" before one was chosen ($upstream_addr). */
    String upstreamAddr();

    /** A request header by lower-case name, or null ($http_NAME). */
    String requestHeader(String name);

    /** The decoded, normalised path as rewrites leave it ($uri), "" before a request line. */
    default String uri() {
        return "";
    }

    /** The query as rewrites leave it, raw ($args), "" when none. */
    default String args() {
        return "";
    }

    /** Group {@code n} of the last regex that matched ($1..$9), or null. */
    default String capture(int n) {
        return null;
    }

    /**
     * A variable the config defines by name: a named group of the last regex that matched, else a map
     * ({@code vipgate.lb.maps}); null when it has no value.
     */
    default String named(String name) {
        return null;
    }

    // What a request's answer looked like, for access logs. Defaults are nginx's values before a response exists.

    /** The status sent to the client ($status); 499 when the client left first, 0 before a response. */
    default int status() {
        return 0;
    }

    /** Response body bytes sent to the client ($body_bytes_sent). */
    default long bodyBytesSent() {
        return 0;
    }

    /** Bytes sent to the client for this request, status line and headers included ($bytes_sent). */
    default long bytesSent() {
        return 0;
    }

    /** $request_method */
    default String requestMethod() {
        return "";
    }

    /** "HTTP/1.1" ($server_protocol). */
    default String protocol() {
        return "";
    }

    /** Since the first byte of the request ($request_time). */
    default long requestTimeNanos() {
        return 0;
    }

    /** Each tried server's status, ", "-separated ($upstream_status). */
    default String upstreamStatus() {
        return "";
    }

    /** $upstream_connect_time: seconds with millisecond resolution per tried server. */
    default String upstreamConnectTime() {
        return "";
    }

    /** $upstream_header_time */
    default String upstreamHeaderTime() {
        return "";
    }

    /** $upstream_response_time */
    default String upstreamResponseTime() {
        return "";
    }

    // What the client's TLS negotiated; empty on a plaintext connection, as in nginx.

    /** "TLSv1.3" ($ssl_protocol). */
    default String sslProtocol() {
        return "";
    }

    /** The suite in OpenSSL's spelling, "ECDHE-RSA-AES128-GCM-SHA256" ($ssl_cipher). */
    default String sslCipher() {
        return "";
    }

    /** The name the client sent in SNI ($ssl_server_name). */
    default String sslServerName() {
        return "";
    }

    /** "r" for a resumed session, "." for a full handshake ($ssl_session_reused). */
    default String sslSessionReused() {
        return "";
    }

    /** The source address of the connection's PROXY protocol header ($proxy_protocol_addr); empty without one. */
    default String proxyProtocolAddr() {
        return "";
    }

    /** The source port of the connection's PROXY protocol header ($proxy_protocol_port); empty without one. */
    default String proxyProtocolPort() {
        return "";
    }

    /** Seconds with millisecond resolution, nginx's "0.004" of $request_time, $msec and $upstream_*_time. */
    static void appendSeconds(StringBuilder out, long millis) {
        long positive = Math.max(0, millis);
        int frac = (int) (positive % 1000);
        out.append(positive / 1000).append(frac < 10 ? ".00" : frac < 100 ? ".0" : ".").append(frac);
    }
}
