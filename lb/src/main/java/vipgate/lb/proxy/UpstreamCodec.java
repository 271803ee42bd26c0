package vipgate.lb.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;
import java.util.logging.Logger;

/**
 * The HTTP/1.1 codec of an upstream connection, which carries one request at a time: what {@code HttpClientCodec}
 * does for that case (a response to HEAD has no body), and it closes the connection as soon as the server sends a
 * byte nobody asked for. Such bytes are either after a complete response (in the same read or a later one) or
 * on a connection idling in the pool; {@code HttpClientCodec} would keep a partial head among them buffered and
 * prefix it to the next client's response on that connection (e.g. the attacker's {@code Set-Cookie}). Closed
 * at once, the connection never goes back to the pool: nginx likewise closes an upstream connection that "sent
 * more data than specified", HAProxy never reuses it either. A response the decoder failed on (a corrupt chunk)
 * closes it too.
 */
final class UpstreamCodec extends CombinedChannelDuplexHandler<HttpResponseDecoder, HttpRequestEncoder> {
    private static final Logger LOG = Logger.getLogger(UpstreamCodec.class.getName());

    /** A request was written and its final response has not fully arrived. */
    private boolean awaiting;
    private boolean headRequest;
    /** The current response is a 1xx interim one; the final one follows. */
    private boolean interim;
    /** A 101 switched the connection to another protocol: its bytes are no longer HTTP. */
    private boolean upgraded;

    UpstreamCodec(HttpDecoderConfig config) {
        init(new Decoder(config), new Encoder());
    }

    private final class Encoder extends HttpRequestEncoder {
        @Override
        protected void encodeInitialLine(ByteBuf buf, HttpRequest request) throws Exception {
            awaiting = true;
            headRequest = HttpMethod.HEAD.equals(request.method());
            super.encodeInitialLine(buf, request);
        }
    }

    private final class Decoder extends HttpResponseDecoder {
        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (!awaiting && !upgraded) {
                unasked(ctx, buffer);
                return;
            }
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                Object m = out.get(i);
                if (m instanceof HttpResponse response) {
                    int code = response.status().code();
                    interim = code >= 100 && code < 200 && code != 101;
                    upgraded = code == 101;
                }
                if (m instanceof LastHttpContent last && !interim) {
                    awaiting = false;
                    if (last.decoderResult().isFailure()) {
                        // the decoder skips the rest of a message it failed on: the connection is out of step
                        ctx.close();
                    }
                }
            }
            if (!awaiting && !upgraded && buffer.isReadable()) {
                // closed before the response it ends is handed on, so it cannot be pooled
                unasked(ctx, buffer);
            }
        }

        private void unasked(ChannelHandlerContext ctx, ByteBuf buffer) {
            int n = buffer.readableBytes();
            buffer.skipBytes(n);
            LOG.fine(() -> "upstream " + ctx.channel().remoteAddress() + " sent " + n + " bytes after its response; closing");
            ctx.close();
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            int code = ((HttpResponse) msg).status().code();
            return (headRequest && code >= 200) || super.isContentAlwaysEmpty(msg);
        }
    }
}
