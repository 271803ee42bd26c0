package vipgate.stream.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import java.net.ConnectException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import vipgate.balance.Peer;

/**
 * A {@link Connector} whose connections are {@link DuplexEmbeddedChannel}s on which the test plays the server; a
 * peer may refuse, or leave the connect hanging until the test completes or fails it.
 */
final class FakeConnector implements Connector {
    /** A connect the test has not answered yet. */
    record Pending(Peer peer, ChannelHandler handler, Callback callback) {
        DuplexEmbeddedChannel accept() {
            DuplexEmbeddedChannel ch = new DuplexEmbeddedChannel(peer.address(), handler);
            callback.connected(ch);
            return ch;
        }

        void fail(Throwable cause) {
            callback.failed(cause);
        }
    }

    private final Set<String> refusing = new HashSet<>();
    private final Set<String> hanging = new HashSet<>();
    /** The peers connects were asked for, refused ones included, in order. */
    final List<String> connects = new ArrayList<>();
    /** The connect timeout each connect was given. */
    final List<Long> timeouts = new ArrayList<>();
    final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Connections accepted, in order, not yet taken by the test. */
    final ArrayDeque<DuplexEmbeddedChannel> servers = new ArrayDeque<>();
    private final List<DuplexEmbeddedChannel> all = new ArrayList<>();

    void refuse(String peer) {
        refusing.add(peer);
    }

    void hang(String peer) {
        hanging.add(peer);
    }

    @Override
    public void connect(Peer peer, EventLoop loop, long timeoutNanos, ChannelHandler handler, Callback callback) {
        connects.add(peer.name());
        timeouts.add(timeoutNanos);
        if (refusing.contains(peer.name())) {
            callback.failed(new ConnectException("Connection refused: " + peer.name()));
        } else if (hanging.contains(peer.name())) {
            pending.add(new Pending(peer, handler, callback));
        } else {
            DuplexEmbeddedChannel ch = new DuplexEmbeddedChannel(peer.address(), handler);
            servers.add(ch);
            all.add(ch);
            callback.connected(ch);
        }
    }

    /** The next connection accepted. */
    DuplexEmbeddedChannel next() {
        DuplexEmbeddedChannel s = servers.poll();
        if (s == null) {
            throw new AssertionError("no connection was made (connects: " + connects + ")");
        }
        return s;
    }

    void track(DuplexEmbeddedChannel ch) {
        all.add(ch);
    }

    void close() {
        all.forEach(DuplexEmbeddedChannel::finishAndReleaseAll);
    }
}
