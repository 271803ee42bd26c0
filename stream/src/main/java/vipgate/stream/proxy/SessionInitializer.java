package vipgate.stream.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import vipgate.config.HostPort;
import vipgate.stream.metrics.ListenerMetrics;

/**
 * Starts a session on each connection one listener accepts, with the route the configuration in force gives that
 * listen address (a listener a reload just removed may still hand over a last connection: it is closed).
 */
@ChannelHandler.Sharable
public final class SessionInitializer extends ChannelInitializer<Channel> {
    private final HostPort listener;
    private final Supplier<Routes> routes;
    private final Connector connector;
    private final ChannelGroup sessions;
    private final LongSupplier clock;
    private final ListenerMetrics metrics;

    public SessionInitializer(HostPort listener, Supplier<Routes> routes, Connector connector, ChannelGroup sessions,
            LongSupplier clock, ListenerMetrics metrics) {
        this.metrics = metrics;
        this.listener = listener;
        this.routes = routes;
        this.connector = connector;
        this.sessions = sessions;
        this.clock = clock;
    }

    @Override
    protected void initChannel(Channel ch) {
        Route route = routes.get().route(listener);
        if (route == null) {
            ch.close();
            return;
        }
        sessions.add(ch);
        // read once a server is connected: until then the client's bytes wait in the kernel, and a failed connect
        // can go to the next server with nothing to resend (set here, before the channel becomes active and reads)
        ch.config().setAutoRead(false);
        ch.pipeline().addLast("relay", new Relay(new Session(ch, route, connector, clock, metrics), true));
    }
}
