package vipgate.appliance.admin;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes an admin connection that is slow to send its request or idle too long, as nginx's client_header_timeout,
 * client_body_timeout and keepalive_timeout do: a new connection must send a request head within the request
 * timeout, a head its body within the request timeout again, and an answered keep-alive connection its next head
 * within the idle timeout. No timer runs while a request is being answered (a reload may take a while). Sits between
 * the HTTP codec and the aggregator, where request heads, ends of requests and responses are separate messages.
 */
final class AdminTimeouts extends ChannelDuplexHandler {
    private final long requestNanos;
    private final long idleNanos;
    private ScheduledFuture<?> timer;
    /** A request head arrived and its last content has not. */
    private boolean receiving;
    /**
     * Requests (counted from their head) whose response has not been written yet: HTTP/1.1 pipelining allows
     * several, and a response may come before the body has (the aggregator's 413).
     */
    private int unanswered;

    AdminTimeouts(Duration request, Duration idle) {
        this.requestNanos = request.toNanos();
        this.idleNanos = idle.toNanos();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx, requestNanos);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            receiving = true;
            unanswered++;
            arm(ctx, requestNanos);
        }
        if (msg instanceof LastHttpContent) {
            receiving = false;
            if (unanswered == 0) {
                arm(ctx, idleNanos); // answered before its body ended
            } else {
                cancel();
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean interim = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        if (msg instanceof LastHttpContent && !interim) {
            promise = promise.unvoid();
            promise.addListener(f -> {
                unanswered = Math.max(0, unanswered - 1);
                if (unanswered == 0 && !receiving && ctx.channel().isActive()) {
                    arm(ctx, idleNanos);
                }
            });
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void arm(ChannelHandlerContext ctx, long nanos) {
        cancel();
        timer = ctx.executor().schedule(() -> ctx.close(), nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
