package vipgate.stream.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;
import vipgate.balance.Peer;

/** Connects with the engine's transport, on the client's event loop, so a session's two channels share one thread. */
public final class NettyConnector implements Connector {
    private final ChannelFactory<? extends Channel> channels;

    public NettyConnector(ChannelFactory<? extends Channel> channels) {
        this.channels = channels;
    }

    @Override
    public void connect(Peer peer, EventLoop loop, long timeoutNanos, ChannelHandler handler, Callback callback) {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
        new Bootstrap()
                .group(loop)
                .channelFactory(channels)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, millis)
                // a server's FIN is passed on to the client, and the client may still send (see Session)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(handler)
                .connect(peer.address())
                .addListener((ChannelFuture f) -> {
                    if (f.isSuccess()) {
                        callback.connected(f.channel());
                    } else {
                        callback.failed(f.cause());
                    }
                });
    }
}
