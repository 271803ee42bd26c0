package vipgate.lb.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vipgate.lb.pool.UpstreamConnection;
import vipgate.lb.proxyprotocol.ProxyHeader;
import vipgate.balance.Peer;

/**
 * An {@link UpstreamConnector} whose connections are EmbeddedChannels with the upstream codec, on which the test
 * plays the server: it reads what the proxy sent and writes the response bytes. Idle connections are kept like the
 * pool keeps them, so a kept-alive connection is handed out again.
 */
final class FakeConnector implements UpstreamConnector {
    /** One connection to a server, as the test sees it. */
    static final class Server {
        final EmbeddedChannel channel;
        final String peer;

        Server(EmbeddedChannel channel, String peer) {
            this.channel = channel;
            this.peer = peer;
        }

        /** What the proxy sent on this connection since the last call. */
        String received() {
            return ClientConnection.written(channel);
        }

        void respond(String bytes) {
            channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        }

        /** The server closes the connection. */
        void close() {
            channel.close();
        }
    }

    private final Set<String> refusing = new HashSet<>();
    private final Map<Channel, Server> servers = new HashMap<>();
    /** Connections handed to a try, new or idle, in order, not yet taken by the test. */
    private final ArrayDeque<Server> handedOut = new ArrayDeque<>();
    private final List<UpstreamConnection> idle = new ArrayList<>();
    /** The peers new connections were made to, refused ones included, in order. */
    final List<String> connects = new ArrayList<>();
    /** How each connection given back was released: true when reusable. */
    final List<Boolean> released = new ArrayList<>();
    /** Runs whenever the proxy writes to a server, before the write goes out. */
    Runnable onWrite = () -> { };

    /** Connections to {@code peer} are refused from now on. */
    void refuse(String peer) {
        refusing.add(peer);
    }

    /** The next connection handed to a try. */
    Server next() {
        Server s = handedOut.poll();
        if (s == null) {
            throw new AssertionError("no connection was asked for");
        }
        return s;
    }

    boolean nothingHandedOut() {
        return handedOut.isEmpty();
    }

    @Override
    public void acquire(UpstreamGroup group, Peer peer, ProxyHeader proxyHeader, Callback callback) {
        for (Iterator<UpstreamConnection> it = idle.iterator(); it.hasNext(); ) {
            UpstreamConnection c = it.next();
            if (c.serverKey().equals(peer.name())) {
                it.remove();
                handedOut.add(servers.get(c.channel()));
                callback.connected(c);
                return;
            }
        }
        connect(group, peer, proxyHeader, callback);
    }

    @Override
    public void connect(UpstreamGroup group, Peer peer, ProxyHeader proxyHeader, Callback callback) {
        connects.add(peer.name());
        if (refusing.contains(peer.name())) {
            callback.connectFailed(new ConnectException("connection refused: " + peer.name()));
            return;
        }
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast("observer", new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                onWrite.run();
                ctx.write(msg, promise);
            }
        });
        ch.pipeline().addLast("codec", new UpstreamCodec(new HttpDecoderConfig()));
        ch.pipeline().addLast("upstream", new UpstreamHandler());
        Server s = new Server(ch, peer.name());
        servers.put(ch, s);
        handedOut.add(s);
        callback.connected(new UpstreamConnection(ch, peer.name(), group.metrics(peer)));
    }

    @Override
    public void release(UpstreamGroup group, UpstreamConnection connection, boolean reusable) {
        released.add(reusable);
        if (reusable && connection.channel().isActive()) {
            idle.add(connection);
        } else {
            connection.close();
        }
    }

    void close() {
        servers.keySet().forEach(c -> ((EmbeddedChannel) c).finishAndReleaseAll());
    }
}
