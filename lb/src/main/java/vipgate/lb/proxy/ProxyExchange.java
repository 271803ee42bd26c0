package vipgate.lb.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import vipgate.lb.config.BufferingSpec;
import vipgate.lb.config.ClientSpec;
import vipgate.lb.config.NextUpstreamSpec;
import vipgate.lb.config.NextUpstreamSpec.RetryOn;
import vipgate.lb.config.UpstreamSpec;
import vipgate.lb.http.ErrorPages;
import vipgate.lb.http.HopByHop;
import vipgate.lb.http.RequestTarget;
import vipgate.lb.http.RequestVariables;
import vipgate.lb.http.StrictRequestDecoder;
import vipgate.lb.metrics.ListenerMetrics;
import vipgate.lb.metrics.ServerMetrics;
import vipgate.lb.metrics.UpstreamFailure;
import vipgate.lb.pool.LoopPool;
import vipgate.lb.pool.UpstreamConnection;
import vipgate.lb.route.Location;
import vipgate.lb.route.Router;
import vipgate.lb.timer.Deadline;
import vipgate.lb.upstream.Peer;
import vipgate.lb.upstream.Selection;
import vipgate.lb.upstream.SelectionContext;

/**
 * One request on its way through the proxy, confined to the client connection's event loop (the upstream
 * connection is made on the same loop, so nothing crosses threads).
 *
 * <p>Bodies stream in both directions and are never aggregated: a side that cannot keep up stops the other
 * side's reads (autoRead) until it drains. The first {@value #REPLAY_LIMIT} bytes of a request body are kept so
 * the request can still be retried on another server; beyond that, a retry is possible only before any of the
 * body was sent. A retry never happens once a response byte reached the client.
 */
final class ProxyExchange implements RequestVariables {
    private static final Logger LOG = Logger.getLogger(ProxyExchange.class.getName());
    /** Request body bytes kept for a retry, like nginx's client_body_buffer_size (but never spilled to disk). */
    static final int REPLAY_LIMIT = 64 * 1024;

    enum Failure { CONNECT, CONNECT_TIMEOUT, READ_TIMEOUT, SEND_TIMEOUT, CLOSED, RESET, INVALID_RESPONSE }

    private final FrontendHandler frontend;
    private final ChannelHandlerContext ctx;
    private final ProxyContext context;
    private final HttpRequest request;
    private final int requestNumber;
    private final Routing routing;
    private final ClientSpec client;
    /** When the first byte of this request arrived (its head was decoded later). */
    private final long startNanos;
    private final ListenerMetrics listener;
    private final long bytesSentBefore;

    private Location location;
    private UpstreamGroup group;
    private ErrorPages errorPages = ErrorPages.DEFAULT;
    private String host = "";
    /** The authority of an absolute-form target ("GET http://host:port/path"), null for origin-form. */
    private String targetAuthority;
    private boolean head;
    private boolean webSocket;
    private boolean idempotent;
    private boolean expectContinue;
    private boolean continueSent;
    private boolean hasBody;

    /** Body received from the client, kept while it may still be replayed or is not yet sent. */
    private final List<HttpContent> held = new ArrayList<>();
    private long heldBytes;
    private long bodyBytes;
    /** Some body bytes were sent and dropped: the request can no longer be replayed. */
    private boolean bodyDropped;
    private boolean requestComplete;

    private SelectionContext selection;
    private Peer peer;
    private UpstreamConnection conn;
    private boolean requestSent;
    private int attempts;
    private RetryOn lastFailure;
    private HttpRequest upstreamHead;
    private final UpstreamTrail trail = new UpstreamTrail();
    /** When the request head went to the current server. */
    private long sentNanos;
    /** The server whose response the client gets, for its whole-request latency. */
    private ServerMetrics answeredBy;
    /** The status the client was sent, 0 before one was. */
    private int status;
    private long bodyBytesSent;

    private boolean responseStarted;
    private boolean skippingInterim;
    private boolean upstreamKeepAlive;
    private boolean readUntilClose;
    private boolean keepClient;
    private boolean tunnel;
    private boolean done;
    private boolean clientNeedsFlush;
    private boolean upstreamNeedsFlush;
    /** Response bytes read ahead of a slow client (proxy-buffering.responses), null while none wait. */
    private BodySpool spool;
    /** The server's part is over (its connection released); the exchange ends when the spool is drained. */
    private boolean drainingSpool;
    /** The request body while it is buffered (proxy-buffering.requests), and while it is sent from its file. */
    private BodySpool requestSpool;

    private final Deadline upstreamRead;
    private final Deadline upstreamSend;
    private final Deadline clientBody;
    private final Deadline clientSend;

    ProxyExchange(FrontendHandler frontend, ChannelHandlerContext ctx, ProxyContext context, HttpRequest request,
            int requestNumber, long startNanos, Timers timers) {
        this.frontend = frontend;
        this.startNanos = startNanos;
        this.listener = frontend.listenerMetrics();
        this.bytesSentBefore = frontend.bytesSent();
        this.ctx = ctx;
        this.context = context;
        this.request = request;
        this.requestNumber = requestNumber;
        this.routing = context.routing();
        this.client = routing.client();
        this.upstreamRead = timers.upstreamRead();
        this.upstreamSend = timers.upstreamSend();
        this.clientBody = timers.clientBody();
        this.clientSend = timers.clientSend();
    }

    // ---- request side ---------------------------------------------------------------------------------------

    /** The connection's deadlines, lent to one exchange at a time; their expiry calls back into that exchange. */
    record Timers(Deadline upstreamRead, Deadline upstreamSend, Deadline clientBody, Deadline clientSend) {
        void cancelAll() {
            upstreamRead.cancel();
            upstreamSend.cancel();
            clientBody.cancel();
            clientSend.cancel();
        }
    }

    void onUpstreamReadTimeout() {
        onUpstreamFailure(Failure.READ_TIMEOUT, null);
    }

    void onUpstreamSendTimeout() {
        onUpstreamFailure(Failure.SEND_TIMEOUT, null);
    }

    void onClientSendTimeout() {
        abort();
    }

    /** Cuts this exchange to free its buffers for the {@link BufferBudget}. */
    void shed() {
        if (!done) {
            context.budget().shedOne();
            LOG.fine(() -> "cutting " + request.method() + " " + request.uri() + " to " + ctx.channel().remoteAddress()
                    + ": the buffer budget is spent and this client does not keep up");
            // the client's fault, not the server's: its passive health is left alone
            cut(false);
        }
    }

    void start() {
        HttpResponseStatus refusal = validate();
        if (refusal != null) {
            boolean bodyPending = bodyMayFollow(request);
            requestComplete = !bodyPending;
            respondError(refusal, refusal != HttpResponseStatus.NOT_FOUND || bodyPending);
            return;
        }
        UpstreamSpec spec = group.spec();
        NextUpstreamSpec next = spec.nextUpstream();
        String hashKey = group.hashKey().isEmpty() ? null : group.hashKey().evaluate(this);
        selection = SelectionContext.forRequest(hashKey, next.tries());
        upstreamHead = upstreamRequest();
        ctx.channel().config().setAutoRead(false);
        clientBody.arm(client.bodyTimeout().toNanos());
        if (routing.buffering().requests() && hasBody && !webSocket) {
            // the whole body first, then a server (nginx proxy_request_buffering)
            BufferingSpec b = routing.buffering();
            requestSpool = new BodySpool(b.memory(), b.maxTempFile(), b.tempPath());
            sendContinue();
            ctx.channel().config().setAutoRead(true);
            return;
        }
        attempt();
    }

    private void sendContinue() {
        if (expectContinue && !continueSent && !requestComplete) {
            continueSent = true;
            frontend.encoder().headResponse(false);
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
    }

    /** A request body is buffered until its end, then the request goes to a server. */
    private void onRequestContentBuffered(HttpContent content) {
        try {
            requestSpool.add(content);
        } catch (java.io.UncheckedIOException e) {
            requestSpoolFailed(e);
            return;
        }
        if (!requestComplete) {
            if (requestSpool.full()) {
                respondError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, true);
            }
            return;
        }
        ctx.channel().config().setAutoRead(false);
        if (!requestSpool.spilled()) {
            // all in memory: held like a streamed body's first bytes, so a retry can resend it
            for (HttpContent c; (c = requestSpool.next(ctx.alloc())) != null; ) {
                held.add(c);
                heldBytes += c.content().readableBytes();
            }
            requestSpool.release();
            requestSpool = null;
        }
        attempt();
    }

    private void requestSpoolFailed(java.io.UncheckedIOException e) {
        LOG.warning(() -> e.getMessage() + "; answering 500");
        respondError(HttpResponseStatus.INTERNAL_SERVER_ERROR, true);
    }

    /** Sends the buffered request body from its file as fast as the server takes it. */
    private void pumpRequestBody() {
        Channel ch = conn.channel();
        try {
            // a write that fills the buffer flushes, and on epoll/nio that flush can drain it and call back in here
            // (writability): the nested call may finish the spool or lose the connection, so both are re-read
            for (HttpContent next; requestSpool != null && conn != null && ch.isWritable()
                    && (next = requestSpool.next(ctx.alloc())) != null; ) {
                writeUpstream(next);
            }
        } catch (java.io.UncheckedIOException e) {
            requestSpoolFailed(e);
            return;
        }
        if (requestSpool != null && conn != null && requestSpool.isEmpty()) {
            requestSpool.release();
            requestSpool = null;
            ch.flush();
            upstreamNeedsFlush = false;
            upstreamRead.arm(group.spec().readTimeout().toNanos());
        }
    }

    /**
     * Whether body bytes may follow the head of a refused request. A head the decoder refused keeps its headers
     * as sent, so Content-Length may not be a number ("5, 3", "abc"): that is unknown framing, answered by
     * closing, never an exception (which would drop the connection without the 400).
     */
    private static boolean bodyMayFollow(HttpRequest request) {
        if (HttpUtil.isTransferEncodingChunked(request)) {
            return true;
        }
        try {
            return HttpUtil.getContentLength(request, 0L) > 0;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    /** Returns the status that refuses the request, or null when it may be proxied. */
    private HttpResponseStatus validate() {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            LOG.fine(() -> "malformed request from " + ctx.channel().remoteAddress() + ": " + cause);
            if (cause instanceof TooLongHttpLineException) {
                return HttpResponseStatus.REQUEST_URI_TOO_LONG;
            }
            if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
                return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            }
            return HttpResponseStatus.BAD_REQUEST;
        }
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || version.minorVersion() > 1) {
            // e.g. "HTTP/2.0" on an HTTP/1 connection: nginx answers 505 too (it takes HTTP/1.2 as 1.1; this is stricter)
            return HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED;
        }
        HttpHeaders h = request.headers();
        if (h.size() > client.maxHeaders()) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1 || (hosts.isEmpty() && request.protocolVersion().equals(HttpVersion.HTTP_1_1))) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        String path = RequestTarget.routablePath(request.uri());
        if (path == null) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        // RFC 9112 3.2.2: the host of an absolute-form target wins over the Host header. Routing by one while the
        // upstream (which is given the same target) serves the other would let a request reach another vhost.
        targetAuthority = RequestTarget.absoluteFormAuthority(request.uri());
        String hostSource = targetAuthority != null ? targetAuthority : hosts.isEmpty() ? null : hosts.get(0);
        host = hostSource == null ? "" : RequestTarget.normaliseHost(hostSource);
        if (host == null) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        head = HttpMethod.HEAD.equals(request.method());
        Router.Route route = routing.router().route((InetSocketAddress) ctx.channel().localAddress(), host, path);
        if (route != null) {
            errorPages = route.host().errorPages();
        }
        if (route == null || route.location() == null) {
            return HttpResponseStatus.NOT_FOUND;
        }
        location = route.location();
        group = routing.upstreams().get(location.upstream());
        String expect = h.get(HttpHeaderNames.EXPECT);
        if (expect != null) {
            if (!HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim())) {
                return HttpResponseStatus.EXPECTATION_FAILED;
            }
            expectContinue = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
        }
        long length = HttpUtil.getContentLength(request, -1L);
        if (client.maxBodySize() > 0 && length > client.maxBodySize()) {
            return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
        }
        hasBody = length > 0 || HttpUtil.isTransferEncodingChunked(request);
        webSocket = HopByHop.isWebSocketUpgrade(request);
        HttpMethod m = request.method();
        idempotent = !(HttpMethod.POST.equals(m) || HttpMethod.PATCH.equals(m) || "LOCK".equals(m.name()));
        return null;
    }

    private HttpRequest upstreamRequest() {
        HttpHeaders headers = request.headers().copy();
        HopByHop.strip(headers);
        headers.remove(HttpHeaderNames.EXPECT);
        if (targetAuthority != null) {
            // forwarded in origin-form, so the host the request was routed on travels in Host
            headers.set(HttpHeaderNames.HOST, targetAuthority);
        }
        if (webSocket) {
            headers.set(HttpHeaderNames.UPGRADE, request.headers().get(HttpHeaderNames.UPGRADE));
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        location.requestHeaders().apply(headers, this);
        // The body goes upstream framed the way it was decoded, whatever Connection named or a header rule set:
        // any other framing would let the next hop read part of it as a request this proxy never routed.
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        if (HttpUtil.isTransferEncodingChunked(request)) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (HttpUtil.isContentLengthSet(request)) {
            headers.set(HttpHeaderNames.CONTENT_LENGTH, HttpUtil.getContentLength(request));
        }
        if (!headers.contains(HttpHeaderNames.HOST)) {
            headers.set(HttpHeaderNames.HOST, request.headers().contains(HttpHeaderNames.HOST)
                    ? request.headers().get(HttpHeaderNames.HOST) : proxyHost());
        }
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), RequestTarget.originForm(request.uri()), headers);
    }

    boolean acceptsRequestContent() {
        return !requestComplete && !tunnel;
    }

    void onRequestContent(HttpContent content) {
        if (done) {
            content.release();
            return;
        }
        int size = content.content().readableBytes();
        bodyBytes += size;
        boolean last = content instanceof LastHttpContent;
        if (content.decoderResult().isFailure()) {
            content.release();
            respondError(HttpResponseStatus.BAD_REQUEST, true);
            return;
        }
        if (client.maxBodySize() > 0 && bodyBytes > client.maxBodySize()) {
            content.release();
            respondError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, true);
            return;
        }
        if (last) {
            requestComplete = true;
            clientBody.disarm();
        } else {
            clientBody.touch();
        }
        if (requestSpool != null) {
            onRequestContentBuffered(content);
            return;
        }
        boolean connected = conn != null && requestSent;
        if (!connected || (!bodyDropped && heldBytes + size <= REPLAY_LIMIT)) {
            held.add(content);
            heldBytes += size;
            if (connected) {
                writeUpstream(content.retainedDuplicate());
            }
        } else {
            dropHeld();
            writeUpstream(content);
        }
        if (requestComplete && connected) {
            upstreamRead.arm(group.spec().readTimeout().toNanos());
        }
    }

    void onClientBytes(ByteBuf bytes) {
        if (tunnel && conn != null && !done) {
            upstreamRead.touch();
            writeUpstream(bytes);
        } else {
            bytes.release();
        }
    }

    void onClientReadComplete() {
        if (upstreamNeedsFlush && conn != null) {
            upstreamNeedsFlush = false;
            conn.channel().flush();
        }
    }

    private void writeUpstream(Object msg) {
        Channel ch = conn.channel();
        // a failed write fires exceptionCaught on the upstream pipeline, which UpstreamHandler reports as a reset
        ch.write(msg, ch.voidPromise());
        upstreamNeedsFlush = ch.isWritable();
        if (!upstreamNeedsFlush) {
            flushFull(ctx.channel(), upstreamSend, group.spec().sendTimeout().toNanos(), ch::flush);
        }
    }

    /**
     * Flushes a side whose outbound buffer is over its high-water mark: stops reading the side that feeds it and
     * arms its send timeout until channelWritabilityChanged says it drained. Both happen before the flush, because
     * on epoll and nio the flush can drain the buffer into the socket at once and fire that event from inside it;
     * pausing after it would pause for good (the body stopped at ~100 kB until the read timeout). io_uring's
     * writes complete later, which is why it never showed.
     */
    private static void flushFull(Channel feeder, Deadline sendTimeout, long timeoutNanos, Runnable flush) {
        if (feeder != null) {
            feeder.config().setAutoRead(false);
        }
        sendTimeout.arm(timeoutNanos);
        flush.run();
    }

    void onUpstreamWritabilityChanged(boolean writable) {
        if (writable) {
            upstreamSend.disarm();
            if (requestSpool != null && conn != null && !done) {
                pumpRequestBody();
            }
            if (!done && (!requestComplete || tunnel)) {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }

    void onClientBodyTimeout() {
        if (!requestComplete && !done && !tunnel) {
            respondError(HttpResponseStatus.REQUEST_TIMEOUT, true);
        }
    }

    /** Releases held body content once it can no longer be replayed. */
    private void dropHeld() {
        if (!held.isEmpty()) {
            held.forEach(HttpContent::release);
            held.clear();
        }
        heldBytes = 0;
        bodyDropped = true;
    }

    // ---- choosing and reaching a server ------------------------------------------------------------------

    private void attempt() {
        Selection s = group.select(selection);
        if (!s.isSelected()) {
            HttpResponseStatus status = s.outcome() == Selection.Outcome.ALL_BUSY ? HttpResponseStatus.SERVICE_UNAVAILABLE
                    : lastFailure == RetryOn.TIMEOUT ? HttpResponseStatus.GATEWAY_TIMEOUT
                    : HttpResponseStatus.BAD_GATEWAY;
            group.metrics().noServerAvailable();
            if (attempts == 0) {
                LOG.warning(() -> "no live upstreams in '" + group.name() + "' for " + request.method() + " " + request.uri());
            }
            respondError(status, bodyOutstanding());
            return;
        }
        peer = s.peer();
        attempts++;
        if (attempts > 1) {
            context.retries().increment();
            group.metrics().retried();
        }
        trail.begin(peer.name(), System.nanoTime());
        LoopPool pool = context.pool(ctx.channel().eventLoop());
        UpstreamConnection pooled = pool.poll(group.name(), peer.name());
        if (pooled != null) {
            trail.connected(System.nanoTime());
            onConnected(pooled);
        } else {
            connect();
        }
    }

    private void connect() {
        UpstreamSpec spec = group.spec();
        Peer target = peer;
        ServerMetrics server = group.metrics(target);
        long connectStart = System.nanoTime();
        Bootstrap b = new Bootstrap()
                .group(ctx.channel().eventLoop())
                .channelFactory(context.upstreamChannels())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, spec.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, ctx.alloc())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        HttpDecoderConfig decoder = new HttpDecoderConfig()
                                .setMaxInitialLineLength(client.maxUri())
                                .setMaxHeaderSize(client.maxHeaderSize())
                                .setMaxChunkSize(64 * 1024);
                        ch.pipeline().addLast("codec", new UpstreamCodec(decoder));
                        ch.pipeline().addLast("upstream", new UpstreamHandler());
                    }
                });
        b.connect(target.address()).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                long now = System.nanoTime();
                server.connectTime().recordNanos(now - connectStart);
                server.connectionOpened();
                f.channel().closeFuture().addListener(closed -> server.connectionClosed());
                if (done || target != peer) {
                    f.channel().close();
                    return;
                }
                trail.connected(now);
                onConnected(new UpstreamConnection(f.channel(), target.name(), server));
            } else if (done || target != peer) {
                return;
            } else {
                onUpstreamFailure(f.cause() instanceof ConnectTimeoutException ? Failure.CONNECT_TIMEOUT : Failure.CONNECT,
                        f.cause());
            }
        });
    }

    private void onConnected(UpstreamConnection c) {
        conn = c;
        c.startRequest();
        c.channel().pipeline().get(UpstreamHandler.class).bind(this);
        c.channel().config().setAutoRead(true);
        requestSent = true;
        // the encoder only reads the head, so every attempt can write the same one
        writeUpstream(upstreamHead);
        for (HttpContent content : held) {
            writeUpstream(content.retainedDuplicate());
        }
        if (heldBytes > REPLAY_LIMIT) {
            dropHeld();
        }
        c.channel().flush();
        upstreamNeedsFlush = false;
        sentNanos = System.nanoTime();
        sendContinue();
        if (requestSpool != null) {
            // read back from the file once: no retry once any of it was sent
            bodyDropped = true;
            pumpRequestBody();
        } else if (requestComplete) {
            upstreamRead.arm(group.spec().readTimeout().toNanos());
        } else if (c.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    // ---- response side ---------------------------------------------------------------------------------

    void onUpstreamRead(Object msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        upstreamRead.touch();
        if (tunnel) {
            if (msg instanceof ByteBuf) {
                writeClient(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (msg instanceof HttpResponse response) {
            onResponseHead(response);
            if (done || conn == null) {
                ReferenceCountUtil.release(msg);
                return;
            }
        }
        if (msg instanceof HttpContent content) {
            if (skippingInterim) {
                skippingInterim = !(content instanceof LastHttpContent);
                content.release();
                return;
            }
            if (!responseStarted) {
                content.release();
                return;
            }
            if (content.decoderResult().isFailure()) {
                // e.g. a corrupt chunk: the decoder ends the body there, but the client must see it truncated
                // (the connection closes without the last chunk), never a clean end. nginx closes, HAProxy sends 502.
                content.release();
                onUpstreamFailure(Failure.INVALID_RESPONSE, content.decoderResult().cause());
                return;
            }
            boolean last = content instanceof LastHttpContent;
            if (spool != null || (routing.buffering().responses() && !ctx.channel().isWritable())) {
                spoolContent(content);
            } else {
                writeClient(content);
            }
            if (last && !done) {
                onResponseComplete();
            }
        } else if (!(msg instanceof HttpResponse)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onResponseHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            LOG.warning(() -> "upstream " + peer.name() + " sent an invalid response: " + response.decoderResult().cause());
            onUpstreamFailure(Failure.INVALID_RESPONSE, response.decoderResult().cause());
            return;
        }
        int code = response.status().code();
        if (code >= 100 && code < 200 && code != 101) {
            skippingInterim = true;
            return;
        }
        long now = System.nanoTime();
        trail.headerReceived(code, now);
        ServerMetrics server = group.metrics(peer);
        server.responseTime().recordNanos(now - sentNanos);
        server.responses().count(code);
        if (code == 101) {
            if (webSocket) {
                startTunnel(response);
            } else {
                onUpstreamFailure(Failure.INVALID_RESPONSE, null);
            }
            return;
        }
        RetryOn byStatus = RetryOn.forStatus(code);
        if (byStatus != null && mayRetry(byStatus, true)) {
            LOG.info(() -> "upstream " + peer.name() + " answered " + code + " to " + request.method() + " " + request.uri()
                    + "; trying the next server");
            lastFailure = byStatus;
            finishAttempt(true, false);
            attempt();
            return;
        }
        startResponse(response);
    }

    private void startResponse(HttpResponse response) {
        responseStarted = true;
        clientBody.disarm();
        int code = response.status().code();
        status = code;
        answeredBy = group.metrics(peer);
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        learnServerIdleLimit(response.headers().get(HttpHeaderNames.KEEP_ALIVE));
        boolean bodiless = head || code == 204 || code == 304;
        boolean framed = HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response);
        readUntilClose = !bodiless && !framed;
        boolean chunkedUpstream = HttpUtil.isTransferEncodingChunked(response);
        String length = chunkedUpstream ? null : response.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        // the decoded response is ours alone: edit its headers in place rather than copying them
        HttpHeaders headers = response.headers();
        HopByHop.strip(headers);
        location.responseHeaders().apply(headers, this);
        // Framing is set last, by the proxy: neither the server's Connection header nor a header rule may leave
        // a kept-alive client unable to find the end of the body.
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        boolean http11Client = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
        boolean closeAfter = false;
        if (!bodiless && (chunkedUpstream || readUntilClose)) {
            if (http11Client) {
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else {
                closeAfter = true;
            }
        } else if (head && chunkedUpstream && http11Client) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (length != null) {
            headers.set(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        keepClient = HttpUtil.isKeepAlive(request) && !closeAfter && !frontend.isDraining()
                && requestNumber < client.keepaliveRequests() && !client.keepaliveTimeout().isZero()
                && (requestComplete || !hasBody);
        if (!keepClient) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!http11Client) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        frontend.encoder().headResponse(head);
        HttpResponse out = new DefaultHttpResponse(request.protocolVersion(), response.status(), headers);
        writeClient(out);
    }

    private void learnServerIdleLimit(String keepAlive) {
        if (keepAlive == null) {
            return;
        }
        for (String part : keepAlive.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.startsWith("timeout=")) {
                try {
                    long seconds = Long.parseLong(p.substring("timeout=".length()).trim());
                    // leave a second of margin so the server never closes a connection we are about to reuse;
                    // timeout=1 (or 0) leaves none, so keep such a connection only briefly. The limit must stay
                    // above 0, which the pool reads as "no limit known" (it kept timeout=1 connections for 60s).
                    long limit = seconds > 1 ? TimeUnit.SECONDS.toNanos(seconds - 1)
                            : seconds == 1 ? TimeUnit.MILLISECONDS.toNanos(500) : 1;
                    conn.serverIdleLimitNanos(limit);
                } catch (NumberFormatException ignored) {
                    // a malformed hint is ignored, as browsers do
                }
            }
        }
    }

    private void writeClient(Object msg) {
        if (msg instanceof HttpContent content) {
            bodyBytesSent += content.content().readableBytes();
        } else if (msg instanceof ByteBuf bytes) {
            bodyBytesSent += bytes.readableBytes();
        }
        ctx.write(msg, ctx.voidPromise());
        clientNeedsFlush = ctx.channel().isWritable();
        if (!clientNeedsFlush) {
            if (context.budget().exceeded()) {
                // this client cannot keep up while memory is short: it gives its buffers back first
                shed();
                return;
            }
            // with response buffering the server goes on being read, into the spool
            Channel feeder = conn != null && (tunnel || !routing.buffering().responses()) ? conn.channel() : null;
            flushFull(feeder, clientSend, client.sendTimeout().toNanos(), ctx::flush);
        }
    }

    /** Keeps response content for the client while it is slow; reading stops only when the spool is full. */
    private void spoolContent(HttpContent content) {
        if (spool == null) {
            BufferingSpec b = routing.buffering();
            spool = new BodySpool(b.memory(), b.maxTempFile(), b.tempPath());
        }
        try {
            spool.add(content);
        } catch (java.io.UncheckedIOException e) {
            spoolFailed(e);
            return;
        }
        if (spool.full() && conn != null) {
            conn.channel().config().setAutoRead(false);
        }
    }

    /** Hands the client what the spool holds while it takes it; the exchange ends when the last piece is out. */
    private void drainSpool() {
        HttpContent next;
        try {
            // as in pumpRequestBody, a flush inside writeClient can re-enter here and drain the spool to its end
            while (spool != null && ctx.channel().isWritable() && !done && (next = spool.next(ctx.alloc())) != null) {
                writeClient(next);
            }
        } catch (java.io.UncheckedIOException e) {
            spoolFailed(e);
            return;
        }
        if (done || spool == null) {
            return;
        }
        ctx.flush();
        clientNeedsFlush = false;
        if (!spool.isEmpty()) {
            return;
        }
        spool.release();
        spool = null;
        if (drainingSpool) {
            finish(keepClient);
        } else if (conn != null) {
            conn.channel().config().setAutoRead(true);
        }
    }

    /** The temporary file failed (disk full, directory gone): the client sees a truncated response, never a wrong one. */
    private void spoolFailed(java.io.UncheckedIOException e) {
        LOG.warning(() -> e.getMessage() + "; closing the client connection");
        abort();
    }

    void onUpstreamReadComplete() {
        if (clientNeedsFlush) {
            clientNeedsFlush = false;
            ctx.flush();
        }
    }

    void onClientWritabilityChanged(boolean writable) {
        if (writable) {
            clientSend.disarm();
            if (spool != null && !done) {
                drainSpool();
            } else if (conn != null && !done) {
                conn.channel().config().setAutoRead(true);
            }
        }
    }

    private void onResponseComplete() {
        ctx.flush();
        clientNeedsFlush = false;
        // a body still being sent from its file (the server answered early) leaves the connection unusable
        boolean reusable = upstreamKeepAlive && !readUntilClose && requestComplete && requestSpool == null;
        finishAttempt(false, reusable);
        if (spool != null) {
            // the server is free; the client gets the rest from the spool as it reads
            drainingSpool = true;
            return;
        }
        finish(keepClient);
    }

    /**
     * Ends the attempt on the current server: the balancer learns how it went, and the connection goes back to
     * its loop's pool when it is clean, otherwise it is closed.
     */
    private void finishAttempt(boolean failed, boolean reusable) {
        trail.ended(0, System.nanoTime());
        upstreamRead.disarm();
        upstreamSend.disarm();
        if (conn != null) {
            UpstreamConnection c = conn;
            conn = null;
            c.channel().pipeline().get(UpstreamHandler.class).unbind();
            UpstreamSpec spec = group.spec();
            if (reusable && c.requests() < spec.keepalive().maxRequests() && c.channel().isActive()) {
                context.pool(ctx.channel().eventLoop()).offer(group.name(), c, spec.keepalive().idle(),
                        spec.keepalive().idleTimeout().toNanos());
            } else {
                c.close();
            }
        }
        requestSent = false;
        if (peer != null) {
            group.release(peer, failed);
            peer = null;
        }
    }

    // ---- failures -------------------------------------------------------------------------------------

    void onUpstreamFailure(Failure failure, Throwable cause) {
        if (done || peer == null) {
            return;
        }
        if (tunnel) {
            onTunnelSideClosed();
            return;
        }
        boolean reusedConnection = conn != null && conn.isReused();
        boolean sent = requestSent;
        String server = peer.name();
        if (responseStarted) {
            group.metrics(peer).failed(UpstreamFailure.CLOSED);
            LOG.warning(() -> "upstream " + server + " failed mid-response (" + failure + "); closing the client connection");
            finishAttempt(true, false);
            abort();
            return;
        }
        boolean beforeAnyResponse = failure == Failure.CLOSED || failure == Failure.RESET;
        if (beforeAnyResponse && reusedConnection && !bodyDropped && (idempotent || group.spec().nextUpstream().nonIdempotent())) {
            // The server closed a kept-alive connection as we reused it: a race, not a server failure.
            Peer same = peer;
            UpstreamConnection stale = conn;
            conn = null;
            stale.channel().pipeline().get(UpstreamHandler.class).unbind();
            stale.close();
            requestSent = false;
            peer = same;
            connect();
            return;
        }
        RetryOn condition = switch (failure) {
            case CONNECT_TIMEOUT, READ_TIMEOUT, SEND_TIMEOUT -> RetryOn.TIMEOUT;
            case INVALID_RESPONSE -> RetryOn.INVALID_HEADER;
            default -> RetryOn.ERROR;
        };
        lastFailure = condition;
        trail.ended(condition == RetryOn.TIMEOUT ? 504 : 502, System.nanoTime());
        group.metrics(peer).failed(switch (failure) {
            case CONNECT -> UpstreamFailure.CONNECT;
            case CONNECT_TIMEOUT, READ_TIMEOUT, SEND_TIMEOUT -> UpstreamFailure.TIMEOUT;
            case CLOSED, RESET -> UpstreamFailure.CLOSED;
            case INVALID_RESPONSE -> UpstreamFailure.INVALID_RESPONSE;
        });
        boolean connectFailure = failure == Failure.CONNECT || failure == Failure.CONNECT_TIMEOUT;
        LOG.log(Level.WARNING, "upstream " + server + " " + describe(failure) + " while proxying " + request.method() + " "
                + request.uri() + (cause != null ? ": " + cause.getMessage() : ""));
        finishAttempt(true, false);
        if (mayRetry(condition, sent && !connectFailure)) {
            attempt();
        } else {
            respondError(condition == RetryOn.TIMEOUT ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY,
                    bodyOutstanding());
        }
    }

    private static String describe(Failure f) {
        return switch (f) {
            case CONNECT -> "refused or unreachable";
            case CONNECT_TIMEOUT -> "timed out connecting";
            case READ_TIMEOUT -> "timed out reading the response";
            case SEND_TIMEOUT -> "timed out accepting the request";
            case CLOSED -> "closed the connection prematurely";
            case RESET -> "reset the connection";
            case INVALID_RESPONSE -> "sent an invalid response";
        };
    }

    /** nginx's rules for passing a request to the next server. */
    private boolean mayRetry(RetryOn condition, boolean sent) {
        NextUpstreamSpec next = group.spec().nextUpstream();
        if (responseStarted || done || !next.retries(condition) || !selection.canRetry() || bodyDropped) {
            return false;
        }
        if (!next.timeout().isZero() && System.nanoTime() - startNanos >= next.timeout().toNanos()) {
            return false;
        }
        return !sent || idempotent || next.nonIdempotent();
    }

    private void respondError(HttpResponseStatus status, boolean close) {
        if (done) {
            return;
        }
        if (responseStarted) {
            abort();
            return;
        }
        context.errors().increment();
        finishAttempt(false, false);
        boolean keep = !close && !bodyOutstanding() && HttpUtil.isKeepAlive(request) && !frontend.isDraining()
                && requestNumber < client.keepaliveRequests();
        FullHttpResponse response = errorPages.response(ctx.alloc(), status, head);
        this.status = status.code();
        bodyBytesSent += response.content().readableBytes();
        response.headers().set(HttpHeaderNames.CONNECTION, keep ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        responseStarted = true;
        frontend.encoder().headResponse(head);
        ctx.writeAndFlush(response);
        finish(keep);
    }

    /**
     * Request body bytes may still be on their way from the client, so an early answer must close the connection.
     * A request without a body is not outstanding even before its (empty) last content was read: the frontend
     * drops that when it comes, so an error found at once (e.g. every server down) keeps the connection, as
     * nginx does.
     */
    private boolean bodyOutstanding() {
        return !requestComplete && hasBody;
    }

    /** Gives up on a response already under way: the client sees a truncated response, never a wrong one. */
    private void abort() {
        cut(true);
    }

    private void cut(boolean upstreamFailed) {
        if (done) {
            return;
        }
        finishAttempt(upstreamFailed, false);
        cleanup();
        ctx.close();
    }

    private void finish(boolean keepAlive) {
        cleanup();
        frontend.exchangeDone(keepAlive);
    }

    private void cleanup() {
        done = true;
        long now = System.nanoTime();
        if (status == 0) {
            // the client went away (or the connection was cut) before a response head: nginx logs 499
            status = 499;
        }
        listener.requestTime().recordNanos(now - startNanos);
        listener.responses().count(status);
        if (answeredBy != null) {
            answeredBy.requestTime().recordNanos(now - startNanos);
        }
        upstreamRead.disarm();
        upstreamSend.disarm();
        clientBody.disarm();
        clientSend.disarm();
        held.forEach(HttpContent::release);
        held.clear();
        if (spool != null) {
            spool.release();
            spool = null;
        }
        if (requestSpool != null) {
            requestSpool.release();
            requestSpool = null;
        }
        context.accessLog().log(this);
    }

    void onClientClosed() {
        if (done) {
            return;
        }
        finishAttempt(false, false);
        cleanup();
    }

    // ---- WebSocket and other upgrades ------------------------------------------------------------------

    private void startTunnel(HttpResponse response) {
        responseStarted = true;
        status = 101;
        answeredBy = group.metrics(peer);
        tunnel = true;
        clientBody.disarm();
        HttpHeaders headers = response.headers().copy();
        HopByHop.strip(headers);
        headers.set(HttpHeaderNames.UPGRADE, response.headers().get(HttpHeaderNames.UPGRADE, "websocket"));
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        location.responseHeaders().apply(headers, this);
        frontend.encoder().headResponse(false);
        ctx.writeAndFlush(new DefaultHttpResponse(request.protocolVersion(), response.status(), headers));
        Channel upstream = conn.channel();
        upstream.pipeline().remove("codec");
        ctx.pipeline().remove(ProxyResponseEncoder.class);
        ctx.pipeline().remove(StrictRequestDecoder.class);
        upstreamRead.arm(group.spec().readTimeout().toNanos());
        ctx.channel().config().setAutoRead(true);
        upstream.closeFuture().addListener(f -> ctx.executor().execute(this::onTunnelSideClosed));
        ctx.channel().closeFuture().addListener(f -> upstream.close());
    }

    private void onTunnelSideClosed() {
        if (done) {
            return;
        }
        if (conn != null) {
            conn.channel().pipeline().get(UpstreamHandler.class).unbind();
            group.release(peer, false);
            peer = null;
            conn = null;
        }
        cleanup();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    // ---- variables ------------------------------------------------------------------------------------

    @Override
    public String remoteAddr() {
        return RefusedRequest.remoteAddr(ctx.channel());
    }

    @Override
    public int remotePort() {
        return RefusedRequest.remotePort(ctx.channel());
    }

    @Override
    public String host() {
        return host.isEmpty() ? RefusedRequest.localAddr(ctx.channel()) : host;
    }

    @Override
    public int serverPort() {
        return RefusedRequest.serverPort(ctx.channel());
    }

    @Override
    public String requestUri() {
        return request.uri();
    }

    @Override
    public String scheme() {
        return "http";
    }

    @Override
    public String proxyHost() {
        return group == null ? "" : group.name();
    }

    @Override
    public String upstreamAddr() {
        return trail.isEmpty() ? "" : trail.addresses();
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public long bodyBytesSent() {
        return bodyBytesSent;
    }

    @Override
    public long bytesSent() {
        return frontend.bytesSent() - bytesSentBefore;
    }

    @Override
    public String requestMethod() {
        return request.method().name();
    }

    @Override
    public String protocol() {
        return request.protocolVersion().text();
    }

    @Override
    public long requestTimeNanos() {
        return System.nanoTime() - startNanos;
    }

    @Override
    public String upstreamStatus() {
        return trail.statuses();
    }

    @Override
    public String upstreamConnectTime() {
        return trail.connectTimes();
    }

    @Override
    public String upstreamHeaderTime() {
        return trail.headerTimes();
    }

    @Override
    public String upstreamResponseTime() {
        return trail.responseTimes();
    }

    @Override
    public String requestHeader(String name) {
        return request.headers().get(name);
    }
}
