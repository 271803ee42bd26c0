package vipgate.lb.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import vipgate.lb.config.LbConfig;
import vipgate.lb.config.LbConfigText;
import vipgate.lb.http.StrictRequestDecoder;
import vipgate.lb.metrics.LbMetrics;

/**
 * A client connection of the proxy on an {@link EmbeddedChannel}, its pipeline as {@link ProxyInitializer} builds
 * it, whose servers are the {@link FakeConnector}'s EmbeddedChannels: the exchange without sockets or threads.
 */
final class ClientConnection implements AutoCloseable {
    final EmbeddedChannel channel;
    final FakeConnector servers = new FakeConnector();

    private ClientConnection(LbConfig config) {
        LbMetrics metrics = new LbMetrics();
        ProxyContext context = new ProxyContext(null, Routing.compile(config, Map.of(), metrics), metrics,
                new BufferBudget(List.of(), 0));
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(config.client().maxUri())
                .setMaxHeaderSize(config.client().maxHeaderSize())
                .setMaxChunkSize(64 * 1024)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true);
        ProxyResponseEncoder encoder = new ProxyResponseEncoder();
        FrontendHandler frontend = new FrontendHandler(context, encoder, metrics.listener("test"), servers, null);
        channel = new Inet(frontend.new WireObserver(),
                new StrictRequestDecoder(decoder, config.client().underscoresInHeaders()), encoder, frontend);
    }

    /** A connection to a proxy configured by the body of {@code vipgate.lb { ... }}. */
    static ClientConnection to(String lbBody) {
        return new ClientConnection(LbConfigText.bind("vipgate.lb {\n" + lbBody + "\n}\n"));
    }

    /** One upstream {@code app} with the given servers (host:port), every path routed to it. */
    static ClientConnection toServers(String extra, String... addresses) {
        StringBuilder servers = new StringBuilder();
        for (String a : addresses) {
            servers.append(servers.isEmpty() ? "" : ", ").append("{ address = \"").append(a).append("\" }");
        }
        return to(extra + "\nupstreams.app { servers = [ " + servers + " ] }\n"
                + "servers = [ { listen = \"127.0.0.1:80\", locations = [ { path = \"/\", upstream = app } ] } ]");
    }

    void send(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    /** Everything the proxy wrote to the client since the last call. */
    String received() {
        return written(channel);
    }

    /** The bytes written to {@code channel} since they were last taken, as text; releases them. */
    static String written(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        for (Object m; (m = channel.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) m;
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    /** Runs what the client's event loop has queued, e.g. a close. */
    void runPending() {
        channel.runPendingTasks();
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
        servers.close();
    }

    /** An EmbeddedChannel with the addresses of a TCP connection, as the access log and variables expect. */
    private static final class Inet extends EmbeddedChannel {
        Inet(ChannelHandler... handlers) {
            super(handlers);
        }

        @Override
        protected SocketAddress localAddress0() {
            return new InetSocketAddress("127.0.0.1", 80);
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("127.0.0.2", 40000);
        }
    }
}
