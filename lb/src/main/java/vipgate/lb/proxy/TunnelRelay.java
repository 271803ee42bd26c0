package vipgate.lb.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import vipgate.lb.OutOfMemory;
import vipgate.transport.Transports;
import vipgate.transport.timer.Deadline;

/**
 * One direction of the tunnel a 101 Switching Protocols opens (a WebSocket): in place of the HTTP handlers, it passes
 * the bytes read on its channel to the other side as they are, with the proxy's flow control (the other side's full
 * buffer pauses this side's reads, under that side's send timeout) and one idle timeout for both directions. A pair
 * runs a tunnel: the one on the server's connection ends the exchange when the server closes, after the client got
 * what it was sent; the one on the client's connection closes the server's when the client goes.
 */
final class TunnelRelay extends ChannelInboundHandlerAdapter {
    private final ProxyExchange exchange;
    private final Channel to;
    /** This relay reads the server and writes the client. */
    private final boolean toClient;
    private final Deadline idle;
    /** Armed while {@code to} is full. */
    private final Deadline toSendTimeout;
    private final long toSendTimeoutNanos;
    /** Disarmed once this side's own full buffer drained. */
    private final Deadline ownSendTimeout;

    private TunnelRelay(ProxyExchange exchange, Channel to, boolean toClient, Deadline idle, Deadline toSendTimeout,
            long toSendTimeoutNanos, Deadline ownSendTimeout) {
        this.exchange = exchange;
        this.to = to;
        this.toClient = toClient;
        this.idle = idle;
        this.toSendTimeout = toSendTimeout;
        this.toSendTimeoutNanos = toSendTimeoutNanos;
        this.ownSendTimeout = ownSendTimeout;
    }

    /** The relay on the server's connection, writing to {@code client}. */
    static TunnelRelay fromServer(ProxyExchange exchange, Channel client, ProxyExchange.Timers timers, long clientSendNanos) {
        return new TunnelRelay(exchange, client, true, timers.upstreamRead(), timers.clientSend(), clientSendNanos,
                timers.upstreamSend());
    }

    /** The relay on the client's connection, writing to {@code server}. */
    static TunnelRelay fromClient(ProxyExchange exchange, Channel server, ProxyExchange.Timers timers, long serverSendNanos) {
        return new TunnelRelay(exchange, server, false, timers.upstreamRead(), timers.upstreamSend(), serverSendNanos,
                timers.clientSend());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // not bytes: the empty end of the 101 that came with it
        if (!(msg instanceof ByteBuf bytes) || !exchange.tunnelOpen()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        idle.touch();
        if (toClient) {
            exchange.tunnelled(bytes.readableBytes());
        }
        to.write(bytes, to.voidPromise());
        if (!to.isWritable()) {
            if (toClient && exchange.shedIfOverBudget()) {
                return;
            }
            Backpressure.flushFull(ctx.channel(), toSendTimeout, toSendTimeoutNanos, to);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        to.flush();
        if (toClient && Transports.resetUnreported(ctx.channel())) {
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            ownSendTimeout.disarm();
            to.config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (toClient) {
            exchange.onTunnelSideClosed();
        } else {
            to.close();
            ctx.fireChannelInactive();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (toClient) {
            OutOfMemory.check(cause);
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }
}
