package vipgate.lb.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import vipgate.lb.OutOfMemory;
import vipgate.lb.Transports;

/**
 * The last handler of an upstream connection. While a request is in flight it hands every event to that
 * request's {@link ProxyExchange}; while the connection idles in the pool, anything the server sends is a
 * protocol error (or its close), so the connection is dropped.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private ProxyExchange exchange;

    void bind(ProxyExchange exchange) {
        this.exchange = exchange;
    }

    void unbind() {
        this.exchange = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (exchange != null) {
            exchange.onUpstreamRead(msg);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onUpstreamReadComplete();
        }
        if (exchange != null && Transports.resetUnreported(ctx.channel())) {
            exceptionCaught(ctx, new IOException("connection reset by peer (found in TCP_INFO after a read)"));
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onUpstreamFailure(ProxyExchange.Failure.CLOSED, null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        OutOfMemory.check(cause);
        if (exchange != null) {
            exchange.onUpstreamFailure(ProxyExchange.Failure.RESET, cause);
        }
        ctx.close();
    }
}
