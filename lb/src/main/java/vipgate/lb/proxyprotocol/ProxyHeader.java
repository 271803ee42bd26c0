package vipgate.lb.proxyprotocol;

import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The PROXY protocol header an upstream connection starts with (HAProxy's send-proxy / send-proxy-v2): the client's
 * address and the address it reached. Immutable. A client and a listener of different families (an IPv4 client on an
 * IPv6 socket) are both sent as IPv6, the IPv4 one mapped (::ffff:a.b.c.d), as HAProxy does.
 */
public record ProxyHeader(HAProxyProtocolVersion version, InetSocketAddress source, InetSocketAddress destination) {

    /** What a connection carrying this header may be reused for: the same client connection only. */
    public String connectionKey() {
        return version + " " + source + " " + destination;
    }

    /** A new message for the encoder, which releases it. */
    HAProxyMessage message() {
        InetAddress src = unmapped(source.getAddress());
        InetAddress dst = unmapped(destination.getAddress());
        boolean v4 = src instanceof Inet4Address && dst instanceof Inet4Address;
        return new HAProxyMessage(version, HAProxyCommand.PROXY, v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
                v4 ? src.getHostAddress() : asIpv6(src), v4 ? dst.getHostAddress() : asIpv6(dst), source.getPort(),
                destination.getPort());
    }

    private static String asIpv6(InetAddress a) {
        return a instanceof Inet4Address ? "::ffff:" + a.getHostAddress() : NetUtil.toAddressString(a);
    }

    /**
     * An IPv4-mapped IPv6 address (::ffff:a.b.c.d, a dual-stack socket's IPv4 peer) as the IPv4 address it is: the
     * JDK makes an Inet4Address of mapped bytes.
     */
    private static InetAddress unmapped(InetAddress a) {
        try {
            return a instanceof Inet6Address ? InetAddress.getByAddress(a.getAddress()) : a;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }
}
