package vipgate.lb.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Removes the headers that describe one connection and must not be forwarded (RFC 9110 7.6.1): Connection and
 * every name it lists, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding and Upgrade. The proxy
 * sets its own framing and, for a WebSocket upgrade, puts Upgrade/Connection back itself.
 *
 * <p>A peer cannot remove the fields the message is framed or routed by: Content-Length and Host are kept
 * even when {@code Connection} names them. Dropping Content-Length while the body still streams made the body
 * a second request to the next hop (request smuggling; nginx and HAProxy never drop a field for being named in
 * Connection at all).
 */
public final class HopByHop {
    /** Lower-case names a Connection header cannot remove. */
    private static final Set<String> PROTECTED = Set.of("content-length", "host");

    private HopByHop() {
    }

    public static void strip(HttpHeaders headers) {
        List<String> listed = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String name = token.trim();
                if (!name.isEmpty() && !PROTECTED.contains(name.toLowerCase(Locale.ROOT))) {
                    listed.add(name);
                }
            }
        }
        for (String name : listed) {
            headers.remove(name);
        }
        headers.remove(HttpHeaderNames.CONNECTION);
        headers.remove(HttpHeaderNames.KEEP_ALIVE);
        headers.remove("Proxy-Connection");
        headers.remove(HttpHeaderNames.TE);
        headers.remove(HttpHeaderNames.TRAILER);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        headers.remove(HttpHeaderNames.UPGRADE);
    }

    /** A WebSocket handshake: Upgrade: websocket with Connection listing upgrade, on a GET. */
    public static boolean isWebSocketUpgrade(io.netty.handler.codec.http.HttpRequest request) {
        HttpHeaders h = request.headers();
        return io.netty.handler.codec.http.HttpMethod.GET.equals(request.method())
                && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE, true)
                && h.containsValue(HttpHeaderNames.UPGRADE, "websocket", true);
    }
}
