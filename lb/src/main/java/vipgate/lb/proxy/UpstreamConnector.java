package vipgate.lb.proxy;

import vipgate.lb.pool.UpstreamConnection;
import vipgate.balance.Peer;

/**
 * Where a request's tries get their connections to servers: the event loop's {@link UpstreamPool}, or a fake in
 * tests. Used on the client connection's event loop only.
 */
interface UpstreamConnector {
    /** Hears how a connection asked for turned out; may be called before the request for it returns. */
    interface Callback {
        /** A connection, with the upstream codec and an unbound {@link UpstreamHandler} as its last handler. */
        void connected(UpstreamConnection connection);

        void connectFailed(Throwable cause);
    }

    /** An idle connection to {@code peer} from the pool at once, else a new one. */
    void acquire(UpstreamGroup group, Peer peer, Callback callback);

    /** A new connection to {@code peer}, never a pooled one. */
    void connect(UpstreamGroup group, Peer peer, Callback callback);

    /** Takes back a connection whose request is over: parked for the next request when {@code reusable}, else closed. */
    void release(UpstreamGroup group, UpstreamConnection connection, boolean reusable);
}
