package vipgate.lb.http;

import java.util.Locale;

/**
 * The nginx variables a {@link Template} may name (besides {@code $http_NAME}), each appending its raw value.
 * Every variable is valid everywhere, as in nginx: in a request header the response variables ({@code $status},
 * {@code $upstream_status}, ...) simply hold their values before a response ("000", empty).
 */
enum Variable implements Template.Part {
    REMOTE_ADDR, REMOTE_PORT, REMOTE_USER, PROXY_ADD_X_FORWARDED_FOR, SCHEME, HOST, SERVER_PORT, SERVER_PROTOCOL,
    REQUEST, REQUEST_METHOD, REQUEST_URI, REQUEST_TIME, PROXY_HOST, STATUS, BODY_BYTES_SENT, BYTES_SENT, UPSTREAM_ADDR,
    UPSTREAM_STATUS, UPSTREAM_CONNECT_TIME, UPSTREAM_HEADER_TIME, UPSTREAM_RESPONSE_TIME, TIME_LOCAL, TIME_ISO8601, MSEC,
    URI, DOCUMENT_URI, ARGS, QUERY_STRING, IS_ARGS, BINARY_REMOTE_ADDR,
    SSL_PROTOCOL, SSL_CIPHER, SSL_SERVER_NAME, SSL_SESSION_REUSED, PROXY_PROTOCOL_ADDR, PROXY_PROTOCOL_PORT;

    /** The name as written after '$'. */
    String nginxName() {
        return name().toLowerCase(Locale.ROOT);
    }

    boolean readsClock() {
        return this == TIME_LOCAL || this == TIME_ISO8601 || this == MSEC;
    }

    @Override
    public void append(StringBuilder out, RequestVariables vars, long nowMillis) {
        switch (this) {
            case REMOTE_ADDR -> out.append(vars.remoteAddr());
            case REMOTE_PORT -> out.append(vars.remotePort());
            // no authentication in the proxy: always empty, "-" in a log like nginx without auth_basic
            case REMOTE_USER -> { }
            case PROXY_ADD_X_FORWARDED_FOR -> {
                String prior = vars.requestHeader("x-forwarded-for");
                if (prior != null && !prior.isEmpty()) {
                    out.append(prior).append(", ");
                }
                out.append(vars.remoteAddr());
            }
            case SCHEME -> out.append(vars.scheme());
            case HOST -> out.append(vars.host());
            case SERVER_PORT -> out.append(vars.serverPort());
            case SERVER_PROTOCOL -> out.append(vars.protocol());
            case REQUEST -> {
                // a request refused before its line was read has none: empty, so a log writes "-" as nginx does
                if (!vars.requestMethod().isEmpty()) {
                    out.append(vars.requestMethod()).append(' ').append(vars.requestUri()).append(' ').append(vars.protocol());
                }
            }
            case REQUEST_METHOD -> out.append(vars.requestMethod());
            case REQUEST_URI -> out.append(vars.requestUri());
            case REQUEST_TIME -> RequestVariables.appendSeconds(out, vars.requestTimeNanos() / 1_000_000);
            case PROXY_HOST -> out.append(vars.proxyHost());
            case STATUS -> appendStatus(out, vars.status());
            case BODY_BYTES_SENT -> out.append(vars.bodyBytesSent());
            case BYTES_SENT -> out.append(vars.bytesSent());
            case UPSTREAM_ADDR -> out.append(vars.upstreamAddr());
            case UPSTREAM_STATUS -> out.append(vars.upstreamStatus());
            case UPSTREAM_CONNECT_TIME -> out.append(vars.upstreamConnectTime());
            case UPSTREAM_HEADER_TIME -> out.append(vars.upstreamHeaderTime());
            case UPSTREAM_RESPONSE_TIME -> out.append(vars.upstreamResponseTime());
            case TIME_LOCAL -> out.append(LogTime.SYSTEM.local(nowMillis));
            case TIME_ISO8601 -> out.append(LogTime.SYSTEM.iso8601(nowMillis));
            case MSEC -> RequestVariables.appendSeconds(out, nowMillis);
            case URI, DOCUMENT_URI -> out.append(vars.uri());
            case ARGS, QUERY_STRING -> out.append(vars.args());
            case IS_ARGS -> out.append(vars.args().isEmpty() ? "" : "?");
            case BINARY_REMOTE_ADDR -> {
                // the 4 or 16 address bytes, each as the char of its value (a limit key, as nginx's)
                java.net.InetAddress a = Cidr.literal(vars.remoteAddr());
                if (a != null) {
                    for (byte b : a.getAddress()) {
                        out.append((char) (b & 0xFF));
                    }
                }
            }
            case SSL_PROTOCOL -> out.append(vars.sslProtocol());
            case SSL_CIPHER -> out.append(vars.sslCipher());
            case SSL_SERVER_NAME -> out.append(vars.sslServerName());
            case SSL_SESSION_REUSED -> out.append(vars.sslSessionReused());
            case PROXY_PROTOCOL_ADDR -> out.append(vars.proxyProtocolAddr());
            case PROXY_PROTOCOL_PORT -> out.append(vars.proxyProtocolPort());
        }
    }

    /** nginx's "%03ui": "000" before a response. */
    private static void appendStatus(StringBuilder out, int status) {
        out.append(status < 100 ? status < 10 ? "00" : "0" : "").append(status);
    }

}
