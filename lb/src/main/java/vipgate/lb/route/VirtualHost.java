package vipgate.lb.route;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import vipgate.config.HostPort;
import vipgate.lb.http.AccessRules;
import vipgate.lb.http.ErrorPages;
import vipgate.lb.http.RealIp;
import vipgate.lb.limit.LimitConn;
import vipgate.lb.limit.LimitReq;
import vipgate.lb.limit.Limits;
import vipgate.lb.tls.ServerTls;

/**
 * A compiled virtual server: its names, its rewrites and return (nginx's server-level rewrite module), its locations
 * searched as nginx does ({@link #find}), its error pages and, for an HTTPS server, its TLS.
 */
public final class VirtualHost {
    private final List<HostPort> listen;
    /** Listen addresses resolved once; a null address stands for a wildcard. */
    private final List<InetSocketAddress> resolvedListen;
    private final List<String> names;
    private final boolean isDefault;
    private final List<Rewrite> rewrites;
    private final Return returns;
    private final Limits limits;
    private final AccessRules access;
    private final RealIp realIp;
    /** Its sockets read a PROXY protocol header first. */
    private final boolean proxyProtocol;
    private final Map<String, Location> exact = new HashMap<>();
    /** Prefix locations, longest first. */
    private final List<Location> prefixes;
    /** Regex locations in the order written. */
    private final List<Location> regexes;
    /** Proxying locations ending in '/', for nginx's redirect of the path without the slash. */
    private final List<Location> autoRedirects;
    private final ErrorPages errorPages;
    /** Null for a plaintext server. */
    private final ServerTls tls;

    /** The location a search found, with the captures of its regex (null for others). */
    public record Found(Location location, Captures captures, boolean autoRedirect) {
    }

    /** {@code tls}: null for a plaintext server. */
    public VirtualHost(List<HostPort> listen, List<String> names, boolean isDefault, List<Rewrite> rewrites,
            Return returns, Limits limits, AccessRules access, RealIp realIp, boolean proxyProtocol,
            List<Location> locations, ErrorPages errorPages, ServerTls tls) {
        this.listen = List.copyOf(listen);
        this.resolvedListen = listen.stream()
                .map(hp -> Router.isWildcard(hp.host()) ? InetSocketAddress.createUnresolved("*", hp.port()) : hp.resolve())
                .toList();
        this.names = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        this.isDefault = isDefault;
        this.rewrites = List.copyOf(rewrites);
        this.returns = returns;
        this.limits = limits;
        this.access = access;
        this.realIp = realIp;
        this.proxyProtocol = proxyProtocol;
        List<Location> prefix = new ArrayList<>();
        List<Location> regex = new ArrayList<>();
        List<Location> redirecting = new ArrayList<>();
        for (Location l : locations) {
            switch (l.path().kind()) {
                case EXACT -> exact.putIfAbsent(l.path().text(), l);
                case PREFIX, PREFIX_NO_REGEX -> prefix.add(l);
                case REGEX, REGEX_CASELESS -> regex.add(l);
            }
            if (l.autoRedirects()) {
                redirecting.add(l);
            }
        }
        prefix.sort(Comparator.comparingInt((Location l) -> l.path().text().length()).reversed());
        this.prefixes = List.copyOf(prefix);
        this.regexes = List.copyOf(regex);
        this.autoRedirects = List.copyOf(redirecting);
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

    public List<Rewrite> rewrites() {
        return rewrites;
    }

    public Return returns() {
        return returns;
    }

    public RealIp realIp() {
        return realIp;
    }

    public boolean proxyProtocol() {
        return proxyProtocol;
    }

    /** The request limits of {@code location}: its own, or the server's when it has none. */
    public List<LimitReq> limitReq(Location location) {
        return location.limits().req().isEmpty() ? limits.req() : location.limits().req();
    }

    /** The concurrency limits of {@code location}: its own, or the server's when it has none. */
    public List<LimitConn> limitConn(Location location) {
        return location.limits().conn().isEmpty() ? limits.conn() : location.limits().conn();
    }

    /** The allow/deny rules of {@code location}: its own, or the server's when it has none (nginx's inheritance). */
    public AccessRules access(Location location) {
        return location.access().isEmpty() ? access : location.access();
    }

    /**
     * The location of {@code uri}, as nginx's find-config phase picks it: an exact location; else nginx's redirect
     * to "uri/" when a proxying "uri/" location exists and no location is "uri" itself; else the longest prefix
     * when it is a {@code ^~} one; else the first regex in file order that matches; else the longest prefix. Null
     * when none matches.
     */
    public Found find(String uri) {
        Location hit = exact.get(uri);
        if (hit != null) {
            return new Found(hit, null, false);
        }
        Location prefix = null;
        for (Location l : prefixes) {
            if (uri.startsWith(l.path().text())) {
                prefix = l;
                break;
            }
        }
        if (prefix == null || prefix.path().text().length() < uri.length()) {
            for (Location l : autoRedirects) {
                String p = l.path().text();
                if (p.length() == uri.length() + 1 && p.startsWith(uri)) {
                    return new Found(l, null, true);
                }
            }
        }
        if (prefix != null && prefix.path().kind() == LocationPath.Kind.PREFIX_NO_REGEX) {
            return new Found(prefix, null, false);
        }
        for (Location l : regexes) {
            Captures c = l.path().regex().match(uri);
            if (c != null) {
                return new Found(l, c, false);
            }
        }
        return prefix == null ? null : new Found(prefix, null, false);
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
