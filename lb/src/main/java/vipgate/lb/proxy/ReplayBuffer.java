package vipgate.lb.proxy;

import io.netty.handler.codec.http.HttpContent;
import java.util.Arrays;

/**
 * The request body a retry may still send again (like nginx's client_body_buffer_size, but never spilled to disk):
 * every piece until the request is first sent, then only while the whole body so far fits in {@value #LIMIT} bytes.
 * Once a piece went to a server without being kept the body is dropped for good, and the request can no longer go to
 * another server. Owns the pieces it holds. Confined to the exchange's event loop.
 */
final class ReplayBuffer {
    static final int LIMIT = 64 * 1024;
    private static final HttpContent[] NONE = {};

    private HttpContent[] pieces = NONE;
    private int count;
    private long bytes;
    private boolean dropped;

    /** Takes {@code piece} (and its reference). */
    void hold(HttpContent piece) {
        if (count == pieces.length) {
            pieces = Arrays.copyOf(pieces, Math.max(4, count * 2));
        }
        pieces[count++] = piece;
        bytes += piece.content().readableBytes();
    }

    /** Whether {@code more} bytes, sent on at once, may still be kept for a retry. */
    boolean keeps(int more) {
        return !dropped && bytes + more <= LIMIT;
    }

    /** Whether what is held is more than a retry may send: the body is dropped once it was sent. */
    boolean overLimit() {
        return bytes > LIMIT;
    }

    /** Some of the body went out without being kept: the pieces are released and no retry may send the body. */
    void drop() {
        release();
        dropped = true;
    }

    boolean dropped() {
        return dropped;
    }

    int pieces() {
        return count;
    }

    /** Piece {@code i} to send, as a duplicate of its own: the buffer keeps the original. */
    HttpContent replay(int i) {
        return pieces[i].retainedDuplicate();
    }

    /** Releases what is held; the exchange is over. */
    void release() {
        for (int i = 0; i < count; i++) {
            pieces[i].release();
            pieces[i] = null;
        }
        count = 0;
        bytes = 0;
    }
}
