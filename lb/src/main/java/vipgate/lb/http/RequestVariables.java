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

    /** "http" ($scheme); TLS termination is not part of the lb engine yet. */
    String scheme();

    /** The upstream group name ($proxy_host). */
    String proxyHost();

    /** The server that answered, "" before one was chosen ($upstream_addr). */
    String upstreamAddr();

    /** A request header by lower-case name, or null ($http_NAME). */
    String requestHeader(String name);
}
