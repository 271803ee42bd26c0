package vipgate.lb.proxyprotocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.util.AttributeKey;

/**
 * Writes an upstream connection's PROXY protocol header the moment it connects, before anything else (a TLS
 * handshake included), then leaves the pipeline with Netty's encoder.
 */
public final class ProxyHeaderWriter extends ChannelInboundHandlerAdapter {
    /** Set on the bootstrap of a connection that must start with a header. */
    public static final AttributeKey<ProxyHeader> HEADER = AttributeKey.valueOf("vipgate.proxy-protocol.header");

    private final ProxyHeader header;

    private ProxyHeaderWriter(ProxyHeader header) {
        this.header = header;
    }

    /** Puts the writer first in a new connection's pipeline when the connection was asked to carry a header. */
    public static void installIfAsked(Channel ch) {
        ProxyHeader header = ch.hasAttr(HEADER) ? ch.attr(HEADER).get() : null;
        if (header != null) {
            ch.pipeline().addFirst("proxy-protocol", new ProxyHeaderWriter(header));
            ch.pipeline().addFirst("proxy-protocol-encoder", HAProxyMessageEncoder.INSTANCE);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(header.message());
        ctx.pipeline().remove(HAProxyMessageEncoder.INSTANCE);
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }
}
