package vipgate.lb.proxy;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;

/**
 * The client-side response encoder. It knows which response answers a HEAD request (and so writes no body) the way
 * Netty's HttpServerCodec does, from a queue: the method of every request read on the connection joins it, and every
 * final (non-1xx) response takes the oldest. Pipelined requests and the proxy's own answers are matched alike.
 */
final class ProxyResponseEncoder extends HttpResponseEncoder {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);

    /** A request was read on the connection; its response comes after those of the requests before it. */
    void requestReceived(HttpMethod method) {
        methods.add(method);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            // 100 Continue or 101: the final response to the same request is still to come
            return super.isContentAlwaysEmpty(msg);
        }
        return HttpMethod.HEAD.equals(methods.poll()) || super.isContentAlwaysEmpty(msg);
    }
}
