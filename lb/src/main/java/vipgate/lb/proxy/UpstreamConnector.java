package vipgate.lb.proxy;

import vipgate.lb.pool.UpstreamConnection;
import vipgate.lb.proxyprotocol.ProxyHeader;
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

    /**
     * An idle connection to {@code peer} from the pool at once, else a new one. {@code proxyHeader}: the PROXY
     * protocol header a connection must have started with (one made for the same client connection), or null.
     */
    void acquire(UpstreamGroup group, Peer peer, ProxyHeader proxyHeader, Callback callback);

    /** A new connection to {@code peer}, never a pooled one, starting with {@code proxyHeader} unless null. */
    void connect(UpstreamGroup group, Peer peer, ProxyHeader proxyHeader, Callback callback);

    /** Takes back a connection whose request is over: parked for the next request when {@code reusable}, else closed. */
    void release(UpstreamGroup group, UpstreamConnection connection, boolean reusable);
}
