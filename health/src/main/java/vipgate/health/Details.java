package vipgate.health;

import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Short operator-facing wording shared by the checkers, so status pages read the same for every kind. */
final class Details {
    private Details() {
    }

    /** {@code 1s}, {@code 300ms}, {@code 1500ms}: as an operator would write it in the config. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /**
     * A failure without the stack trace and without the address (the caller already knows the target).
     * Netty's transports word the same errno differently, hence matching on the message.
     */
    static String failure(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("refused")) {
            return "connect refused";
        }
        if (cause instanceof NoRouteToHostException || lower.contains("no route")) {
            return "no route to host";
        }
        if (cause instanceof IOException && lower.contains("reset")) {
            return "connection reset";
        }
        if (cause instanceof ClosedChannelException) {
            return "connection closed";
        }
        if (cause instanceof ConnectException) {
            return "connect failed: " + message;
        }
        return message.isEmpty() ? cause.getClass().getSimpleName() : cause.getClass().getSimpleName() + ": " + message;
    }

    static Duration requirePositive(Duration d, String what) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be greater than 0, got " + d);
        }
        return d;
    }

    /**
     * Completes {@code result} as unhealthy when the event loops are gone: Netty could not even run a listener on a
     * dead loop, so the probe's future would never complete.
     */
    static boolean completeIfShutDown(EventLoopGroup group, CompletableFuture<CheckResult> result, long start) {
        if (!group.isShuttingDown()) {
            return false;
        }
        result.complete(CheckResult.since(start, false, "event loops are shut down"));
        return true;
    }
}
