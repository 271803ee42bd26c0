package vipgate.lb;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import vipgate.config.Binding;
import vipgate.config.ConfigLoader;
import vipgate.lb.config.LbConfig;
import vipgate.lb.metrics.LbMetrics;
import vipgate.lb.proxy.BufferBudget;
import vipgate.lb.proxy.ProxyContext;
import vipgate.lb.proxy.ProxyInitializer;
import vipgate.lb.proxy.Routing;
import vipgate.transport.Transports;

/**
 * Runs the proxy's code path a few hundred times at start-up, on loopback, against a throw-away upstream of its
 * own, so the first real requests do not pay for class loading and interpretation. That matters on the backup of
 * a VRRP pair: it serves nothing until the moment it becomes master, and a cold first request measurably
 * lengthened the failover gap (about 30 ms against keepalived + nginx, gone once warm). Best effort: it runs in
 * the background, touches nothing the configuration routes, and any failure only costs the warm-up.
 */
final class Warmup {
    private static final Logger LOG = Logger.getLogger(Warmup.class.getName());
    private static final int REQUESTS = 400;
    private static final int CONNECTIONS = 4;
    private static final byte[] BODY = "warm\n".getBytes(StandardCharsets.US_ASCII);

    private Warmup() {
    }

    /** Starts the warm-up on a daemon thread; {@code compile} turns a config into a routing snapshot. */
    static void inBackground(EventLoopGroup boss, EventLoopGroup workers, Transports transports,
            BiFunction<LbConfig, LbMetrics, Routing> compile) {
        Thread t = new Thread(() -> run(boss, workers, transports, compile), "vipgate-lb-warmup");
        t.setDaemon(true);
        t.start();
    }

    private static void run(EventLoopGroup boss, EventLoopGroup workers, Transports transports, BiFunction<LbConfig, LbMetrics, Routing> compile) {
        long started = System.nanoTime();
        DefaultChannelGroup channels = new DefaultChannelGroup("warmup", GlobalEventExecutor.INSTANCE);
        try {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            Channel upstream = new ServerBootstrap().group(boss, workers).channelFactory(transports.servers())
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            channels.add(ch);
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), new Answer());
                        }
                    })
                    .bind(new InetSocketAddress(loopback, 0)).syncUninterruptibly().channel();
            channels.add(upstream);
            int upstreamPort = ((InetSocketAddress) upstream.localAddress()).getPort();
            // the routing names the proxy's own port, known only once bound: bind on a placeholder, then swap
            // its own metrics, so warm-up requests never show in the engine's
            LbMetrics metrics = new LbMetrics();
            ProxyContext context = new ProxyContext(transports.clients(), compile.apply(config(upstreamPort, 1), metrics), metrics,
                    new BufferBudget(channels, 0));
            Channel proxy = new ServerBootstrap().group(boss, workers).channelFactory(transports.servers())
                    .childHandler(new ProxyInitializer(context, channels, metrics.listener("warmup")))
                    .bind(new InetSocketAddress(loopback, 0)).syncUninterruptibly().channel();
            channels.add(proxy);
            int proxyPort = ((InetSocketAddress) proxy.localAddress()).getPort();
            context.routing(compile.apply(config(upstreamPort, proxyPort), metrics));
            for (int c = 0; c < CONNECTIONS; c++) {
                exchange(loopback, proxyPort, REQUESTS / CONNECTIONS);
            }
            context.pools().forEach((loop, pool) -> loop.execute(pool::closeAll));
            LOG.info(() -> "proxy warmed up: " + REQUESTS + " requests on loopback in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        } catch (IOException | RuntimeException e) {
            LOG.info(() -> "proxy warm-up skipped: " + e);
            LOG.log(Level.FINE, "proxy warm-up failure", e);
        } finally {
            channels.close().awaitUninterruptibly();
        }
    }

    private static LbConfig config(int upstreamPort, int proxyPort) {
        return Binding.bind(ConfigLoader.parseString("""
                vipgate.lb {
                  upstreams.warmup.servers = [{ address = "127.0.0.1:%d" }]
                  servers = [{ listen = ["127.0.0.1:%d"], locations = [{ path = "/", upstream = warmup,
                    request-headers { X-Forwarded-For = "$proxy_add_x_forwarded_for" } }] }]
                }
                """.formatted(upstreamPort, proxyPort), "warm-up"), LbConfig::bind, "vipgate", "lb");
    }

    /** Keep-alive GETs on one connection; each response is read whole (Content-Length framed). */
    private static void exchange(InetAddress host, int port, int requests) throws IOException {
        byte[] request = "GET /warm HTTP/1.1\r\nHost: warmup\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < requests; i++) {
                out.write(request);
                out.flush();
                readResponse(in);
            }
        }
    }

    private static void readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("warm-up connection closed");
            }
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 200")) {
            throw new IOException("warm-up request answered " + head.toString().lines().findFirst().orElse(""));
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
    }

    private static final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(BODY));
            HttpUtil.setContentLength(res, BODY.length);
            ctx.writeAndFlush(res);
        }
    }
}
