package vipgate.appliance.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import vipgate.appliance.Appliance;
import vipgate.appliance.HttpText;
import vipgate.appliance.metrics.PrometheusText;
import vipgate.config.ConfigException;

/**
 * The admin API: {@code GET /status} (JSON), {@code GET /metrics} (Prometheus), {@code GET /histograms[/NAME]}
 * (HdrHistogram percentile tables), {@code GET /events} (VRRP transitions, oldest first), {@code POST /reload},
 * {@code POST /vrrp/handover} (a planned VRRP handover, see {@link Appliance#handover}),
 * {@code GET /healthz}. It runs on its own
 * small event loop so a busy proxy never delays an operator, and reloads run off that loop too. Who may call it is
 * {@link AdminGuard}'s to say; {@link AdminTimeouts} and a connection cap keep slow or many clients from holding it.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AdminServer.class.getName());
    private static final Duration REFUSAL_LOG_INTERVAL = Duration.ofMinutes(1);
    private final Appliance appliance;
    private final AdminConfig config;
    private final AdminGuard guard;
    /** Open admin connections; only the admin loop's one thread touches it. */
    private int open;
    private int refusedSinceLog;
    private long lastRefusalLog = System.nanoTime() - REFUSAL_LOG_INTERVAL.toNanos();
    private EventLoopGroup group;

    public AdminServer(Appliance appliance, AdminConfig config) {
        this.appliance = appliance;
        this.config = config;
        this.guard = new AdminGuard(config);
    }

    public void start() {
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("vipgate-admin", true), NioIoHandler.newFactory());
        try {
            new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (open >= config.maxConnections()) {
                                refuse(ch);
                                return;
                            }
                            open++;
                            ch.closeFuture().addListener(f -> open--);
                            ch.pipeline().addLast(new HttpServerCodec(),
                                    new AdminTimeouts(config.requestTimeout(), config.idleTimeout()),
                                    new HttpObjectAggregator(64 * 1024), new Handler());
                        }
                    })
                    .bind(config.listen().resolve()).syncUninterruptibly();
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot start the admin API on " + config.listen() + ": " + e.getMessage()
                    + " (change vipgate.admin.listen)", e);
        }
    }

    /** Over the cap: a 503 and close, so an operator's curl says why; logged at most once a minute. */
    private void refuse(Channel ch) {
        String body = "too many admin connections (vipgate.admin.max-connections = " + config.maxConnections() + ")\n";
        ch.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body, StandardCharsets.US_ASCII))
                .addListener(ChannelFutureListener.CLOSE);
        refusedSinceLog++;
        long now = System.nanoTime();
        if (now - lastRefusalLog >= REFUSAL_LOG_INTERVAL.toNanos()) {
            LOG.warning(refusedSinceLog + " admin connection(s) refused: " + config.maxConnections()
                    + " already open (vipgate.admin.max-connections)");
            refusedSinceLog = 0;
            lastRefusalLog = now;
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (req.decoderResult().isFailure()) {
                HttpText.reply(ctx, false, HttpResponseStatus.BAD_REQUEST, "text/plain", "malformed request\n");
                return;
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            AdminGuard.Refusal refusal = guard.check(req);
            if (refusal != null) {
                HttpText.reply(ctx, keepAlive, refusal.status(), "text/plain", refusal.reason());
                return;
            }
            try {
                route(ctx, req, keepAlive);
            } catch (RuntimeException e) {
                // a failing endpoint answers 500 (and is logged) rather than leaving the operator's curl hanging
                LOG.log(Level.WARNING, "admin API " + req.method() + " " + req.uri() + " failed", e);
                HttpText.reply(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain",
                        "internal error: " + e + " (details in the log)\n");
            }
        }

        private void route(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive) {
            String path = req.uri().split("\\?", 2)[0];
            if (path.equals("/healthz") && req.method().equals(HttpMethod.GET)) {
                HttpText.reply(ctx, keepAlive, HttpResponseStatus.OK, "text/plain", "ok\n");
            } else if (path.equals("/status") && req.method().equals(HttpMethod.GET)) {
                boolean text = new QueryStringDecoder(req.uri()).parameters().getOrDefault("format", List.of()).contains("text");
                if (text) {
                    HttpText.reply(ctx, keepAlive, HttpResponseStatus.OK, "text/plain", appliance.statusText());
                } else {
                    HttpText.reply(ctx, keepAlive, HttpResponseStatus.OK, "application/json", appliance.statusJson() + "\n");
                }
            } else if (path.equals("/metrics") && req.method().equals(HttpMethod.GET)) {
                HttpText.reply(ctx, keepAlive, HttpResponseStatus.OK, PrometheusText.CONTENT_TYPE, appliance.metricsText());
            } else if ((path.equals("/histograms") || path.equals("/histograms/")) && req.method().equals(HttpMethod.GET)) {
                HttpText.reply(ctx, keepAlive, HttpResponseStatus.OK, "text/plain", String.join("\n", appliance.histogramNames()) + "\n");
            } else if (path.startsWith("/histograms/") && req.method().equals(HttpMethod.GET)) {
                String name = QueryStringDecoder.decodeComponent(path.substring("/histograms/".length()));
                Optional<String> text = appliance.histogramText(name);
                if (text.isPresent()) {
                    HttpText.reply(ctx, keepAlive, HttpResponseStatus.OK, "text/plain", text.get());
                } else {
                    HttpText.reply(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "text/plain",
                            "no histogram named '" + name + "'; GET /histograms lists them\n");
                }
            } else if (path.equals("/events") && req.method().equals(HttpMethod.GET)) {
                HttpText.reply(ctx, keepAlive, HttpResponseStatus.OK, "application/json", appliance.eventsJson() + "\n");
            } else if (path.equals("/reload") && req.method().equals(HttpMethod.POST)) {
                CompletableFuture.runAsync(appliance::reload).whenComplete((ok, error) -> ctx.executor().execute(() -> {
                    if (error == null) {
                        HttpText.reply(ctx, keepAlive, HttpResponseStatus.OK, "text/plain", "reloaded\n");
                    } else {
                        Throwable cause = error.getCause() != null ? error.getCause() : error;
                        String why = cause instanceof ConfigException ? cause.getMessage() : String.valueOf(cause);
                        HttpText.reply(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, "text/plain",
                                "reload refused; the previous configuration is still running:\n" + why + "\n");
                    }
                }));
            } else if (path.equals("/vrrp/handover") && req.method().equals(HttpMethod.POST)) {
                CompletableFuture.supplyAsync(appliance::handover).whenComplete((result, error) -> ctx.executor().execute(() -> {
                    if (error != null) {
                        HttpText.reply(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain", "handover failed: "
                                + (error.getCause() != null ? error.getCause() : error) + "\n");
                    } else {
                        handoverReply(ctx, keepAlive, result);
                    }
                }));
            } else {
                HttpText.reply(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "text/plain",
                        "unknown endpoint; try GET /status, /metrics, /histograms, /events, /healthz or POST /reload, /vrrp/handover\n");
            }
        }

        /** 200 when every master instance was taken over, 409 when there was none or one stayed master. */
        private void handoverReply(ChannelHandlerContext ctx, boolean keepAlive, Map<String, Boolean> result) {
            StringBuilder text = new StringBuilder();
            result.forEach((instance, taken) -> text.append(instance).append(taken ? ": handed over, now backup\n"
                    : ": still master: no backup took over within a master-down interval\n"));
            if (result.isEmpty()) {
                text.append("no VRRP instance is master on this box: nothing to hand over\n");
            }
            boolean ok = !result.isEmpty() && !result.containsValue(false);
            HttpText.reply(ctx, keepAlive, ok ? HttpResponseStatus.OK : HttpResponseStatus.CONFLICT, "text/plain", text.toString());
        }
    }

    @Override
    public void close() {
        if (group != null) {
            // bounded: a loop that died (e.g. its jar replaced under it) must not keep the process from exiting
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
