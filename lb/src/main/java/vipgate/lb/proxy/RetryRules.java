package vipgate.lb.proxy;

import io.netty.handler.codec.http.HttpResponseStatus;
import vipgate.lb.config.NextUpstreamSpec;
import vipgate.lb.config.NextUpstreamSpec.RetryOn;
import vipgate.lb.metrics.UpstreamFailure;
import vipgate.lb.proxy.UpstreamAttempt.Failure;
import vipgate.balance.Selection;

/**
 * nginx's rules for passing a request to the next server (proxy_next_upstream and its tries, timeout and
 * non_idempotent): which condition a failed try or a status meets, whether the request may go on, and what the client
 * is answered when it may not. Pure.
 */
final class RetryRules {
    private RetryRules() {
    }

    /** The next-upstream condition a failed try meets. */
    static RetryOn condition(Failure failure) {
        return switch (failure) {
            case CONNECT_TIMEOUT, READ_TIMEOUT, SEND_TIMEOUT -> RetryOn.TIMEOUT;
            case INVALID_RESPONSE -> RetryOn.INVALID_HEADER;
            // nginx: an SSL handshake failure is "error" for proxy_next_upstream
            case CONNECT, TLS, CLOSED, RESET -> RetryOn.ERROR;
        };
    }

    /** The condition a response status meets, or null when the response goes to the client whatever the rules. */
    static RetryOn condition(int status) {
        return RetryOn.forStatus(status);
    }

    /** How a failed try counts in the server's metrics. */
    static UpstreamFailure counted(Failure failure) {
        return switch (failure) {
            case CONNECT -> UpstreamFailure.CONNECT;
            case TLS -> UpstreamFailure.TLS;
            case CONNECT_TIMEOUT, READ_TIMEOUT, SEND_TIMEOUT -> UpstreamFailure.TIMEOUT;
            case CLOSED, RESET -> UpstreamFailure.CLOSED;
            case INVALID_RESPONSE -> UpstreamFailure.INVALID_RESPONSE;
        };
    }

    /**
     * Whether the request may go to the next server after a try that met {@code condition}.
     *
     * @param sent the request (or part of it) reached the server, so only an idempotent request, or any with
     *     non_idempotent, may be sent again
     * @param bodyDropped some of the body was sent and not kept: it cannot be sent again
     * @param triesLeft the balancer allows another try (proxy_next_upstream_tries)
     * @param elapsedNanos since the request began, against proxy_next_upstream_timeout
     */
    static boolean mayRetry(NextUpstreamSpec next, RetryOn condition, boolean sent, boolean idempotent,
            boolean bodyDropped, boolean triesLeft, long elapsedNanos) {
        if (!next.retries(condition) || !triesLeft || bodyDropped) {
            return false;
        }
        if (!next.timeout().isZero() && elapsedNanos >= next.timeout().toNanos()) {
            return false;
        }
        return !sent || idempotent || next.nonIdempotent();
    }

    /**
     * Whether a failure is the server closing a kept-alive connection just as it was reused: a race, not a failure
     * of the server, so the request goes to the same server again on a new connection, uncounted (when it may be
     * sent again at all).
     */
    static boolean staleConnection(Failure failure, boolean reusedConnection, NextUpstreamSpec next, boolean idempotent,
            boolean bodyDropped) {
        boolean beforeAnyResponse = failure == Failure.CLOSED || failure == Failure.RESET;
        return beforeAnyResponse && reusedConnection && !bodyDropped && (idempotent || next.nonIdempotent());
    }

    /** What the client is answered when the request cannot go on after {@code condition}. */
    static HttpResponseStatus status(RetryOn condition) {
        return condition == RetryOn.TIMEOUT ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY;
    }

    /** What the client is answered when no server could be chosen; {@code lastFailure} null before any try. */
    static HttpResponseStatus noServer(Selection.Outcome outcome, RetryOn lastFailure) {
        return outcome == Selection.Outcome.ALL_BUSY ? HttpResponseStatus.SERVICE_UNAVAILABLE : status(lastFailure);
    }

    /** The $upstream_status of a failed try, which got no status from its server: what nginx logs, 502 or 504. */
    static int loggedStatus(RetryOn condition) {
        return status(condition).code();
    }
}
