package vipgate.lb.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import vipgate.balance.Peer;
import vipgate.balance.Selection;
import vipgate.balance.SelectionContext;
import vipgate.lb.config.BufferingSpec;
import vipgate.lb.config.ClientSpec;
import vipgate.lb.config.NextUpstreamSpec;
import vipgate.lb.config.NextUpstreamSpec.RetryOn;
import vipgate.lb.config.UpstreamSpec;
import vipgate.lb.http.RequestVariables;
import vipgate.lb.http.StrictRequestDecoder;
import vipgate.lb.metrics.ListenerMetrics;
import vipgate.lb.metrics.ServerMetrics;
import vipgate.lb.metrics.UpstreamFailure;
import vipgate.lb.proxyprotocol.ProxyHeader;
import vipgate.lb.proxyprotocol.ProxyProtocolReader;
import vipgate.lb.proxy.UpstreamAttempt.Failure;
import vipgate.lb.http.ErrorPages;
import vipgate.lb.http.RequestTarget;
import vipgate.lb.limit.LimitConn;
import vipgate.lb.limit.LimitReq;
import vipgate.lb.route.Answer;
import vipgate.lb.route.Captures;
import vipgate.lb.route.Location;
import vipgate.lb.route.NginxMap;
import vipgate.lb.route.NginxRegex;
import vipgate.lb.route.RequestRoute;
import vipgate.lb.route.Return;
import vipgate.transport.timer.Deadline;

/**
 * One request on its way through the proxy: the client's side of it (its body, the response it is sent), the choice
 * of servers and the retries. Each try on a server is an {@link UpstreamAttempt} of its own. Confined to the client
 * connection's event loop (the upstream connection is made on the same loop, so nothing crosses threads).
 *
 * <p>Bodies stream in both directions and are never aggregated: a side that cannot keep up stops the other side's
 * reads (autoRead) until it drains. The first {@value ReplayBuffer#LIMIT} bytes of a request body are kept so the
 * request can still be retried on another server; beyond that, a retry is possible only before any of the body was
 * sent. A retry never happens once a response byte reached the client.
 */
final class ProxyExchange implements RequestVariables {
    private static final Logger LOG = Logger.getLogger(ProxyExchange.class.getName());

    /** Where the exchange is; it only moves forward. */
    enum Phase {
        /** The head was read and is being checked and routed. */
        ROUTING,
        /** The request body is read into its spool before a server is asked (proxy-buffering.requests). */
        BUFFERING,
        /** With the servers: trying one, and perhaps the next. Nothing was sent to the client yet. */
        UPSTREAM,
        /** The response head went to the client: no retry any more. */
        RESPONDING,
        /** The server is done; the client gets the rest of the response from the spool as it reads. */
        DRAINING,
        /** After a 101: bytes relayed both ways by {@link TunnelRelay}s. */
        TUNNEL,
        /** Over: logged, and the connection told. */
        DONE
    }

    private final FrontendHandler frontend;
    private final ChannelHandlerContext ctx;
    private final ProxyContext context;
    private final HttpRequest request;
    private final int requestNumber;
    private final Routing routing;
    private final ClientSpec client;
    private final UpstreamConnector connector;
    /** When the first byte of this request arrived (its head was decoded later). */
    private final long startNanos;
    private final ListenerMetrics listener;
    private final long bytesSentBefore;
    private final Timers timers;

    private Phase phase = Phase.ROUTING;
    private RequestCheck check;
    /** The request's $uri, $args and captures, and the location they lead to; null before the head was checked. */
    private RequestRoute route;
    /** The client's address, the connection's or the one a trusted sender's header names (nginx's realip); null before. */
    private InetSocketAddress clientAddress;
    /** What the request counts in limit_conn zones until it ends; null before it was counted (or when refused). */
    private LimitConn.Held heldConns;
    private Location location;
    private UpstreamGroup group;

    private boolean continueSent;
    private long bodyBytes;
    private boolean requestComplete;
    /** Body received from the client, kept while it may still be replayed or is not yet sent. */
    private final ReplayBuffer replay = new ReplayBuffer();
    /** The request body while it is buffered (proxy-buffering.requests), and while it is sent from its file. */
    private BodySpool requestSpool;

    private SelectionContext selection;
    private HttpRequest upstreamHead;
    private int attempts;
    /** The current try, null between tries and once the server's part is over. */
    private UpstreamAttempt attempt;
    private RetryOn lastFailure;
    private final UpstreamTrail trail = new UpstreamTrail();

    /** The server whose response the client gets, for its whole-request latency. */
    private ServerMetrics answeredBy;
    /** The status the client was sent, 0 before one was. */
    private int status;
    private long bodyBytesSent;
    private boolean keepClient;
    private boolean clientNeedsFlush;
    /** Response bytes read ahead of a slow client (proxy-buffering.responses), null while none wait. */
    private BodySpool spool;

    ProxyExchange(FrontendHandler frontend, ChannelHandlerContext ctx, ProxyContext context, HttpRequest request,
            int requestNumber, long startNanos, Timers timers) {
        this.frontend = frontend;
        this.startNanos = startNanos;
        this.listener = frontend.listenerMetrics();
        this.bytesSentBefore = frontend.bytesSent();
        this.connector = frontend.connector();
        this.ctx = ctx;
        this.context = context;
        this.request = request;
        this.requestNumber = requestNumber;
        this.routing = context.routing();
        this.client = routing.client();
        this.timers = timers;
    }

    /** The connection's deadlines, lent to one exchange at a time; their expiry calls back into that exchange. */
    record Timers(Deadline upstreamRead, Deadline upstreamSend, Deadline clientBody, Deadline clientSend) {
        void cancelAll() {
            upstreamRead.cancel();
            upstreamSend.cancel();
            clientBody.cancel();
            clientSend.cancel();
        }
    }

    Timers timers() {
        return timers;
    }

    UpstreamTrail trail() {
        return trail;
    }

    Channel clientChannel() {
        return ctx.channel();
    }

    // ---- timeouts and other events of the connection -----------------------------------------------------

    void onUpstreamReadTimeout() {
        if (attempt != null) {
            attempt.fail(Failure.READ_TIMEOUT, null);
        }
    }

    void onUpstreamSendTimeout() {
        if (attempt != null) {
            attempt.fail(Failure.SEND_TIMEOUT, null);
        }
    }

    void onClientSendTimeout() {
        abort();
    }

    void onClientBodyTimeout() {
        if (!requestComplete && phase != Phase.DONE && phase != Phase.TUNNEL) {
            respondError(HttpResponseStatus.REQUEST_TIMEOUT, true);
        }
    }

    /** Cuts this exchange to free its buffers for the {@link BufferBudget}. */
    void shed() {
        if (phase != Phase.DONE) {
            context.budget().shedOne();
            LOG.fine(() -> "cutting " + request.method() + " " + request.uri() + " to " + ctx.channel().remoteAddress()
                    + ": the buffer budget is spent and this client does not keep up");
            // the client's fault, not the server's: its passive health is left alone
            cut(false);
        }
    }

    /** Sheds this exchange when memory is short (its client just fell behind); returns whether it did. */
    boolean shedIfOverBudget() {
        if (!context.budget().exceeded()) {
            return false;
        }
        // this client cannot keep up while memory is short: it gives its buffers back first
        shed();
        return true;
    }

    void onClientClosed() {
        if (phase == Phase.DONE) {
            return;
        }
        endAttempt(false, false);
        cleanup();
    }

    // ---- request side ---------------------------------------------------------------------------------------

    void start() {
        check = RequestCheck.of(request, routing, ctx.channel().localAddress());
        HttpResponseStatus refusal = check.refusal();
        if (refusal != null) {
            if (request.decoderResult().isFailure()) {
                LOG.fine(() -> "malformed request from " + ctx.channel().remoteAddress() + ": " + request.decoderResult().cause());
            }
            boolean bodyPending = RequestCheck.bodyMayFollow(request);
            requestComplete = !bodyPending;
            respondError(refusal, refusal != HttpResponseStatus.NOT_FOUND || bodyPending);
            return;
        }
        clientAddress = check.vhost().realIp().client((InetSocketAddress) ctx.channel().remoteAddress(),
                ProxyProtocolReader.source(ctx.channel()), request.headers());
        route = new RequestRoute(check.path(), RequestTarget.query(request.uri()));
        Answer answer;
        try {
            answer = route.resolve(check.vhost(), this);
        } catch (NginxRegex.BudgetExceeded e) {
            // warned once per regex: a client repeating the input must not flood the log
            LOG.log(e.first() ? Level.WARNING : Level.FINE, () -> e.getMessage() + " (" + request.method() + " "
                    + request.uri() + " from " + ctx.channel().remoteAddress() + "): answered 500; simplify the regex"
                    + " (nested quantifiers backtrack); later ones are logged at FINE");
            answer = Answer.status(500);
        }
        if (answer != null) {
            answer(answer);
            return;
        }
        location = route.location();
        List<LimitReq> limits = check.vhost().limitReq(location);
        long wait = limits.isEmpty() ? 0 : LimitReq.take(limits, this, System.currentTimeMillis());
        if (wait < 0) {
            LOG.fine(() -> "limiting requests of " + remoteAddr() + ": " + request.method() + " " + request.uri());
            respondError(HttpResponseStatus.valueOf(routing.limits().reqStatus()), false);
            return;
        }
        if (wait > 0) {
            // nginx paces a burst: the request waits its turn; its body (if any) stays in the socket meanwhile
            if (check.hasBody() || check.webSocket()) {
                ctx.channel().config().setAutoRead(false);
            }
            ctx.executor().schedule(this::afterLimits, wait, TimeUnit.MILLISECONDS);
            return;
        }
        afterLimits();
    }

    /**
     * Once the request-rate limits let the request through (at once or after its wait): the concurrency limits (nginx
     * runs limit_conn after limit_req), the access rules, then a server.
     */
    private void afterLimits() {
        if (phase == Phase.DONE) {
            return;
        }
        heldConns = LimitConn.acquire(check.vhost().limitConn(location), this);
        if (heldConns == null) {
            LOG.fine(() -> "limiting connections of " + remoteAddr() + ": " + request.method() + " " + request.uri());
            respondError(HttpResponseStatus.valueOf(routing.limits().connStatus()), false);
            return;
        }
        if (!check.vhost().access(location).allows(clientAddress.getAddress())) {
            LOG.fine(() -> "access forbidden by rule, client " + remoteAddr() + ", " + request.method() + " " + request.uri());
            respondError(HttpResponseStatus.FORBIDDEN, false);
            return;
        }
        group = routing.upstreams().get(location.upstream());
        NextUpstreamSpec next = group.spec().nextUpstream();
        String hashKey = group.hashKey().isEmpty() ? null : group.hashKey().evaluate(this);
        selection = SelectionContext.forRequest(hashKey, next.tries());
        String target = route.upstreamTarget(this);
        if (target != null && !RequestTarget.isSendable(target)) {
            // a pass-uri's variables put decoded bytes (a space, CR LF) into the target: nginx sends them and its
            // server answers 400; vipgate never writes such a request line, and answers the 400 itself
            LOG.fine(() -> "pass-uri of " + request.method() + " " + request.uri() + " made an unsendable target; answered 400");
            respondError(HttpResponseStatus.BAD_REQUEST, false);
            return;
        }
        upstreamHead = ForwardHeaders.upstreamRequest(request, target, check.targetAuthority(), check.webSocket(),
                location.requestHeaders(), this);
        if (check.hasBody() || check.webSocket()) {
            // the body waits in the client's socket until a server takes it; a tunnel's first bytes wait for the
            // 101. A request without a body leaves reading on: only a pipelined request can follow, which the
            // frontend holds (and then stops reading), and a client that closes is seen at once. Each toggle
            // costs a system call (epoll_ctl) or an io_uring cancel and resubmission.
            ctx.channel().config().setAutoRead(false);
        }
        timers.clientBody().arm(client.bodyTimeout().toNanos());
        if (routing.buffering().requests() && check.hasBody() && !check.webSocket()) {
            // the whole body first, then a server (nginx proxy_request_buffering)
            phase = Phase.BUFFERING;
            BufferingSpec b = routing.buffering();
            requestSpool = new BodySpool(b.memory(), b.maxTempFile(), b.tempPath());
            sendContinue();
            ctx.channel().config().setAutoRead(true);
            return;
        }
        phase = Phase.UPSTREAM;
        attempt();
    }

    private void sendContinue() {
        if (check.expectContinue() && !continueSent && !requestComplete) {
            continueSent = true;
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
    }

    boolean acceptsRequestContent() {
        return !requestComplete && phase != Phase.TUNNEL;
    }

    void onRequestContent(HttpContent content) {
        if (phase == Phase.DONE) {
            content.release();
            return;
        }
        int size = content.content().readableBytes();
        bodyBytes += size;
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
        if (content instanceof LastHttpContent) {
            requestComplete = true;
            timers.clientBody().disarm();
        } else {
            timers.clientBody().touch();
        }
        if (phase == Phase.BUFFERING) {
            onRequestContentBuffered(content);
            return;
        }
        UpstreamAttempt a = attempt;
        boolean sending = a != null && a.sent();
        if (!sending || replay.keeps(size)) {
            replay.hold(content);
            if (sending) {
                a.write(content.retainedDuplicate());
            }
        } else {
            replay.drop();
            a.write(content);
        }
        if (requestComplete && sending) {
            armUpstreamRead();
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
                replay.hold(c);
            }
            requestSpool.release();
            requestSpool = null;
        }
        phase = Phase.UPSTREAM;
        attempt();
    }

    private void requestSpoolFailed(java.io.UncheckedIOException e) {
        LOG.warning(() -> e.getMessage() + "; answering 500");
        respondError(HttpResponseStatus.INTERNAL_SERVER_ERROR, true);
    }

    /** Sends the buffered request body from its file as fast as the server takes it. */
    private void pumpRequestBody(UpstreamAttempt a) {
        try {
            // a write that fills the buffer flushes, and on epoll/nio that flush can drain it and call back in here
            // (writability): the nested call may finish the spool or end the try, so both are re-read
            for (HttpContent next; requestSpool != null && a.isWritable() && (next = requestSpool.next(ctx.alloc())) != null; ) {
                a.write(next);
            }
        } catch (java.io.UncheckedIOException e) {
            requestSpoolFailed(e);
            return;
        }
        if (requestSpool != null && !a.ended() && requestSpool.isEmpty()) {
            requestSpool.release();
            requestSpool = null;
            a.flush();
            armUpstreamRead();
        }
    }

    void onClientReadComplete() {
        if (attempt != null) {
            attempt.flushIfNeeded();
        }
    }

    private void armUpstreamRead() {
        timers.upstreamRead().arm(group.spec().readTimeout().toNanos());
    }

    // ---- choosing and reaching a server ------------------------------------------------------------------

    private void attempt() {
        Selection s = group.select(selection);
        if (!s.isSelected()) {
            group.metrics().noServerAvailable();
            if (attempts == 0) {
                LOG.warning(() -> "no live upstreams in '" + group.name() + "' for " + request.method() + " " + request.uri());
            }
            respondError(RetryRules.noServer(s.outcome(), lastFailure), bodyOutstanding());
            return;
        }
        Peer peer = s.peer();
        attempts++;
        if (attempts > 1) {
            context.retries().increment();
            group.metrics().retried();
        }
        trail.begin(peer.name(), System.nanoTime());
        attempt = new UpstreamAttempt(this, group, connector, peer);
        connector.acquire(group, peer, proxyHeader(), attempt);
    }

    /** The PROXY protocol header the group's connections start with: the client and the address it reached; or null. */
    private ProxyHeader proxyHeader() {
        UpstreamSpec.SendProxy version = group.spec().sendProxy();
        if (version == UpstreamSpec.SendProxy.OFF) {
            return null;
        }
        return new ProxyHeader(version == UpstreamSpec.SendProxy.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2,
                clientAddress, (InetSocketAddress) ctx.channel().localAddress());
    }

    /** The try has its connection: the request goes out, with the body read so far. */
    void onConnected(UpstreamAttempt a) {
        a.send(upstreamHead, replay);
        if (a.ended()) {
            return;
        }
        if (replay.overLimit()) {
            replay.drop();
        }
        sendContinue();
        if (requestSpool != null) {
            // read back from the file once: no retry once any of it was sent
            replay.drop();
            pumpRequestBody(a);
        } else if (requestComplete) {
            armUpstreamRead();
        } else if (a.isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    void onUpstreamWritable() {
        timers.upstreamSend().disarm();
        if (requestSpool != null && attempt != null) {
            pumpRequestBody(attempt);
        }
        if (phase != Phase.DONE && !requestComplete) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    void onAttemptFailed(UpstreamAttempt a, Failure failure, Throwable cause) {
        if (phase == Phase.TUNNEL) {
            onTunnelSideClosed();
            return;
        }
        String server = a.peer().name();
        if (phase == Phase.RESPONDING) {
            a.server().failed(UpstreamFailure.CLOSED);
            LOG.warning(() -> "upstream " + server + " failed mid-response (" + failure + "); closing the client connection");
            endAttempt(true, false);
            abort();
            return;
        }
        NextUpstreamSpec next = group.spec().nextUpstream();
        if (RetryRules.staleConnection(failure, a.reusedConnection(), next, check.idempotent(), replay.dropped())) {
            // The server closed a kept-alive connection as we reused it: a race, not a server failure.
            a.abandon();
            attempt = new UpstreamAttempt(this, group, connector, a.peer());
            connector.connect(group, a.peer(), proxyHeader(), attempt);
            return;
        }
        RetryOn condition = RetryRules.condition(failure);
        lastFailure = condition;
        trail.ended(RetryRules.loggedStatus(condition), System.nanoTime());
        a.server().failed(RetryRules.counted(failure));
        LOG.log(Level.WARNING, "upstream " + server + " " + describe(failure) + " while proxying " + request.method() + " "
                + request.uri() + (cause != null ? ": " + reason(cause) : ""));
        boolean sent = a.sent();
        endAttempt(true, false);
        if (mayRetry(condition, sent)) {
            attempt();
        } else {
            respondError(RetryRules.status(condition), bodyOutstanding());
        }
    }

    /**
     * The messages of {@code cause} and of what caused it, each once: BoringSSL's handshake failure says only "General
     * OpenSslEngine problem", its cause why (the trust manager's "PKIX path validation failed: ...").
     */
    static String reason(Throwable cause) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = cause; t != null && sb.length() < 1000; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            if (sb.indexOf(m) < 0) {
                sb.append(sb.length() == 0 ? "" : ": ").append(m);
            }
        }
        return sb.toString();
    }

    private static String describe(Failure f) {
        return switch (f) {
            case CONNECT -> "refused or unreachable";
            case CONNECT_TIMEOUT -> "timed out connecting";
            case TLS -> "failed the TLS handshake";
            case READ_TIMEOUT -> "timed out reading the response";
            case SEND_TIMEOUT -> "timed out accepting the request";
            case CLOSED -> "closed the connection prematurely";
            case RESET -> "reset the connection";
            case INVALID_RESPONSE -> "sent an invalid response";
        };
    }

    private boolean mayRetry(RetryOn condition, boolean sent) {
        return phase == Phase.UPSTREAM && RetryRules.mayRetry(group.spec().nextUpstream(), condition, sent,
                check.idempotent(), replay.dropped(), selection.canRetry(), System.nanoTime() - startNanos);
    }

    /**
     * Ends the current try, if there is one: the balancer learns how it went, and its connection goes back to its
     * loop's pool when {@code reusable}, otherwise it is closed.
     */
    private void endAttempt(boolean failed, boolean reusable) {
        timers.upstreamRead().disarm();
        timers.upstreamSend().disarm();
        UpstreamAttempt a = attempt;
        if (a != null) {
            attempt = null;
            a.end(failed, reusable);
        }
    }

    // ---- response side ---------------------------------------------------------------------------------

    /** The final response head of the try's server. */
    void onResponseHead(UpstreamAttempt a, HttpResponse response) {
        int code = response.status().code();
        if (code == 101) {
            if (check.webSocket()) {
                startTunnel(a, response);
            } else {
                a.fail(Failure.INVALID_RESPONSE, null);
            }
            return;
        }
        RetryOn byStatus = RetryRules.condition(code);
        if (byStatus != null && mayRetry(byStatus, true)) {
            LOG.info(() -> "upstream " + a.peer().name() + " answered " + code + " to " + request.method() + " "
                    + request.uri() + "; trying the next server");
            lastFailure = byStatus;
            endAttempt(true, false);
            attempt();
            return;
        }
        startResponse(a, response);
    }

    private void startResponse(UpstreamAttempt a, HttpResponse response) {
        phase = Phase.RESPONDING;
        timers.clientBody().disarm();
        status = response.status().code();
        answeredBy = a.server();
        a.takeResponse(response, check.head());
        // the decoded response is ours alone: its headers are edited in place rather than copied
        keepClient = ForwardHeaders.toClient(response, check.head(), request.protocolVersion().equals(HttpVersion.HTTP_1_1),
                location.responseHeaders(), this, clientMayKeepAlive());
        writeClient(new DefaultHttpResponse(request.protocolVersion(), response.status(), response.headers()));
    }

    /** A piece of the response body from the try's server. */
    void onResponseContent(UpstreamAttempt a, HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (spool != null || (routing.buffering().responses() && !ctx.channel().isWritable())) {
            spoolContent(content);
        } else {
            writeClient(content);
        }
        if (last && phase == Phase.RESPONDING) {
            onResponseComplete(a);
        }
    }

    private void writeClient(Object msg) {
        if (msg instanceof HttpContent content) {
            bodyBytesSent += content.content().readableBytes();
        }
        ctx.write(msg, ctx.voidPromise());
        clientNeedsFlush = ctx.channel().isWritable();
        if (!clientNeedsFlush && !shedIfOverBudget()) {
            // with response buffering the server goes on being read, into the spool
            Channel feeder = attempt != null && !routing.buffering().responses() ? attempt.channel() : null;
            Backpressure.flushFull(feeder, timers.clientSend(), client.sendTimeout().toNanos(), ctx.channel());
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
        if (spool.full() && attempt != null) {
            attempt.reading(false);
        }
    }

    /** Hands the client what the spool holds while it takes it; the exchange ends when the last piece is out. */
    private void drainSpool() {
        HttpContent next;
        try {
            // as in pumpRequestBody, a flush inside writeClient can re-enter here and drain the spool to its end
            while (spool != null && ctx.channel().isWritable() && phase != Phase.DONE && (next = spool.next(ctx.alloc())) != null) {
                writeClient(next);
            }
        } catch (java.io.UncheckedIOException e) {
            spoolFailed(e);
            return;
        }
        if (phase == Phase.DONE || spool == null) {
            return;
        }
        ctx.flush();
        clientNeedsFlush = false;
        if (!spool.isEmpty()) {
            return;
        }
        spool.release();
        spool = null;
        if (phase == Phase.DRAINING) {
            finish(keepClient);
        } else if (attempt != null) {
            attempt.reading(true);
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
            timers.clientSend().disarm();
            if (spool != null && phase != Phase.DONE) {
                drainSpool();
            } else if (attempt != null) {
                attempt.reading(true);
            }
        }
    }

    private void onResponseComplete(UpstreamAttempt a) {
        ctx.flush();
        clientNeedsFlush = false;
        // a body still being sent from its file (the server answered early) leaves the connection unusable
        endAttempt(false, a.reusable() && requestComplete && requestSpool == null);
        if (spool != null) {
            // the server is free; the client gets the rest from the spool as it reads
            phase = Phase.DRAINING;
            return;
        }
        finish(keepClient);
    }

    // ---- the end ---------------------------------------------------------------------------------------

    /** Whether the client connection may carry another request after this one's response. */
    private boolean clientMayKeepAlive() {
        return KeepAlivePolicy.keeps(client, HttpUtil.isKeepAlive(request), requestNumber, frontend.isDraining(),
                bodyOutstanding());
    }

    private void respondError(HttpResponseStatus status, boolean close) {
        if (phase == Phase.DONE) {
            return;
        }
        if (phase == Phase.RESPONDING || phase == Phase.DRAINING || phase == Phase.TUNNEL) {
            abort();
            return;
        }
        context.errors().increment();
        endAttempt(false, false);
        respond(check.errorPages().response(ctx.alloc(), status, check.head()), close);
    }

    /** Sends the proxy's own answer: a rewrite's or return's redirect, a return's text or status, or a 444 close. */
    private void answer(Answer a) {
        if (a.status() == Return.CLOSE) {
            status = Return.CLOSE;
            cut(false);
            return;
        }
        HttpResponseStatus s = HttpResponseStatus.valueOf(a.status());
        FullHttpResponse response = a.body() == null && (a.status() >= 300 || a.location() != null)
                ? check.errorPages().response(ctx.alloc(), s, check.head())
                : ErrorPages.text(ctx.alloc(), s, a.body() == null ? "" : a.body(), check.head());
        if (a.location() != null) {
            response.headers().set(HttpHeaderNames.LOCATION, absolute(a.location()));
        }
        respond(response, false);
    }

    /** nginx's absolute_redirect: a relative Location gets this request's scheme, host and (unless 80/443) port. */
    private String absolute(String location) {
        if (!location.startsWith("/")) {
            return location;
        }
        int port = serverPort();
        String scheme = scheme();
        boolean defaultPort = port == (scheme.equals("https") ? 443 : 80);
        return scheme + "://" + host() + (defaultPort ? "" : ":" + port) + location;
    }

    private void respond(FullHttpResponse response, boolean close) {
        boolean keep = !close && clientMayKeepAlive();
        this.status = response.status().code();
        bodyBytesSent += response.content().readableBytes();
        response.headers().set(HttpHeaderNames.CONNECTION, keep ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        phase = Phase.RESPONDING;
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
        return !requestComplete && check.hasBody();
    }

    /** Gives up on a response already under way: the client sees a truncated response, never a wrong one. */
    private void abort() {
        cut(true);
    }

    private void cut(boolean upstreamFailed) {
        if (phase == Phase.DONE) {
            return;
        }
        endAttempt(upstreamFailed, false);
        cleanup();
        ctx.close();
    }

    private void finish(boolean keepAlive) {
        cleanup();
        frontend.exchangeDone(keepAlive);
    }

    private void cleanup() {
        phase = Phase.DONE;
        if (heldConns != null) {
            heldConns.release();
        }
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
        timers.upstreamRead().disarm();
        timers.upstreamSend().disarm();
        timers.clientBody().disarm();
        timers.clientSend().disarm();
        replay.release();
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

    // ---- WebSocket and other upgrades ------------------------------------------------------------------

    private void startTunnel(UpstreamAttempt a, HttpResponse response) {
        phase = Phase.TUNNEL;
        status = 101;
        answeredBy = a.server();
        timers.clientBody().disarm();
        ctx.writeAndFlush(new DefaultHttpResponse(request.protocolVersion(), response.status(),
                ForwardHeaders.upgradeResponse(response.headers(), location.responseHeaders(), this)));
        // each side's HTTP handlers go before bytes already read on the other side are passed on: the client's
        // encoder first, then the server's codec (its leftover bytes go to the client), then the client's decoder
        // (its leftover bytes go to the server)
        ctx.pipeline().remove(ProxyResponseEncoder.class);
        a.tunnel(TunnelRelay.fromServer(this, ctx.channel(), timers, client.sendTimeout().toNanos()));
        ctx.pipeline().replace(StrictRequestDecoder.class, "tunnel",
                TunnelRelay.fromClient(this, a.channel(), timers, group.spec().sendTimeout().toNanos()));
        armUpstreamRead();
        ctx.channel().config().setAutoRead(true);
    }

    boolean tunnelOpen() {
        return phase == Phase.TUNNEL;
    }

    /** Bytes the tunnel passed to the client. */
    void tunnelled(int bytes) {
        bodyBytesSent += bytes;
    }

    /** The server's side of the tunnel closed (or timed out): the client gets what it was sent, then is closed. */
    void onTunnelSideClosed() {
        if (phase == Phase.DONE) {
            return;
        }
        endAttempt(false, false);
        cleanup();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    // ---- variables ------------------------------------------------------------------------------------

    @Override
    public String remoteAddr() {
        return clientAddress == null ? RefusedRequest.remoteAddr(ctx.channel()) : clientAddress.getAddress().getHostAddress();
    }

    @Override
    public int remotePort() {
        return clientAddress == null ? RefusedRequest.remotePort(ctx.channel()) : clientAddress.getPort();
    }

    @Override
    public String proxyProtocolAddr() {
        return RefusedRequest.proxyProtocolAddr(ctx.channel());
    }

    @Override
    public String proxyProtocolPort() {
        return RefusedRequest.proxyProtocolPort(ctx.channel());
    }

    @Override
    public String host() {
        return check.host().isEmpty() ? RefusedRequest.localAddr(ctx.channel()) : check.host();
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
        return frontend.tls() == null ? "http" : "https";
    }

    @Override
    public String sslProtocol() {
        return frontend.tls() == null ? "" : frontend.tls().protocol();
    }

    @Override
    public String sslCipher() {
        return frontend.tls() == null ? "" : frontend.tls().cipher();
    }

    @Override
    public String sslServerName() {
        return frontend.tls() == null ? "" : frontend.tls().serverName();
    }

    @Override
    public String sslSessionReused() {
        return frontend.tls() == null ? "" : frontend.tls().sessionReused();
    }

    @Override
    public String uri() {
        return route == null ? "" : route.uri();
    }

    @Override
    public String args() {
        return route == null ? "" : route.args();
    }

    @Override
    public String capture(int n) {
        Captures c = route == null ? null : route.captures();
        return c == null ? null : c.group(n);
    }

    @Override
    public String named(String name) {
        Captures c = route == null ? null : route.captures();
        String captured = c == null ? null : c.group(name);
        if (captured != null) {
            return captured;
        }
        NginxMap map = routing.maps().get(name);
        if (map == null) {
            return null;
        }
        try {
            return map.value(this);
        } catch (NginxRegex.BudgetExceeded e) {
            LOG.log(e.first() ? Level.WARNING : Level.FINE, () -> e.getMessage() + " in map $" + name + " (" + request.method()
                    + " " + request.uri() + " from " + remoteAddr() + "): the map's value is empty; simplify the regex");
            return null;
        }
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
