package vipgate.lb.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import vipgate.lb.metrics.ListenerMetrics;
import vipgate.lb.config.ClientSpec;
import vipgate.lb.http.StrictRequestDecoder;

/** Builds a client connection's pipeline: wire observer, strict decoder, encoder, frontend. */
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
        clients.add(ch);
        ClientSpec client = context.routing().client();
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(client.maxUri())
                .setMaxHeaderSize(client.maxHeaderSize())
                .setMaxChunkSize(64 * 1024)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true);
        ProxyResponseEncoder encoder = new ProxyResponseEncoder();
        FrontendHandler frontend = new FrontendHandler(context, encoder, listener, context.pool(ch));
        ch.pipeline().addLast("wire", frontend.new WireObserver());
        ch.pipeline().addLast("decoder", new StrictRequestDecoder(decoder, client.underscoresInHeaders()));
        ch.pipeline().addLast("encoder", encoder);
        ch.pipeline().addLast("frontend", frontend);
    }
}
