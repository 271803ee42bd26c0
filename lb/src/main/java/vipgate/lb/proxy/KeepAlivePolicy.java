package vipgate.lb.proxy;

import vipgate.lb.config.ClientSpec;

/**
 * Whether a client connection is kept after a response: the one rule for every response, passed on from a server or
 * made by the proxy, so what the Connection header says is what then happens to the connection. Pure.
 */
final class KeepAlivePolicy {
    private KeepAlivePolicy() {
    }

    /**
     * @param requestAllows the request did not ask to close (HTTP/1.1 without {@code Connection: close}, or
     *     HTTP/1.0 with {@code Connection: keep-alive})
     * @param requestNumber the request's number on its connection, from 1
     * @param draining the proxy is shutting down: connections close after their current request
     * @param bodyOutstanding request body bytes may still come, which would be read as the next request
     */
    static boolean keeps(ClientSpec client, boolean requestAllows, int requestNumber, boolean draining,
            boolean bodyOutstanding) {
        // keepalive-timeout = 0 keeps no idle connection at all (nginx keepalive_timeout 0)
        return requestAllows && !draining && !bodyOutstanding && requestNumber < client.keepaliveRequests()
                && !client.keepaliveTimeout().isZero();
    }
}
