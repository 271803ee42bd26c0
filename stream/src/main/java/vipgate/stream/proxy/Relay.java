package vipgate.stream.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/** The last handler of either connection of a {@link Session}: hands it what happens on its side. */
final class Relay extends ChannelInboundHandlerAdapter {
    private final Session session;
    private final boolean client;

    Relay(Session session, boolean client) {
        this.session = session;
        this.client = client;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (client) {
            session.start();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        session.read(client, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        session.readComplete(client, ctx.channel());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            session.writable(client);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            session.inputShut(client);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.inactive(client, ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        session.exception(client, ctx.channel(), cause);
    }
}
