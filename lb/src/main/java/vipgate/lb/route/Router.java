package vipgate.lb.route;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import vipgate.config.HostPort;

/**
 * Chooses the virtual host and location of a request as nginx does: among the servers listening on the
 * socket the request came in on, the best server-name match (exact, longest leading wildcard, longest
 * trailing wildcard), else the one marked default, else the first; then the exact location, else the longest
 * prefix.
 */
public final class Router {
    private final List<VirtualHost> hosts;

    public Router(List<VirtualHost> hosts) {
        this.hosts = List.copyOf(hosts);
    }

    /** The server a request on socket {@code local} for {@code host} goes to; null when none listens there. */
    public VirtualHost virtualHost(InetSocketAddress local, String host) {
        VirtualHost best = null;
        long bestScore = -1;
        VirtualHost fallback = null;
        for (VirtualHost v : hosts) {
            if (local != null && !v.listensOn(local)) {
                continue;
            }
            if (fallback == null || (v.isDefault() && !fallback.isDefault())) {
                fallback = v;
            }
            long score = host == null ? -1 : v.matchScore(host);
            if (score > bestScore) {
                bestScore = score;
                best = v;
            }
        }
        return best != null && bestScore >= 0 ? best : fallback;
    }

    /** "0.0.0.0", "::" and nginx's "*": an address that binds every address of its port. */
    public static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
    }

    /**
     * The sockets to bind: one per address, except that a wildcard address on a port covers every specific
     * address on that port (as nginx binds only *:80 then), and [::] covers 0.0.0.0 (a dual-stack socket).
     */
    public Set<HostPort> bindAddresses() {
        Set<HostPort> all = new LinkedHashSet<>();
        hosts.forEach(h -> all.addAll(h.listen()));
        List<HostPort> out = new ArrayList<>();
        for (HostPort hp : all) {
            boolean v6Wildcard = all.contains(new HostPort("::", hp.port()));
            // "*:80" is nginx's spelling of 0.0.0.0:80: it covers the specific addresses on the port just as well
            boolean v4Wildcard = all.contains(new HostPort("0.0.0.0", hp.port())) || all.contains(new HostPort("*", hp.port()));
            if (hp.host().equals("::")) {
                out.add(hp);
            } else if (hp.host().equals("0.0.0.0") || hp.host().equals("*")) {
                if (!v6Wildcard) {
                    out.add(new HostPort("0.0.0.0", hp.port()));
                }
            } else if (!v6Wildcard && !v4Wildcard) {
                out.add(hp);
            }
        }
        return new LinkedHashSet<>(out);
    }
}
