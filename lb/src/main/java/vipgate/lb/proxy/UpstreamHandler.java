package vipgate.lb.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import vipgate.lb.OutOfMemory;
import vipgate.transport.Transports;

/**
 * The last handler of an upstream connection. While a request is in flight it hands every event to that try, its
 * {@link UpstreamAttempt}; while the connection idles in the pool, anything the server sends is a protocol error
 * (or its close), so the connection is dropped.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private UpstreamAttempt attempt;

    void bind(UpstreamAttempt attempt) {
        this.attempt = attempt;
    }

    void unbind() {
        this.attempt = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (attempt != null) {
            attempt.onRead(msg);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (attempt != null) {
            attempt.onReadComplete();
        }
        if (attempt != null && Transports.resetUnreported(ctx.channel())) {
            exceptionCaught(ctx, new IOException("connection reset by peer (found in TCP_INFO after a read)"));
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (attempt != null) {
            attempt.onWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (attempt != null) {
            attempt.fail(UpstreamAttempt.Failure.CLOSED, null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        OutOfMemory.check(cause);
        if (attempt != null) {
            attempt.fail(UpstreamAttempt.Failure.RESET, cause);
        }
        ctx.close();
    }
}
