package vipgate.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * keepalived's {@code HTTP_GET} / nginx's {@code health_check uri=}: one {@code GET} on a fresh connection;
 * healthy when the status is expected and, if asked, the body contains a string. The whole exchange,
 * connect included, is bounded by one timeout.
 */
public final class HttpGetChecker implements Checker {
    /** Body read when looking for {@code bodyContains}; a health page that hides its marker deeper is misdesigned. */
    static final int BODY_LIMIT = 64 * 1024;

    private final EventLoopGroup group;
    private final ChannelFactory<? extends Channel> channelFactory;
    private final InetSocketAddress target;
    private final String hostHeader;
    private final String path;
    private final StatusRange expected;
    private final Duration timeout;
    private final String bodyContains;
    private final byte[] needle;

    /**
     * @param channelFactory the socket transport (nio, epoll or io_uring) matching {@code group}
     * @param target a resolved address: resolving per probe would block an event loop on DNS
     * @param hostHeader the {@code Host} header; empty means the target's address (and port unless 80)
     * @param path the request target, starting with {@code /}
     * @param bodyContains text the body must contain within its first {@value #BODY_LIMIT} bytes; empty for no body check
     */
    public HttpGetChecker(EventLoopGroup group, ChannelFactory<? extends Channel> channelFactory, InetSocketAddress target,
            String hostHeader, String path, StatusRange expected, Duration timeout, String bodyContains) {
        this.group = Objects.requireNonNull(group, "group");
        this.channelFactory = Objects.requireNonNull(channelFactory, "channelFactory");
        this.target = TcpConnectChecker.requireResolved(target);
        this.hostHeader = hostHeader.isEmpty() ? hostHeader(target) : hostHeader;
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with /, got '" + path + "'");
        }
        this.path = path;
        this.expected = Objects.requireNonNull(expected, "expected");
        this.timeout = Details.requirePositive(timeout, "timeout");
        this.bodyContains = bodyContains;
        this.needle = bodyContains.getBytes(StandardCharsets.UTF_8);
    }

    static String hostHeader(InetSocketAddress target) {
        String host = target.getHostString();
        String bracketed = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return target.getPort() == 80 ? bracketed : bracketed + ":" + target.getPort();
    }

    @Override
    public CompletableFuture<CheckResult> check() {
        CompletableFuture<CheckResult> result = new CompletableFuture<>();
        long start = System.nanoTime();
        if (Details.completeIfShutDown(group, result, start)) {
            return result;
        }
        try {
            // One loop for the channel and the deadline, so the exchange's state needs no locking.
            EventLoop loop = group.next();
            Exchange exchange = new Exchange(result, start);
            ChannelFuture connect = new Bootstrap()
                    .group(loop)
                    .channelFactory(channelFactory)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), exchange);
                        }
                    })
                    .connect(target);
            Channel channel = connect.channel();
            connect.addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    exchange.finish(channel, false, Details.failure(f.cause()));
                }
            });
            ScheduledFuture<?> deadline = loop.schedule(() -> exchange.finish(channel, false, "timeout after " + Details.duration(timeout)
                    + (exchange.connected ? " waiting for response" : " connecting")), timeout.toNanos(), TimeUnit.NANOSECONDS);
            result.whenComplete((r, e) -> deadline.cancel(false));
        } catch (RuntimeException e) {
            // e.g. a loop that began shutting down after the check above
            result.complete(CheckResult.since(start, false, Details.failure(e)));
        }
        return result;
    }

    private FullHttpRequest request() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
        request.headers()
                .set(HttpHeaderNames.HOST, hostHeader)
                .set(HttpHeaderNames.USER_AGENT, "vipgate-health")
                .set(HttpHeaderNames.ACCEPT, "*/*")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return request;
    }

    /** The state of one probe; confined to its channel's event loop. */
    private final class Exchange extends SimpleChannelInboundHandler<HttpObject> {
        private final CompletableFuture<CheckResult> result;
        private final long start;
        private boolean connected;
        private int status;
        private byte[] body = new byte[0];

        Exchange(CompletableFuture<CheckResult> result, long start) {
            this.result = result;
            this.start = start;
        }

        void finish(Channel channel, boolean healthy, String detail) {
            if (result.complete(CheckResult.since(start, healthy, detail))) {
                channel.close();
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connected = true;
            ctx.writeAndFlush(request()).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (result.isDone()) {
                return;
            }
            if (msg.decoderResult().isFailure()) {
                finish(ctx.channel(), false, "bad response: " + Details.failure(msg.decoderResult().cause()));
                return;
            }
            if (msg instanceof HttpResponse response) {
                status = response.status().code();
                if (!expected.contains(status)) {
                    finish(ctx.channel(), false, "status " + status + " not in " + expected);
                    return;
                }
                if (needle.length == 0) {
                    finish(ctx.channel(), true, "status " + status);
                    return;
                }
            }
            if (msg instanceof HttpContent content) {
                readBody(ctx.channel(), content);
            }
        }

        private void readBody(Channel channel, HttpContent content) {
            ByteBuf buf = content.content();
            int searchFrom = Math.max(0, body.length - needle.length + 1);
            int n = Math.min(buf.readableBytes(), BODY_LIMIT - body.length);
            int old = body.length;
            body = Arrays.copyOf(body, old + n);
            buf.getBytes(buf.readerIndex(), body, old, n);
            if (indexOf(body, needle, searchFrom) >= 0) {
                finish(channel, true, "status " + status + ", body contains '" + bodyContains + "'");
            } else if (body.length == BODY_LIMIT) {
                finish(channel, false, "status " + status + " but the first " + BODY_LIMIT / 1024 + " KiB of the body lack '"
                        + bodyContains + "'");
            } else if (content instanceof LastHttpContent) {
                finish(channel, false, "status " + status + " but the body lacks '" + bodyContains + "'");
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            finish(ctx.channel(), false, "connection closed before the response was complete");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            finish(ctx.channel(), false, Details.failure(cause));
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public String toString() {
        return "http GET " + target + path;
    }
}
