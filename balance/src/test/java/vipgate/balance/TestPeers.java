package vipgate.balance;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Peers and helpers shared by the balancer tests. */
final class TestPeers {

    static final long SECOND = 1_000_000_000L;

    private TestPeers() {
    }

    /** A peer named like nginx's server line, at an unresolved address of that name. */
    static Peer.Builder peer(String name) {
        int colon = name.lastIndexOf(':');
        String host = colon < 0 ? name : name.substring(0, colon);
        int port = colon < 0 ? 80 : Integer.parseInt(name.substring(colon + 1));
        return Peer.builder(name, InetSocketAddress.createUnresolved(host, port));
    }

    static Peer peer(String name, int weight) {
        return peer(name).weight(weight).build();
    }

    static Balancer balancer(Algorithm algorithm, AtomicLong clock, Peer... peers) {
        return Balancers.create(algorithm, List.of(peers), clock::get, new SplittableRandom(1));
    }

    static SelectionContext request() {
        return SelectionContext.forRequest(null, 0);
    }

    /** The peer a fresh request gets; fails the test when there is none. */
    static Peer select(Balancer balancer, SelectionContext ctx) {
        Selection selection = balancer.select(ctx);
        if (!selection.isSelected()) {
            throw new AssertionError("no peer selected: " + selection.outcome());
        }
        return selection.peer();
    }

    /** Names of the peers that {@code count} requests get, each released as a success before the next. */
    static String sequence(Balancer balancer, int count) {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < count; i++) {
            Peer peer = select(balancer, request());
            names.append(peer.name());
            balancer.release(peer, false);
        }
        return names.toString();
    }
}
