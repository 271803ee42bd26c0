package vipgate.lb.proxy;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import vipgate.lb.http.RequestVariables;
import vipgate.lb.proxyprotocol.ProxyProtocolReader;
import vipgate.lb.tls.TlsConnection;

/**
 * The access-log view of a request the proxy refused before it could be read (malformed: 400; header timeout:
 * 408). nginx logs these too, with "-" where the request is unknown. {@code tls}: null on a plaintext connection.
 */
record RefusedRequest(Channel channel, TlsConnection tls, int status, long bytesSent, long bodyBytesSent, long requestTimeNanos)
        implements RequestVariables {

    static String remoteAddr(Channel ch) {
        InetSocketAddress a = (InetSocketAddress) ch.remoteAddress();
        return a == null ? "" : a.getAddress().getHostAddress();
    }

    static int remotePort(Channel ch) {
        InetSocketAddress a = (InetSocketAddress) ch.remoteAddress();
        return a == null ? 0 : a.getPort();
    }

    /** The address the client reached, $host when a request names none. */
    static String localAddr(Channel ch) {
        InetSocketAddress local = (InetSocketAddress) ch.localAddress();
        return local == null ? "" : local.getAddress().getHostAddress();
    }

    static String proxyProtocolAddr(Channel ch) {
        InetSocketAddress source = ProxyProtocolReader.source(ch);
        return source == null ? "" : source.getAddress().getHostAddress();
    }

    static String proxyProtocolPort(Channel ch) {
        InetSocketAddress source = ProxyProtocolReader.source(ch);
        return source == null ? "" : Integer.toString(source.getPort());
    }

    static int serverPort(Channel ch) {
        InetSocketAddress local = (InetSocketAddress) ch.localAddress();
        return local == null ? 0 : local.getPort();
    }

    @Override
    public String remoteAddr() {
        return remoteAddr(channel);
    }

    @Override
    public int remotePort() {
        return remotePort(channel);
    }

    @Override
    public String host() {
        return localAddr(channel);
    }

    @Override
    public int serverPort() {
        return serverPort(channel);
    }

    @Override
    public String requestUri() {
        return "";
    }

    @Override
    public String scheme() {
        return tls == null ? "http" : "https";
    }

    @Override
    public String sslProtocol() {
        return tls == null ? "" : tls.protocol();
    }

    @Override
    public String sslCipher() {
        return tls == null ? "" : tls.cipher();
    }

    @Override
    public String sslServerName() {
        return tls == null ? "" : tls.serverName();
    }

    @Override
    public String sslSessionReused() {
        return tls == null ? "" : tls.sessionReused();
    }

    @Override
    public String proxyProtocolAddr() {
        return proxyProtocolAddr(channel);
    }

    @Override
    public String proxyProtocolPort() {
        return proxyProtocolPort(channel);
    }

    @Override
    public String proxyHost() {
        return "";
    }

    @Override
    public String upstreamAddr() {
        return "";
    }

    @Override
    public String requestHeader(String name) {
        return null;
    }
}
