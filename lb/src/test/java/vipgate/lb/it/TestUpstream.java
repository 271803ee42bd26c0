package vipgate.lb.it;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * An upstream made in the test, for what nginx cannot easily do: answer slowly, reset, echo bodies, speak
 * WebSocket, count connections. Listens on 127.0.0.1 at a free port.
 */
final class TestUpstream implements AutoCloseable {

    /** What the server does with each complete request. */
    @FunctionalInterface
    interface Responder {
        void respond(ChannelHandlerContext ctx, FullHttpRequest request);
    }

    /** One request as the upstream received it. */
    record Seen(String method, String uri, HttpHeaders headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Channel server;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final List<Seen> seen = new CopyOnWriteArrayList<>();

    /** Listens, counting connections; {@code pipeline} sets up each one's handlers, which may record to this upstream. */
    private TestUpstream(BiConsumer<TestUpstream, ChannelPipeline> pipeline) {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        pipeline.accept(TestUpstream.this, ch.pipeline());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).syncUninterruptibly().channel();
    }

    private void saw(FullHttpRequest req, HttpHeaders headers, byte[] body) {
        requests.incrementAndGet();
        seen.add(new Seen(req.method().name(), req.uri(), headers, body));
    }

    /** An HTTP/1.1 server with keep-alive; requests are aggregated (up to 64 MiB) before {@code responder} runs. */
    static TestUpstream http(Responder responder) {
        return serving(HttpServerCodec::new, responder);
    }

    /**
     * A crafted backend: like {@link #http} but with no response encoder, so {@code responder} writes the
     * response's bytes itself ({@link #sendRaw}), however malformed.
     */
    static TestUpstream raw(Responder responder) {
        return serving(HttpRequestDecoder::new, responder);
    }

    static void sendRaw(ChannelHandlerContext ctx, String bytes) {
        ctx.writeAndFlush(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    private static TestUpstream serving(Supplier<ChannelHandler> codec, Responder responder) {
        return new TestUpstream((self, pipeline) -> pipeline.addLast(codec.get(), new RawHeaders(),
                new HttpObjectAggregator(64 << 20),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                        self.saw(req, rawHeaders(ctx), ByteBufUtil.getBytes(req.content()));
                        responder.respond(ctx, req);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        ctx.close();
                    }
                }));
    }

    /** A WebSocket echo server at {@code path}: every text frame comes back as it was sent. */
    static TestUpstream webSocketEcho(String path) {
        return new TestUpstream((self, pipeline) -> pipeline.addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof FullHttpRequest req) {
                            self.saw(req, req.headers().copy(), new byte[0]);
                        }
                        ctx.fireChannelRead(msg);
                    }
                },
                new WebSocketServerProtocolHandler(path),
                // clients fragment long messages (the JDK's into 16 KiB frames): echo whole messages
                new WebSocketFrameAggregator(1 << 20),
                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                        ctx.writeAndFlush(new TextWebSocketFrame("echo: " + frame.text()));
                    }
                }));
    }

    private static final AttributeKey<HttpHeaders> RAW = AttributeKey.valueOf("test-upstream-raw-headers");

    /** Keeps the request headers as they came, before the aggregator replaces Transfer-Encoding with Content-Length. */
    private static final class RawHeaders extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest req) {
                ctx.channel().attr(RAW).set(req.headers().copy());
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** The headers of the request being answered on this connection, as the proxy sent them. */
    static HttpHeaders rawHeaders(ChannelHandlerContext ctx) {
        return ctx.channel().attr(RAW).get();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    // ---- responders ----------------------------------------------------------------------------------

    static FullHttpResponse text(HttpResponseStatus status, String body) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return r;
    }

    /** Writes a response, honouring the request's keep-alive. */
    static void reply(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse response) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
        }
        var f = ctx.writeAndFlush(response);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Answers 200 with {@code body} to everything. */
    static Responder answering(String body) {
        return (ctx, req) -> reply(ctx, req, text(HttpResponseStatus.OK, body));
    }

    /** Answers 200 with {@code body} after {@code millis}. */
    static Responder slow(long millis, String body) {
        return (ctx, req) -> ctx.executor().schedule(() -> reply(ctx, req, text(HttpResponseStatus.OK, body)),
                millis, TimeUnit.MILLISECONDS);
    }

    /** Resets the connection (RST, SO_LINGER 0) once a request arrived: a crashing application. */
    static Responder resetting() {
        return (ctx, req) -> {
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            ctx.close();
        };
    }
}
