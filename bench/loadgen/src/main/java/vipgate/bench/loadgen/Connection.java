package vipgate.bench.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.TimeUnit;

/**
 * One keep-alive client connection of the rate mode, sending on its {@link Schedule}: at most one request in flight
 * (no pipelining, like wrk), the next one when it is due or at once if it is late. A connection the server closes
 * (keepalive-requests reached, error) is reopened at once, so that the handshake rarely lands in a due request's
 * latency; the request lost with it is an error. Lives on one event loop; the handler is added to each of its
 * successive channels, one at a time, hence {@link ChannelHandler.Sharable}.
 */
@ChannelHandler.Sharable
final class Connection extends SimpleChannelInboundHandler<HttpObject> {

    private final Bootstrap bootstrap;
    private final ByteBuf request;
    private final Schedule schedule;
    private final Stats stats;
    private final Runnable onDone;
    private Channel channel;
    /** The current channel carried an answer: reopening it at once cannot spin against a server that refuses work. */
    private boolean served;
    private int status;
    private boolean keepAlive;
    private boolean done;

    Connection(Bootstrap bootstrap, ByteBuf request, Schedule schedule, Stats stats, Runnable onDone) {
        this.bootstrap = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpResponseDecoder(), Connection.this);
            }
        });
        this.request = request;
        this.schedule = schedule;
        this.stats = stats;
        this.onDone = onDone;
    }

    /** Opens the connection; called on the connection's event loop. */
    void connect() {
        if (finishIfExhausted()) {
            return;
        }
        bootstrap.connect().addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                channel = f.channel();
                served = false;
                sendWhenDue();
            } else {
                // The due request cannot go out: it fails, and the next attempt waits for the next one.
                stats.failed(schedule.skip());
                long wait = Math.max(0, schedule.due() - System.nanoTime());
                bootstrap.config().group().schedule(this::connect, wait, TimeUnit.NANOSECONDS);
            }
        });
    }

    private void sendWhenDue() {
        if (finishIfExhausted()) {
            return;
        }
        Channel ch = channel;
        long wait = schedule.due() - System.nanoTime();
        if (wait > 0) {
            ch.eventLoop().schedule(() -> send(ch), wait, TimeUnit.NANOSECONDS);
        } else {
            send(ch);
        }
    }

    /** Sends on {@code ch} unless it was replaced or closed meanwhile (its reopening schedules its own send). */
    private void send(Channel ch) {
        if (ch != channel || !ch.isActive()) {
            return;
        }
        schedule.sent();
        ch.writeAndFlush(request.retainedDuplicate(), ch.voidPromise());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (msg.decoderResult().isFailure() || !schedule.awaiting()) {
            ctx.close(); // a garbled or unsolicited answer: the request in flight is lost (channelInactive counts it)
            return;
        }
        if (msg instanceof HttpResponse response) {
            status = response.status().code();
            keepAlive = HttpUtil.isKeepAlive(response);
        }
        if (msg instanceof LastHttpContent) {
            long now = System.nanoTime();
            stats.answeredTotal++;
            if (schedule.answered(now, stats.latencies)) {
                stats.lastAnswer = Math.max(stats.lastAnswer, now);
                if (status / 100 == 2) {
                    stats.ok++;
                } else {
                    stats.non2xx++;
                }
            }
            served = true;
            if (keepAlive) {
                sendWhenDue();
            } else {
                ctx.close();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ctx.channel() != channel) {
            return;
        }
        channel = null;
        if (schedule.awaiting()) {
            stats.failed(schedule.lost());
        }
        if (done) {
            return;
        }
        if (served) {
            connect();
        } else {
            long wait = Math.max(0, schedule.due() - System.nanoTime());
            ctx.channel().eventLoop().schedule(this::connect, wait, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // reset, refused write...: channelInactive counts the lost request and reopens
    }

    /** Requests due inside the window never answered; read after the event loops stopped. */
    long unfinished() {
        return schedule.unfinished();
    }

    private boolean finishIfExhausted() {
        if (done) {
            return true;
        }
        if (!schedule.exhausted() || schedule.awaiting()) {
            return false;
        }
        done = true;
        if (channel != null) {
            channel.close();
        }
        onDone.run();
        return true;
    }
}
