package vipgate.lb.route;

import java.net.InetSocketAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import vipgate.config.HostPort;
import vipgate.lb.http.ErrorPages;
import vipgate.lb.tls.ServerTls;

/**
 * A compiled virtual server: its names, locations (exact first, then longest prefix first), error pages and, for an
 * HTTPS server, its TLS.
 */
public final class VirtualHost {
    private final List<HostPort> listen;
    /** Listen addresses resolved once; a null address stands for a wildcard. */
    private final List<InetSocketAddress> resolvedListen;
    private final List<String> names;
    private final boolean isDefault;
    private final List<Location> locations;
    private final ErrorPages errorPages;
    /** Null for a plaintext server. */
    private final ServerTls tls;

    /** {@code tls}: null for a plaintext server. */
    public VirtualHost(List<HostPort> listen, List<String> names, boolean isDefault, List<Location> locations,
            ErrorPages errorPages, ServerTls tls) {
        this.listen = List.copyOf(listen);
        this.resolvedListen = listen.stream()
                .map(hp -> Router.isWildcard(hp.host()) ? InetSocketAddress.createUnresolved("*", hp.port()) : hp.resolve())
                .toList();
        this.names = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        this.isDefault = isDefault;
        this.locations = locations.stream()
                .sorted(Comparator.comparing(Location::exact).reversed()
                        .thenComparing(Comparator.comparingInt((Location l) -> l.path().length()).reversed()))
                .toList();
        this.errorPages = errorPages;
        this.tls = tls;
    }

    /** The server's TLS; null when it is plaintext. */
    public ServerTls tls() {
        return tls;
    }

    public List<HostPort> listen() {
        return listen;
    }

    boolean listensOn(InetSocketAddress local) {
        for (InetSocketAddress a : resolvedListen) {
            if (a.getPort() == local.getPort() && (a.isUnresolved() || a.getAddress().equals(local.getAddress()))) {
                return true;
            }
        }
        return false;
    }

    public boolean isDefault() {
        return isDefault;
    }

    public ErrorPages errorPages() {
        return errorPages;
    }

    public Location location(String path) {
        for (Location l : locations) {
            if (l.matches(path)) {
                return l;
            }
        }
        return null;
    }

    /** How well a host matches: 3 exact, 2 + length leading wildcard, 1 + length trailing wildcard, -1 none. */
    long matchScore(String host) {
        long best = -1;
        for (String name : names) {
            if (name.equals(host)) {
                return Long.MAX_VALUE;
            }
            if (name.startsWith("*.") && host.endsWith(name.substring(1))) {
                best = Math.max(best, (2L << 32) + name.length());
            } else if (name.startsWith(".") && (host.endsWith(name) || host.equals(name.substring(1)))) {
                best = Math.max(best, (2L << 32) + name.length());
            } else if (name.endsWith(".*") && host.startsWith(name.substring(0, name.length() - 1))) {
                best = Math.max(best, (1L << 32) + name.length());
            }
        }
        return best;
    }
}
