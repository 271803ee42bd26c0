package vipgate.lb.proxyprotocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.logging.Logger;

/**
 * Reads the PROXY protocol header (v1 text or v2 binary, told apart by Netty's {@link HAProxyMessageDecoder}) that
 * starts every connection of a {@code proxy-protocol} socket, and keeps its source address on the channel as
 * {@link #SOURCE} for $proxy_protocol_addr and the realip rules. Both handlers leave the pipeline after the header,
 * so the bytes that follow (TLS or HTTP) cost nothing more. A connection whose first bytes are not a valid header is
 * closed: letting it through would let a client name its own address to whatever trusts the header.
 */
public final class ProxyProtocolReader extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(ProxyProtocolReader.class.getName());

    /** The source the header gave; absent for a LOCAL header (a health check) or a protocol other than TCP/UDP over IP. */
    public static final AttributeKey<InetSocketAddress> SOURCE = AttributeKey.valueOf("vipgate.proxy-protocol.source");

    private final Runnable refused;
    /** The decoder reports one bad header more than once (its failure, then the close); counted once. */
    private boolean closing;

    private ProxyProtocolReader(Runnable refused) {
        this.refused = refused;
    }

    /** Puts the decoder and the reader first in {@code pipeline}; {@code refused} counts a connection closed for its header. */
    public static void install(ChannelPipeline pipeline, Runnable refused) {
        pipeline.addFirst("proxy-protocol", new ProxyProtocolReader(refused));
        pipeline.addFirst("proxy-protocol-decoder", new HAProxyMessageDecoder());
    }

    /** The source a connection's PROXY protocol header gave, or null. */
    public static InetSocketAddress source(Channel channel) {
        return channel.hasAttr(SOURCE) ? channel.attr(SOURCE).get() : null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            InetSocketAddress source = sourceOf(header);
            if (source != null) {
                ctx.channel().attr(SOURCE).set(source);
            }
        } finally {
            header.release();
        }
        ctx.pipeline().remove(this);
    }

    private static InetSocketAddress sourceOf(HAProxyMessage header) {
        if (header.command() != HAProxyCommand.PROXY) {
            return null;
        }
        HAProxyProxiedProtocol.AddressFamily family = header.proxiedProtocol().addressFamily();
        if (family != HAProxyProxiedProtocol.AddressFamily.AF_IPv4 && family != HAProxyProxiedProtocol.AddressFamily.AF_IPv6) {
            return null;
        }
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(header.sourceAddress());
        return address == null ? null : new InetSocketAddress(address, header.sourcePort());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof HAProxyProtocolException || cause.getCause() instanceof HAProxyProtocolException) {
            if (closing) {
                return;
            }
            closing = true;
            LOG.fine(() -> "closing " + ctx.channel().remoteAddress() + ": no valid PROXY protocol header (" + cause.getMessage() + ")");
            refused.run();
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
