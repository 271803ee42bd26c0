package vipgate.lb.proxy;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import vipgate.lb.http.HeaderRewrite;
import vipgate.lb.http.HopByHop;
import vipgate.lb.http.RequestTarget;
import vipgate.lb.http.RequestVariables;

/**
 * The heads the proxy passes on: a request as it goes to a server, a response as it goes to the client. Hop-by-hop
 * fields are stripped, the location's header rules applied, and the framing headers are set by the proxy last, from
 * how the body was actually decoded: neither a peer's {@code Connection} header (which cannot name Content-Length
 * or Host, see {@link HopByHop}) nor a header rule can leave the next hop reading a body's end elsewhere than this
 * proxy did (request smuggling). Pure.
 */
final class ForwardHeaders {
    private ForwardHeaders() {
    }

    /**
     * The head sent upstream for {@code request}: HTTP/1.1 in origin-form ({@code target} when a rewrite or a
     * proxy_pass URI part made one, else the client's), Host the one routed on (an absolute-form target's
     * authority), a WebSocket upgrade kept when {@code webSocket}.
     */
    static HttpRequest upstreamRequest(HttpRequest request, String target, String targetAuthority, boolean webSocket,
            HeaderRewrite rules, RequestVariables vars) {
        HttpHeaders headers = request.headers().copy();
        HopByHop.strip(headers);
        headers.remove(HttpHeaderNames.EXPECT);
        if (targetAuthority != null) {
            // forwarded in origin-form, so the host the request was routed on travels in Host
            headers.set(HttpHeaderNames.HOST, targetAuthority);
        }
        if (webSocket) {
            headers.set(HttpHeaderNames.UPGRADE, request.headers().get(HttpHeaderNames.UPGRADE));
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        rules.apply(headers, vars);
        // The body goes upstream framed the way it was decoded, whatever Connection named or a header rule set:
        // any other framing would let the next hop read part of it as a request this proxy never routed.
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        if (HttpUtil.isTransferEncodingChunked(request)) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (HttpUtil.isContentLengthSet(request)) {
            headers.set(HttpHeaderNames.CONTENT_LENGTH, HttpUtil.getContentLength(request));
        }
        if (!headers.contains(HttpHeaderNames.HOST)) {
            headers.set(HttpHeaderNames.HOST, request.headers().contains(HttpHeaderNames.HOST)
                    ? request.headers().get(HttpHeaderNames.HOST) : vars.proxyHost());
        }
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(),
                target != null ? target : RequestTarget.originForm(request.uri()), headers);
    }

    /** Whether the body of {@code response} (to a HEAD request when {@code head}) ends only when the server closes. */
    static boolean endsAtClose(HttpResponse response, boolean head) {
        return !bodiless(response, head) && !HttpUtil.isContentLengthSet(response)
                && !HttpUtil.isTransferEncodingChunked(response);
    }

    private static boolean bodiless(HttpResponse response, boolean head) {
        int code = response.status().code();
        return head || code == 204 || code == 304;
    }

    /**
     * Turns a server's response head into the client's, in place. A body that only the end of the connection would
     * delimit (unframed, or chunked to an HTTP/1.0 client) closes the client connection after it; otherwise the
     * connection is kept when {@code keepAllowed}. Returns whether it is kept, which the Connection header says.
     */
    static boolean toClient(HttpResponse response, boolean head, boolean http11Client, HeaderRewrite rules,
            RequestVariables vars, boolean keepAllowed) {
        boolean bodiless = bodiless(response, head);
        boolean chunkedUpstream = HttpUtil.isTransferEncodingChunked(response);
        boolean untilClose = endsAtClose(response, head);
        HttpHeaders headers = response.headers();
        String length = chunkedUpstream ? null : headers.get(HttpHeaderNames.CONTENT_LENGTH);
        HopByHop.strip(headers);
        rules.apply(headers, vars);
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        boolean closeAfter = false;
        if (!bodiless && (chunkedUpstream || untilClose)) {
            if (http11Client) {
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else {
                closeAfter = true;
            }
        } else if (head && chunkedUpstream && http11Client) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (length != null) {
            headers.set(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        boolean keep = keepAllowed && !closeAfter;
        if (!keep) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!http11Client) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return keep;
    }

    /** The client's head of a 101 Switching Protocols: the server's, with the upgrade the proxy passes on. */
    static HttpHeaders upgradeResponse(HttpHeaders server, HeaderRewrite rules, RequestVariables vars) {
        HttpHeaders headers = server.copy();
        HopByHop.strip(headers);
        headers.set(HttpHeaderNames.UPGRADE, server.get(HttpHeaderNames.UPGRADE, "websocket"));
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        rules.apply(headers, vars);
        return headers;
    }

    /**
     * How long the server keeps an idle connection, from its {@code Keep-Alive: timeout=N}, as the limit for idling
     * in the pool; 0 when it says nothing usable. A second of margin is left so the server never closes a connection
     * the proxy is about to reuse; timeout=1 (or 0) leaves none, so such a connection is kept only briefly (the limit
     * stays above 0, which the pool reads as "no limit known": it kept timeout=1 connections for 60s).
     */
    static long serverIdleLimitNanos(String keepAlive) {
        if (keepAlive == null) {
            return 0;
        }
        long limit = 0;
        for (String part : keepAlive.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.startsWith("timeout=")) {
                try {
                    long seconds = Long.parseLong(p.substring("timeout=".length()).trim());
                    limit = seconds > 1 ? TimeUnit.SECONDS.toNanos(seconds - 1)
                            : seconds == 1 ? TimeUnit.MILLISECONDS.toNanos(500) : 1;
                } catch (NumberFormatException ignored) {
                    // a malformed hint is ignored, as browsers do
                }
            }
        }
        return limit;
    }
}
