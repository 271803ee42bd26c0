package vipgate.stream.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import vipgate.balance.Peer;

/** Where sessions get their connections to servers: {@link NettyConnector}, or a fake in tests. */
public interface Connector {
    /** Hears, on the loop the connection was asked for on, how it turned out. */
    interface Callback {
        void connected(Channel server);

        void failed(Throwable cause);
    }

    /**
     * Opens a connection to {@code peer} on {@code loop} with {@code handler} as its pipeline; a connect not done
     * within {@code timeoutNanos} fails.
     */
    void connect(Peer peer, EventLoop loop, long timeoutNanos, ChannelHandler handler, Callback callback);
}
