package vipgate.lb.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslHandler;
import vipgate.lb.config.ClientSpec;
import vipgate.lb.config.KeepaliveSpec;
import vipgate.lb.metrics.ServerMetrics;
import vipgate.lb.pool.LoopPool;
import vipgate.lb.pool.UpstreamConnection;
import vipgate.lb.proxyprotocol.ProxyHeader;
import vipgate.lb.proxyprotocol.ProxyHeaderWriter;
import vipgate.lb.tls.UpstreamTls;
import vipgate.balance.Peer;

/**
 * The upstream connections of one event loop: the idle ones ({@link LoopPool}, like nginx's per-worker keepalive
 * cache) and the making of new ones, with one {@link Bootstrap} for the loop and the connect metrics recorded here.
 * Only the owning event loop touches it.
 */
public final class UpstreamPool implements UpstreamConnector {
    private final LoopPool idle = new LoopPool();
    private final Bootstrap bootstrap;
    /** The connect timeout the bootstrap is set to; groups differ, so it is set again when the next one does. */
    private int connectTimeoutMillis = -1;

    UpstreamPool(EventLoop loop, ChannelFactory<? extends Channel> channels, ByteBufAllocator alloc, ProxyContext context) {
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(channels)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, alloc)
                .handler(new Pipeline(context));
    }

    /** The handlers of a new connection; the response limits are the client's of the routing in force. */
    @ChannelHandler.Sharable
    private static final class Pipeline extends ChannelInitializer<Channel> {
        private final ProxyContext context;

        Pipeline(ProxyContext context) {
            this.context = context;
        }

        @Override
        protected void initChannel(Channel ch) {
            ClientSpec client = context.routing().client();
            HttpDecoderConfig decoder = new HttpDecoderConfig()
                    .setMaxInitialLineLength(client.maxUri())
                    .setMaxHeaderSize(client.maxHeaderSize())
                    .setMaxChunkSize(64 * 1024);
            ProxyHeaderWriter.installIfAsked(ch);
            ch.pipeline().addLast("codec", new UpstreamCodec(decoder));
            ch.pipeline().addLast("upstream", new UpstreamHandler());
        }
    }

    @Override
    public void acquire(UpstreamGroup group, Peer peer, ProxyHeader proxyHeader, Callback callback) {
        UpstreamConnection pooled = idle.poll(group.name(), connectionKey(peer, proxyHeader));
        if (pooled != null) {
            callback.connected(pooled);
        } else {
            connect(group, peer, proxyHeader, callback);
        }
    }

    /** A connection that started with a PROXY header is the client connection's it was made for, as in HAProxy. */
    private static String connectionKey(Peer peer, ProxyHeader proxyHeader) {
        return proxyHeader == null ? peer.name() : peer.name() + " " + proxyHeader.connectionKey();
    }

    @Override
    public void connect(UpstreamGroup group, Peer peer, ProxyHeader proxyHeader, Callback callback) {
        ServerMetrics server = group.metrics(peer);
        int timeout = (int) Math.min(Integer.MAX_VALUE, group.spec().connectTimeout().toMillis());
        if (timeout != connectTimeoutMillis) {
            bootstrap.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeout);
            connectTimeoutMillis = timeout;
        }
        long start = System.nanoTime();
        // the header travels as an attribute of a copy of the bootstrap, so the pipeline has its writer before connecting
        Bootstrap b = proxyHeader == null ? bootstrap : bootstrap.clone().attr(ProxyHeaderWriter.HEADER, proxyHeader);
        ChannelFuture connecting = b.connect(peer.address());
        UpstreamTls tls = group.tls();
        // the pipeline exists (registration is done on this loop); the TLS handler goes before the HTTP codec (after
        // a PROXY header's writer: the header goes in clear) and starts its handshake once the connection is up,
        // which must finish within the connect timeout too
        SslHandler ssl = tls == null ? null
                : tls.newHandler(connecting.channel().alloc(), group.host(peer), peer.address().getPort(), timeout);
        if (ssl != null && proxyHeader != null) {
            connecting.channel().pipeline().addAfter(ProxyHeaderWriter.NAME, "tls", ssl);
        } else if (ssl != null) {
            connecting.channel().pipeline().addFirst("tls", ssl);
        }
        String key = connectionKey(peer, proxyHeader);
        connecting.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                callback.connectFailed(f.cause());
            } else if (ssl == null) {
                established(f.channel(), key, server, start, callback);
            } else {
                ssl.handshakeFuture().addListener(h -> {
                    if (h.isSuccess()) {
                        established(f.channel(), key, server, start, callback);
                    } else {
                        f.channel().close();
                        callback.connectFailed(h.cause());
                    }
                });
            }
        });
    }

    /** The connection is ready for requests; its connect time includes a TLS handshake, as nginx's does. */
    private static void established(Channel ch, String key, ServerMetrics server, long start, Callback callback) {
        server.connectTime().recordNanos(System.nanoTime() - start);
        server.connectionOpened();
        ch.closeFuture().addListener(closed -> server.connectionClosed());
        callback.connected(new UpstreamConnection(ch, key, server));
    }

    @Override
    public void release(UpstreamGroup group, UpstreamConnection connection, boolean reusable) {
        KeepaliveSpec k = group.spec().keepalive();
        if (reusable && connection.requests() < k.maxRequests() && connection.channel().isActive()) {
            idle.offer(group.name(), connection, k.idle(), k.idleTimeout().toNanos(), k.surplusTimeout().toNanos());
        } else {
            connection.close();
        }
    }

    /** Connections idling in this loop's pool. */
    public int idleCount() {
        return idle.idleCount();
    }

    /** Closes every idle connection, e.g. at shutdown. */
    public void closeAll() {
        idle.closeAll();
    }
}
