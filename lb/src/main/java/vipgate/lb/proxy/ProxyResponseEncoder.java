package vipgate.lb.proxy;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * The client-side response encoder, told when the response answers a HEAD request so it writes no body
 * framing (Netty's HttpServerCodec learns this from its own decoder, which the proxy replaces).
 */
final class ProxyResponseEncoder extends HttpResponseEncoder {
    private boolean headResponse;

    void headResponse(boolean head) {
        this.headResponse = head;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return headResponse || super.isContentAlwaysEmpty(msg);
    }
}
