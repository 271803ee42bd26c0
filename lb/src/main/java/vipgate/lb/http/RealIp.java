package vipgate.lb.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
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
     * The client address of a request that came over a connection from {@code peer}; {@code proxied}: the source
     * address of the connection's PROXY protocol header, null without one.
     */
    public InetAddress client(InetAddress peer, InetAddress proxied, HttpHeaders headers) {
        if (trusted.isEmpty() || !isTrusted(peer)) {
            return peer;
        }
        if (header.equals("proxy_protocol")) {
            return proxied == null ? peer : proxied;
        }
        String value = headers.get(header);
        if (value == null) {
            return peer;
        }
        if (!header.equals("x-forwarded-for")) {
            InetAddress a = Cidr.literal(value.trim());
            return a == null ? peer : a;
        }
        String[] hops = value.split(",");
        InetAddress chosen = peer;
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
