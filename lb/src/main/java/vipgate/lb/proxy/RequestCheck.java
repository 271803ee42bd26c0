package vipgate.lb.proxy;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import vipgate.lb.config.ClientSpec;
import vipgate.lb.http.ErrorPages;
import vipgate.lb.http.HopByHop;
import vipgate.lb.http.RequestTarget;
import vipgate.lb.route.VirtualHost;

/**
 * What the proxy makes of a request head before it goes anywhere: refused (and with which status) or accepted by a
 * virtual host (whose rewrites and locations {@link vipgate.lb.route.RequestRoute} then follow), and the facts the
 * exchange acts on: the path routed on, HEAD, a body, 100-continue, a WebSocket upgrade, idempotency. Pure: the
 * same head, routing and listener give the same verdict.
 *
 * <p>The checks run in nginx's order, so a request wrong in several ways gets the status nginx gives: a head the
 * decoder failed on, the version, header limits, Host, the target, then the server (404 when no server listens),
 * then Expect and the body size (nginx checks those once the location is found; no location here refuses them).
 */
final class RequestCheck {
    private final boolean head;
    private HttpResponseStatus refusal;
    /** The routing host, normalised; "" when the request names none. */
    private String host = "";
    /** The authority of an absolute-form target ("GET http://host:port/path"), null for origin-form. */
    private String targetAuthority;
    private ErrorPages errorPages = ErrorPages.DEFAULT;
    private VirtualHost vhost;
    /** The decoded, normalised path (nginx's $uri before rewrites). */
    private String path;
    private boolean expectContinue;
    private boolean hasBody;
    private boolean webSocket;
    private boolean idempotent;

    private RequestCheck(HttpRequest request) {
        this.head = HttpMethod.HEAD.equals(request.method());
    }

    /** Checks {@code request}, which came in on the listener at {@code local}, against {@code routing}. */
    static RequestCheck of(HttpRequest request, Routing routing, SocketAddress local) {
        RequestCheck c = new RequestCheck(request);
        c.refusal = c.check(request, routing, local instanceof InetSocketAddress inet ? inet : null);
        return c;
    }

    private HttpResponseStatus check(HttpRequest request, Routing routing, InetSocketAddress local) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            if (cause instanceof TooLongHttpLineException) {
                return HttpResponseStatus.REQUEST_URI_TOO_LONG;
            }
            if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
                return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            }
            return HttpResponseStatus.BAD_REQUEST;
        }
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || version.minorVersion() > 1) {
            // e.g. "HTTP/2.0" on an HTTP/1 connection: nginx answers 505 too (it takes HTTP/1.2 as 1.1; this is stricter)
            return HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED;
        }
        ClientSpec client = routing.client();
        HttpHeaders h = request.headers();
        if (h.size() > client.maxHeaders()) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1 || (hosts.isEmpty() && version.equals(HttpVersion.HTTP_1_1))) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        path = RequestTarget.routablePath(request.uri());
        if (path == null) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        // RFC 9112 3.2.2: the host of an absolute-form target wins over the Host header. Routing by one while the
        // upstream (which is given the same target) serves the other would let a request reach another vhost.
        targetAuthority = RequestTarget.absoluteFormAuthority(request.uri());
        String hostSource = targetAuthority != null ? targetAuthority : hosts.isEmpty() ? null : hosts.get(0);
        String normalised = hostSource == null ? "" : RequestTarget.normaliseHost(hostSource);
        if (normalised == null) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        host = normalised;
        vhost = routing.router().virtualHost(local, host);
        if (vhost == null) {
            return HttpResponseStatus.NOT_FOUND;
        }
        errorPages = vhost.errorPages();
        String expect = h.get(HttpHeaderNames.EXPECT);
        if (expect != null) {
            if (!HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim())) {
                return HttpResponseStatus.EXPECTATION_FAILED;
            }
            expectContinue = version.equals(HttpVersion.HTTP_1_1);
        }
        long length = HttpUtil.getContentLength(request, -1L);
        if (client.maxBodySize() > 0 && length > client.maxBodySize()) {
            return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
        }
        hasBody = length > 0 || HttpUtil.isTransferEncodingChunked(request);
        webSocket = HopByHop.isWebSocketUpgrade(request);
        HttpMethod m = request.method();
        idempotent = !(HttpMethod.POST.equals(m) || HttpMethod.PATCH.equals(m) || "LOCK".equals(m.name()));
        return null;
    }

    /**
     * Whether body bytes may follow the head of a refused request. A head the decoder refused keeps its headers
     * as sent, so Content-Length may not be a number ("5, 3", "abc"): that is unknown framing, answered by
     * closing, never an exception (which would drop the connection without the answer).
     */
    static boolean bodyMayFollow(HttpRequest request) {
        if (HttpUtil.isTransferEncodingChunked(request)) {
            return true;
        }
        try {
            return HttpUtil.getContentLength(request, 0L) > 0;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    /** The status that refuses the request, or null when it may be proxied. */
    HttpResponseStatus refusal() {
        return refusal;
    }

    boolean head() {
        return head;
    }

    String host() {
        return host;
    }

    String targetAuthority() {
        return targetAuthority;
    }

    /** The error pages of the virtual host the request reached, the built-in ones before one was chosen. */
    ErrorPages errorPages() {
        return errorPages;
    }

    /** The virtual host that takes the request. */
    VirtualHost vhost() {
        return vhost;
    }

    /** The decoded, normalised path of the target (nginx's $uri before any rewrite). */
    String path() {
        return path;
    }

    /** An HTTP/1.1 request with {@code Expect: 100-continue}: the client waits for a 100 before its body. */
    boolean expectContinue() {
        return expectContinue;
    }

    boolean hasBody() {
        return hasBody;
    }

    boolean webSocket() {
        return webSocket;
    }

    boolean idempotent() {
        return idempotent;
    }
}
