package vipgate.lb.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.net.InetSocketAddress;
import vipgate.lb.config.ClientSpec;
import vipgate.lb.http.StrictRequestDecoder;
import vipgate.lb.metrics.ListenerMetrics;
import vipgate.lb.proxyprotocol.ProxyProtocolReader;
import vipgate.lb.route.Router;
import vipgate.lb.route.VirtualHost;
import vipgate.lb.tls.ServerNameSelector;
import vipgate.lb.tls.ServerTls;
import vipgate.lb.tls.TlsConnection;

/**
 * Builds a client connection's pipeline: on a PROXY protocol address (trusted senders only) its header reader, on a
 * TLS address the server-name selector (which becomes the TLS handler) and its observer, then wire observer, strict
 * decoder, encoder, frontend. Whether the address is TLS is read from
 * the routing at accept time, so a reload can turn a kept listener's new connections to or from TLS.
 */
public final class ProxyInitializer extends ChannelInitializer<Channel> {
    private final ProxyContext context;
    private final ChannelGroup clients;
    private final ListenerMetrics listener;

    public ProxyInitializer(ProxyContext context, ChannelGroup clients, ListenerMetrics listener) {
        this.context = context;
        this.clients = clients;
        this.listener = listener;
    }

    @Override
    protected void initChannel(Channel ch) {
        if (!context.budget().admit()) {
            // the cheapest refusal: nothing read, nothing buffered
            ch.close();
            return;
        }
        Routing routing = context.routing();
        ClientSpec client = routing.client();
        TlsConnection tls = null;
        InetSocketAddress local = (InetSocketAddress) ch.localAddress();
        Router router = routing.router();
        VirtualHost byDefault = local == null ? null : router.virtualHost(local, null);
        if (byDefault != null && byDefault.proxyProtocol()) {
            InetSocketAddress peer = (InetSocketAddress) ch.remoteAddress();
            if (peer == null || !byDefault.realIp().isTrusted(peer.getAddress())) {
                // only a trusted load balancer may name the client; anyone else is refused before a byte is read
                listener.proxyProtocolRefused();
                ch.close();
                return;
            }
            ProxyProtocolReader.install(ch.pipeline(), listener::proxyProtocolRefused);
        }
        clients.add(ch);
        if (byDefault != null && byDefault.tls() != null) {
            tls = new TlsConnection(listener);
            ch.pipeline().addLast("tls", new ServerNameSelector(name -> tlsOf(router.virtualHost(local, name)),
                    byDefault.tls().spec().handshakeTimeout().toMillis()));
            ch.pipeline().addLast("tls-session", tls);
        }
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(client.maxUri())
                .setMaxHeaderSize(client.maxHeaderSize())
                .setMaxChunkSize(64 * 1024)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true);
        ProxyResponseEncoder encoder = new ProxyResponseEncoder();
        FrontendHandler frontend = new FrontendHandler(context, encoder, listener, context.pool(ch), tls);
        ch.pipeline().addLast("wire", frontend.new WireObserver());
        ch.pipeline().addLast("decoder", new StrictRequestDecoder(decoder, client.underscoresInHeaders()));
        ch.pipeline().addLast("encoder", encoder);
        ch.pipeline().addLast("frontend", frontend);
    }

    private static ServerTls tlsOf(VirtualHost host) {
        return host == null ? null : host.tls();
    }
}
