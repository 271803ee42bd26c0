package vipgate.stream.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import vipgate.balance.Algorithm;
import vipgate.balance.Peer;
import vipgate.balance.Selection;
import vipgate.balance.SelectionContext;
import vipgate.stream.config.NextUpstreamSpec;
import vipgate.stream.metrics.ListenerMetrics;
import vipgate.stream.metrics.ServerMetrics;
import vipgate.transport.Transports;
import vipgate.transport.timer.Deadline;

/**
 * One client connection and its server, nginx's stream proxy session: a server is chosen and connected (the next
 * one after a failed or timed-out connect, as proxy_next_upstream allows), then bytes are relayed both ways as they
 * come. Each buffer read on one side is written to the other unchanged (no copy); a side whose outbound buffer is
 * full stops the reads of the side that feeds it until it drained. A FIN is passed on (the other side's output is
 * shut once everything before it is written) and the session ends when both directions are shut, when either
 * connection closes or fails, or after {@code timeout} without a read on either side (nginx proxy_timeout).
 *
 * <p>Confined to the client's event loop, which the server's connection uses too.
 */
final class Session implements Connector.Callback {
    private static final Logger LOG = Logger.getLogger(Session.class.getName());

    private final Channel client;
    private final Route route;
    private final Connector connector;
    private final LongSupplier clock;
    private final long startNanos;
    private final SelectionContext selection;
    private final Deadline idle;
    private final ListenerMetrics metrics;
    /** The connected server's counters; null until connected. */
    private ServerMetrics serverMetrics;
    private long connectStartNanos;
    /**
     * Client bytes read before a server was connected. The client is not read until then, but a transport may
     * still deliver what came with the connection (epoll reads on a hang-up): at most one read loop's worth.
     */
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>(2);
    /** The peer of the connect in progress or of the connection in use; null once given back. */
    private Peer peer;
    private Channel server;
    private boolean closed;
    private boolean clientInputShut;
    private boolean serverInputShut;
    private boolean clientOutputShut;
    private boolean serverOutputShut;

    Session(Channel client, Route route, Connector connector, LongSupplier clock, ListenerMetrics metrics) {
        this.client = client;
        this.metrics = metrics;
        metrics.sessionStarted();
        this.route = route;
        this.connector = connector;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        NextUpstreamSpec next = route.spec().nextUpstream();
        String key = route.upstream().spec().algorithm() == Algorithm.HASH
                ? route.upstream().spec().hashKey().evaluate(client.remoteAddress(), client.localAddress())
                : null;
        this.selection = SelectionContext.forRequest(key, next.enabled() ? next.tries() : 1);
        this.idle = new Deadline(client.eventLoop(), this::idleTimeout);
    }

    void start() {
        connectNext();
    }

    private void connectNext() {
        Selection s = route.upstream().select(selection);
        if (!s.isSelected()) {
            LOG.fine(() -> "stream: no server for " + client.remoteAddress() + " in upstream "
                    + route.upstream().spec().name() + " (" + s.outcome() + ")");
            metrics.noServer();
            close();
            return;
        }
        peer = s.peer();
        long timeout = route.spec().connectTimeout().toNanos();
        long limit = route.spec().nextUpstream().timeout().toNanos();
        if (limit > 0) {
            // nginx proxy_next_upstream_timeout bounds the whole search, the last connect included
            timeout = Math.min(timeout, limit - (clock.getAsLong() - startNanos));
        }
        connectStartNanos = clock.getAsLong();
        connector.connect(peer, client.eventLoop(), timeout, new Relay(this, false), this);
    }

    @Override
    public void connected(Channel ch) {
        if (closed) {
            ch.close();
            return;
        }
        server = ch;
        serverMetrics = route.upstream().metrics(peer);
        serverMetrics.connected(clock.getAsLong() - connectStartNanos);
        idle.arm(route.spec().timeout().toNanos());
        for (ByteBuf b = early.poll(); b != null; b = early.poll()) {
            serverMetrics.sentToServer(b.readableBytes());
            server.write(b, server.voidPromise());
        }
        server.flush();
        if (clientInputShut) {
            shutOutput(server);
        } else {
            client.config().setAutoRead(true);
        }
    }

    @Override
    public void failed(Throwable cause) {
        if (closed) {
            return;
        }
        Peer failedPeer = peer;
        peer = null;
        route.upstream().metrics(failedPeer).connectFailed();
        route.upstream().release(failedPeer, true);
        LOG.fine(() -> "stream: connect to " + failedPeer.name() + " failed: " + cause);
        NextUpstreamSpec next = route.spec().nextUpstream();
        long limit = next.timeout().toNanos();
        if (next.enabled() && selection.canRetry() && (limit == 0 || clock.getAsLong() - startNanos < limit)) {
            connectNext();
        } else {
            close();
        }
    }

    void read(boolean fromClient, Object msg) {
        if (!(msg instanceof ByteBuf bytes) || closed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        int n = bytes.readableBytes();
        if (fromClient) {
            metrics.received(n);
            if (server == null) {
                early.add(bytes);
                return;
            }
            serverMetrics.sentToServer(n);
        } else {
            serverMetrics.receivedFromServer(n);
            metrics.sent(n);
        }
        idle.touch();
        Channel to = fromClient ? server : client;
        to.write(bytes, to.voidPromise());
        if (!to.isWritable()) {
            // before the flush: on epoll and nio the flush can drain `to` and report it writable from inside it,
            // and a pause set after that would never be lifted (see lb's Backpressure)
            (fromClient ? client : server).config().setAutoRead(false);
            to.flush();
        }
    }

    void readComplete(boolean fromClient, Channel ch) {
        Channel to = fromClient ? server : client;
        if (to != null) {
            to.flush();
        }
        // not once its output is shut: the check then sees TCP_CLOSE on io_uring while the peer is still sending (the
        // rest of a reply after the client's FIN was cut)
        if (!((DuplexChannel) ch).isOutputShutdown() && Transports.resetUnreported(ch)) {
            ch.close();
        }
    }

    /** The client's ({@code clientSide}) or the server's connection took what was queued for it: read its feeder again. */
    void writable(boolean clientSide) {
        Channel feeder = clientSide ? server : client;
        // never on a side whose input is shut: epoll answers with ENOENT from epoll_ctl and the channel fails
        if (!closed && feeder != null && !(clientSide ? serverInputShut : clientInputShut)) {
            feeder.config().setAutoRead(true);
        }
    }

    /** A FIN arrived: everything before it is passed on, then the same FIN. */
    void inputShut(boolean fromClient) {
        if (closed) {
            return;
        }
        if (fromClient) {
            clientInputShut = true;
            if (server != null) {
                shutOutput(server);
            }
        } else {
            serverInputShut = true;
            shutOutput(client);
        }
    }

    private void shutOutput(Channel ch) {
        // an empty write completes after every earlier one: shutting the output at once would drop what is queued
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            if (!written.isSuccess() || closed) {
                close();
                return;
            }
            ((DuplexChannel) ch).shutdownOutput().addListener(shut -> {
                if (ch == client) {
                    clientOutputShut = true;
                } else {
                    serverOutputShut = true;
                }
                if (!shut.isSuccess() || clientOutputShut && serverOutputShut) {
                    close();
                }
            });
        });
    }

    /** A connection closed (or was reset): what is queued for the other one is still written, then it closes too. */
    void inactive(boolean fromClient, Channel ch) {
        if (closed || !fromClient && ch != server) {
            return;
        }
        end();
        Channel other = fromClient ? server : client;
        if (other != null) {
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    void exception(boolean fromClient, Channel ch, Throwable cause) {
        LOG.log(Level.FINE, cause, () -> "stream: " + (fromClient ? "client " : "server ") + ch.remoteAddress() + " failed");
        ch.close();
    }

    private void idleTimeout() {
        LOG.fine(() -> "stream: session of " + client.remoteAddress() + " idle for " + route.spec().timeout() + ", closed");
        close();
    }

    private void close() {
        if (closed) {
            return;
        }
        end();
        client.close();
        if (server != null) {
            server.close();
        }
    }

    /** The session's bookkeeping ends once: the peer is given back (a session that was served is no failure). */
    private void end() {
        closed = true;
        metrics.sessionEnded();
        idle.cancel();
        for (ByteBuf b = early.poll(); b != null; b = early.poll()) {
            b.release();
        }
        if (peer != null) {
            route.upstream().release(peer, false);
            peer = null;
        }
    }
}
