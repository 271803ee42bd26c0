package vipgate.lb.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.logging.Level;
import java.util.logging.Logger;
import vipgate.lb.OutOfMemory;
import vipgate.lb.http.ErrorPages;
import vipgate.lb.http.StrictRequestDecoder;
import vipgate.lb.metrics.ListenerMetrics;
import vipgate.lb.tls.TlsConnection;
import vipgate.transport.timer.Deadline;

/**
 * One client connection: waits for requests (under keepalive and header timeouts), runs them one at a time as
 * {@link ProxyExchange}s, holds back pipelined requests until the previous response is done, and drains on
 * shutdown.
 */
public final class FrontendHandler extends ChannelDuplexHandler {
    private static final Logger LOG = Logger.getLogger(FrontendHandler.class.getName());

    /** Fired on every client channel when the engine stops: finish the current request, then close. */
    public static final Object DRAIN = new Object();

    private final ProxyContext context;
    private final ProxyResponseEncoder encoder;
    private final UpstreamConnector connector;
    private final ListenerMetrics listener;
    /** What the connection's TLS negotiated; null on a plaintext listener. */
    private final TlsConnection tls;
    /** When the first byte of the request being waited for arrived. */
    private long requestStartNanos;
    private long bytesSent;
    private ChannelHandlerContext ctx;
    private ProxyExchange exchange;
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>();
    private Deadline waitForRequest;
    private ProxyExchange.Timers timers;
    private boolean nextRequestStarted;
    private int served;
    private boolean draining;
    /** A close was decided (error or end of keep-alive); nothing more is read or started. */
    private boolean closing;

    FrontendHandler(ProxyContext context, ProxyResponseEncoder encoder, ListenerMetrics listener,
            UpstreamConnector connector, TlsConnection tls) {
        this.context = context;
        this.tls = tls;
        this.encoder = encoder;
        this.listener = listener;
        this.connector = connector;
    }

    /**
     * Sits at the wire end of the pipeline and sees raw bytes both ways: counts them, and the first byte of a
     * request starts its clock and switches from the keepalive to the header timeout.
     */
    final class WireObserver extends ChannelDuplexHandler {
        @Override
        public void channelActive(ChannelHandlerContext c) {
            listener.connectionOpened();
            c.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext c) {
            listener.connectionClosed();
            c.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
            if (msg instanceof ByteBuf b) {
                listener.received(b.readableBytes());
                if (exchange == null && !nextRequestStarted && b.isReadable()) {
                    nextRequestStarted = true;
                    requestStartNanos = System.nanoTime();
                    waitForRequest.arm(context.routing().client().headerTimeout().toNanos());
                }
            }
            c.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext c, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf b) {
                bytesSent += b.readableBytes();
                listener.sent(b.readableBytes());
            }
            c.write(msg, promise);
        }
    }

    TlsConnection tls() {
        return tls;
    }

    ListenerMetrics listenerMetrics() {
        return listener;
    }

    /** Bytes written to this client so far. */
    long bytesSent() {
        return bytesSent;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.waitForRequest = new Deadline(ctx.executor(), this::onWaitExpired);
        this.timers = new ProxyExchange.Timers(
                new Deadline(ctx.executor(), () -> whileExchange(ProxyExchange::onUpstreamReadTimeout)),
                new Deadline(ctx.executor(), () -> whileExchange(ProxyExchange::onUpstreamSendTimeout)),
                new Deadline(ctx.executor(), () -> whileExchange(ProxyExchange::onClientBodyTimeout)),
                new Deadline(ctx.executor(), () -> whileExchange(ProxyExchange::onClientSendTimeout)));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        waitForRequest.arm(context.routing().client().headerTimeout().toNanos());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            encoder.requestReceived(request.method());
        }
        if (exchange != null) {
            if (msg instanceof HttpContent content && exchange.acceptsRequestContent()) {
                exchange.onRequestContent(content);
            } else {
                pipelined.add(msg);
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        begin(msg);
    }

    private void begin(Object msg) {
        if (msg instanceof StrictRequestDecoder.Rejected rejected) {
            waitForRequest.disarm();
            LOG.fine(() -> "refused request from " + ctx.channel().remoteAddress() + ": " + rejected.reason());
            respondAndClose(HttpResponseStatus.BAD_REQUEST, false);
        } else if (msg instanceof HttpRequest request) {
            waitForRequest.disarm();
            context.requests().increment();
            if (!context.budget().admit()) {
                boolean head = HttpMethod.HEAD.equals(request.method());
                ReferenceCountUtil.release(request);
                respondAndClose(HttpResponseStatus.SERVICE_UNAVAILABLE, head);
                return;
            }
            // a pipelined request's bytes came with an earlier one: its clock starts when it is taken up
            long start = nextRequestStarted && requestStartNanos != 0 ? requestStartNanos : System.nanoTime();
            requestStartNanos = 0;
            exchange = new ProxyExchange(this, ctx, context, request, served + 1, start, timers);
            exchange.start();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onClientReadComplete();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onClientWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void whileExchange(java.util.function.Consumer<ProxyExchange> expiry) {
        if (exchange != null) {
            expiry.accept(exchange);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        waitForRequest.cancel();
        timers.cancelAll();
        if (exchange != null) {
            ProxyExchange e = exchange;
            exchange = null;
            e.onClientClosed();
        }
        releasePipelined();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == BufferBudget.SHED) {
            if (exchange != null) {
                exchange.shed();
            } else if (!ctx.channel().isWritable()) {
                ctx.close();
            }
            return;
        }
        if (evt == DRAIN) {
            draining = true;
            if (exchange == null) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        OutOfMemory.check(cause);
        LOG.log(Level.FINE, "client connection " + ctx.channel().remoteAddress() + " failed", cause);
        ctx.close();
    }

    boolean isDraining() {
        return draining;
    }

    int served() {
        return served;
    }

    UpstreamConnector connector() {
        return connector;
    }

    /** The exchange wrote its whole response; keep the connection for the next request or close it. */
    void exchangeDone(boolean keepAlive) {
        exchange = null;
        served++;
        if (closing) {
            return;
        }
        if (!keepAlive || draining || !ctx.channel().isActive()) {
            closing = true;
            releasePipelined();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        nextRequestStarted = false;
        // Replay what arrived while the previous response was in flight: the next request and its body.
        while (!pipelined.isEmpty()) {
            Object next = pipelined.peek();
            if (exchange == null) {
                nextRequestStarted = true;
                begin(pipelined.poll());
            } else if (next instanceof HttpContent content && exchange.acceptsRequestContent()) {
                pipelined.poll();
                exchange.onRequestContent(content);
            } else {
                break;
            }
        }
        if (exchange != null) {
            // The replay was a batch of reads with no channelReadComplete after it: flush what it wrote upstream
            // now, or a pipelined request body waits in the upstream channel's buffer until the read timeout.
            exchange.onClientReadComplete();
        }
        if (exchange == null && !closing) {
            ctx.channel().config().setAutoRead(true);
            long keepalive = context.routing().client().keepaliveTimeout().toNanos();
            waitForRequest.arm(keepalive);
        }
    }

    private void onWaitExpired() {
        if (exchange != null) {
            return;
        }
        if (nextRequestStarted) {
            respondAndClose(HttpResponseStatus.REQUEST_TIMEOUT, false);
        } else {
            ctx.close();
        }
    }

    /**
     * Answers with the proxy's own error page and closes: used when the request cannot be trusted further.
     * {@code head}: the answer is to a HEAD request (the encoder writes no body then).
     */
    private void respondAndClose(HttpResponseStatus status, boolean head) {
        closing = true;
        context.errors().increment();
        listener.responses().count(status.code());
        FullHttpResponse response = ErrorPages.DEFAULT.response(ctx.alloc(), status, head);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        releasePipelined();
        ctx.channel().config().setAutoRead(false);
        long sentBefore = bytesSent;
        int body = response.content().readableBytes();
        // the encoder runs inside the write, so the bytes it produced are counted when it returns
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        long elapsed = nextRequestStarted && requestStartNanos != 0 ? System.nanoTime() - requestStartNanos : 0;
        context.accessLog().log(new RefusedRequest(ctx.channel(), tls, status.code(), bytesSent - sentBefore, body, elapsed));
    }

    private void releasePipelined() {
        Object m;
        while ((m = pipelined.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }
}
