package vipgate.lb.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;
import vipgate.lb.metrics.ServerMetrics;
import vipgate.lb.pool.UpstreamConnection;
import vipgate.balance.Peer;

/**
 * One try of a request on one server: the peer the balancer chose, the connection once there is one, and how far
 * the try got. The exchange makes a fresh one for every try, so nothing is reset between tries, and an event that
 * comes after a try ended (a connect completing late, a read on a connection given up) finds it {@link Phase#ENDED}
 * and is dropped by the try itself. Confined to the client connection's event loop, which its connection shares.
 */
final class UpstreamAttempt implements UpstreamConnector.Callback {
    private static final Logger LOG = Logger.getLogger(UpstreamAttempt.class.getName());

    /** Why a try failed. */
    enum Failure { CONNECT, CONNECT_TIMEOUT, TLS, READ_TIMEOUT, SEND_TIMEOUT, CLOSED, RESET, INVALID_RESPONSE }

    enum Phase {
        /** Waiting for a connection (a pooled one comes at once). */
        CONNECTING,
        /** The request head was written (its body may still stream); the response head has not come. */
        SENT,
        /** A 1xx interim response is being skipped; the final one follows. */
        INTERIM,
        /** The final response head was taken; its body (or a tunnel) follows. */
        RESPONDING,
        /** Over: the connection went back to the connector, the balancer was told. */
        ENDED
    }

    private final ProxyExchange exchange;
    private final UpstreamGroup group;
    private final UpstreamConnector connector;
    private final Peer peer;
    private final ServerMetrics server;
    private Phase phase = Phase.CONNECTING;
    private UpstreamConnection conn;
    private UpstreamHandler handler;
    /** When the request head went out, for the server's response time. */
    private long sentNanos;
    /** Something was written to the connection since its last flush. */
    private boolean needsFlush;
    /** The response lets the connection carry another request once it is complete. */
    private boolean reusable;

    UpstreamAttempt(ProxyExchange exchange, UpstreamGroup group, UpstreamConnector connector, Peer peer) {
        this.exchange = exchange;
        this.group = group;
        this.connector = connector;
        this.peer = peer;
        this.server = group.metrics(peer);
    }

    Peer peer() {
        return peer;
    }

    ServerMetrics server() {
        return server;
    }

    /** The request head went to the server (and this try has not ended). */
    boolean sent() {
        return phase == Phase.SENT || phase == Phase.INTERIM || phase == Phase.RESPONDING;
    }

    boolean ended() {
        return phase == Phase.ENDED;
    }

    /** The try runs on a connection that carried an earlier request. */
    boolean reusedConnection() {
        return conn != null && conn.isReused();
    }

    /** The connection, null while connecting. */
    Channel channel() {
        return conn == null ? null : conn.channel();
    }

    // ---- connecting and sending ----------------------------------------------------------------------------

    @Override
    public void connected(UpstreamConnection c) {
        if (phase != Phase.CONNECTING) {
            // the try ended while its connection was made
            c.close();
            return;
        }
        conn = c;
        exchange.trail().connected(System.nanoTime());
        c.startRequest();
        handler = c.channel().pipeline().get(UpstreamHandler.class);
        handler.bind(this);
        c.channel().config().setAutoRead(true);
        phase = Phase.SENT;
        exchange.onConnected(this);
    }

    @Override
    public void connectFailed(Throwable cause) {
        if (phase == Phase.CONNECTING) {
            exchange.onAttemptFailed(this, connectFailure(cause), cause);
        }
    }

    /** A handshake that timed out is a connect timeout, as in nginx; any other TLS failure is its own reason. */
    static Failure connectFailure(Throwable cause) {
        if (cause instanceof ConnectTimeoutException || cause instanceof SslHandshakeTimeoutException) {
            return Failure.CONNECT_TIMEOUT;
        }
        return cause instanceof SSLException ? Failure.TLS : Failure.CONNECT;
    }

    /** Sends the request head and the body kept so far, and flushes. */
    void send(HttpRequest head, ReplayBuffer body) {
        // the encoder only reads the head, so every try can write the same one
        write(head);
        for (int i = 0; i < body.pieces(); i++) {
            write(body.replay(i));
        }
        flush();
        sentNanos = System.nanoTime();
    }

    /** Writes {@code msg} (taking its reference); a full buffer is flushed with the client's reads paused. */
    void write(Object msg) {
        if (phase == Phase.ENDED) {
            // an earlier write failed, which ended the try from inside it
            ReferenceCountUtil.release(msg);
            return;
        }
        Channel ch = conn.channel();
        // a failed write fires exceptionCaught on the upstream pipeline, which UpstreamHandler reports as a reset
        ch.write(msg, ch.voidPromise());
        needsFlush = ch.isWritable();
        if (!needsFlush) {
            Backpressure.flushFull(exchange.clientChannel(), exchange.timers().upstreamSend(),
                    group.spec().sendTimeout().toNanos(), ch);
        }
    }

    void flush() {
        needsFlush = false;
        if (phase != Phase.ENDED) {
            conn.channel().flush();
        }
    }

    void flushIfNeeded() {
        if (needsFlush) {
            flush();
        }
    }

    boolean isWritable() {
        return phase != Phase.ENDED && conn != null && conn.channel().isWritable();
    }

    void reading(boolean on) {
        if (conn != null) {
            conn.channel().config().setAutoRead(on);
        }
    }

    // ---- what the server sends ---------------------------------------------------------------------------

    void onRead(Object msg) {
        exchange.timers().upstreamRead().touch();
        if (msg instanceof HttpResponse response) {
            onHead(response);
            if (phase == Phase.ENDED) {
                ReferenceCountUtil.release(msg);
                return;
            }
        }
        if (msg instanceof HttpContent content) {
            if (phase == Phase.INTERIM) {
                if (content instanceof LastHttpContent) {
                    phase = Phase.SENT;
                }
                content.release();
                return;
            }
            if (phase != Phase.RESPONDING) {
                content.release();
                return;
            }
            if (content.decoderResult().isFailure()) {
                // e.g. a corrupt chunk: the decoder ends the body there, but the client must see it truncated
                // (the connection closes without the last chunk), never a clean end. nginx closes, HAProxy sends 502.
                content.release();
                fail(Failure.INVALID_RESPONSE, content.decoderResult().cause());
                return;
            }
            exchange.onResponseContent(this, content);
        } else if (!(msg instanceof HttpResponse)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            LOG.warning(() -> "upstream " + peer.name() + " sent an invalid response: " + response.decoderResult().cause());
            fail(Failure.INVALID_RESPONSE, response.decoderResult().cause());
            return;
        }
        int code = response.status().code();
        if (code >= 100 && code < 200 && code != 101) {
            phase = Phase.INTERIM;
            return;
        }
        long now = System.nanoTime();
        exchange.trail().headerReceived(code, now);
        server.responseTime().recordNanos(now - sentNanos);
        server.responses().count(code);
        phase = Phase.RESPONDING;
        exchange.onResponseHead(this, response);
    }

    /**
     * The response goes to the client (its head still unedited): whether the connection can carry another request
     * after it, and how long the server keeps it idle.
     */
    void takeResponse(HttpResponse response, boolean head) {
        reusable = HttpUtil.isKeepAlive(response) && !ForwardHeaders.endsAtClose(response, head);
        long limit = ForwardHeaders.serverIdleLimitNanos(response.headers().get(HttpHeaderNames.KEEP_ALIVE));
        if (limit > 0) {
            conn.serverIdleLimitNanos(limit);
        }
    }

    /** The response allows the connection another request once it is complete. */
    boolean reusable() {
        return reusable;
    }

    void onReadComplete() {
        exchange.onUpstreamReadComplete();
    }

    void onWritabilityChanged(boolean writable) {
        if (writable) {
            exchange.onUpstreamWritable();
        }
    }

    void fail(Failure failure, Throwable cause) {
        if (phase != Phase.ENDED) {
            exchange.onAttemptFailed(this, failure, cause);
        }
    }

    // ---- the end --------------------------------------------------------------------------------------

    /** Ends the try: the connection goes back to the connector (to the pool when {@code reuse}), the balancer learns. */
    void end(boolean failed, boolean reuse) {
        exchange.trail().ended(0, System.nanoTime());
        phase = Phase.ENDED;
        if (conn != null) {
            handler.unbind();
            connector.release(group, conn, reuse);
        }
        group.release(peer, failed);
    }

    /**
     * Ends the try on a connection the server closed just as it was reused, without telling the balancer: the peer
     * stays taken for the next try, on a new connection to the same server.
     */
    void abandon() {
        phase = Phase.ENDED;
        handler.unbind();
        connector.release(group, conn, false);
    }

    /** After a 101: {@code relay} takes the place of the connection's HTTP handlers; it is never pooled again. */
    void tunnel(ChannelHandler relay) {
        handler.unbind();
        ChannelPipeline p = conn.channel().pipeline();
        p.replace(UpstreamCodec.class, "tunnel", relay);
        p.remove(handler);
    }
}
