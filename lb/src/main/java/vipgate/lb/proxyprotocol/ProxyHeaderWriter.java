package vipgate.lb.proxyprotocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.util.AttributeKey;

/**
 * Puts an upstream connection's PROXY protocol header before the first bytes it sends, whatever sends them (the
 * request, or a TLS handshake), then leaves the pipeline with Netty's encoder. On the first write rather than on
 * channelActive: Netty completes the connect promise, whose listener sends the request, before channelActive.
 */
public final class ProxyHeaderWriter extends ChannelOutboundHandlerAdapter {
    /** Set on the bootstrap of a connection that must start with a header. */
    public static final AttributeKey<ProxyHeader> HEADER = AttributeKey.valueOf("vipgate.proxy-protocol.header");

    /** Its name in the pipeline, for what must come after it (a TLS handler). */
    public static final String NAME = "proxy-protocol";

    private final ProxyHeader header;

    private ProxyHeaderWriter(ProxyHeader header) {
        this.header = header;
    }

    /** Puts the writer first in a new connection's pipeline when the connection was asked to carry a header. */
    public static void installIfAsked(Channel ch) {
        ProxyHeader header = ch.hasAttr(HEADER) ? ch.attr(HEADER).get() : null;
        if (header != null) {
            ch.pipeline().addFirst(NAME, new ProxyHeaderWriter(header));
            ch.pipeline().addFirst("proxy-protocol-encoder", HAProxyMessageEncoder.INSTANCE);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(header.message());
        ctx.pipeline().remove(HAProxyMessageEncoder.INSTANCE);
        ctx.pipeline().remove(this);
        ctx.write(msg, promise);
    }
}
