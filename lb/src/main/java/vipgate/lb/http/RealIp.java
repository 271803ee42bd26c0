package vipgate.lb.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * nginx's realip module: when the connection comes from a trusted sender ({@code set_real_ip_from}), the client
 * address is taken from a request header ({@code real_ip_header}): X-Real-IP's value, or X-Forwarded-For's last
 * address, or with {@code real_ip_recursive} the last one that is not itself trusted; or, with
 * {@code real_ip_header proxy_protocol}, the address the connection's PROXY protocol header gave. A value that is not
 * an address leaves the connection's. Immutable.
 */
public final class RealIp {
    public static final RealIp OFF = new RealIp(List.of(), "x-real-ip", false);

    private final List<Cidr> trusted;
    private final String header;
    private final boolean recursive;

    public RealIp(List<Cidr> trusted, String header, boolean recursive) {
        this.trusted = List.copyOf(trusted);
        this.header = header.toLowerCase(java.util.Locale.ROOT);
        this.recursive = recursive;
    }

    /**
     * The client of a request that came over a connection from {@code peer}; {@code proxied}: the source of the
     * connection's PROXY protocol header, null without one. From the header it is address and port, as nginx sets
     * both; an address from a request header keeps the connection's port.
     */
    public InetSocketAddress client(InetSocketAddress peer, InetSocketAddress proxied, HttpHeaders headers) {
        if (trusted.isEmpty() || !isTrusted(peer.getAddress())) {
            return peer;
        }
        if (header.equals("proxy_protocol")) {
            return proxied == null ? peer : proxied;
        }
        String value = headers.get(header);
        if (value == null) {
            return peer;
        }
        InetAddress named = header.equals("x-forwarded-for") ? lastUntrustedHop(value) : Cidr.literal(value.trim());
        return named == null ? peer : new InetSocketAddress(named, peer.getPort());
    }

    /** X-Forwarded-For's last address, or with real_ip_recursive the last one not itself trusted; null for none. */
    private InetAddress lastUntrustedHop(String value) {
        String[] hops = value.split(",");
        InetAddress chosen = null;
        for (int i = hops.length - 1; i >= 0; i--) {
            InetAddress hop = Cidr.literal(hops[i].trim());
            if (hop == null) {
                break;
            }
            chosen = hop;
            if (!recursive || !isTrusted(hop)) {
                break;
            }
        }
        return chosen;
    }

    /** Whether {@code a} is one of the trusted senders (set_real_ip_from). */
    public boolean isTrusted(InetAddress a) {
        for (Cidr c : trusted) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }
}
