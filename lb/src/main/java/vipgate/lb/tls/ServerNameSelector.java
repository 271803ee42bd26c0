package vipgate.lb.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The first handler of a TLS connection: reads the ClientHello, picks the virtual server for the name the client
 * sent in SNI (by the rules of server-names; no name, or an unknown one, gives the address's default server) and
 * replaces itself with an {@link SslHandler} serving that server's certificate for what the hello offered (RSA or
 * ECDSA). The whole handshake, hello included, must end within the timeout.
 */
public final class ServerNameSelector extends AbstractSniHandler<ServerTls> {
    /**
     * Largest ClientHello read before a handshake starts (Netty's default is 16 MiB per connection). Real ones are
     * well under 4 KiB, post-quantum key shares included.
     */
    static final int MAX_CLIENT_HELLO = 16 * 1024;

    private final Function<String, ServerTls> servers;
    private final long timeoutMillis;
    private final long startNanos = System.nanoTime();
    /** What the ClientHello offered, for the choice of certificate; null when it could not be read. */
    private ClientHelloOffer offer;

    /** {@code servers}: the TLS of the server for a lower-case SNI name (null: none sent); null when none listens. */
    public ServerNameSelector(Function<String, ServerTls> servers, long timeoutMillis) {
        super(MAX_CLIENT_HELLO, timeoutMillis);
        this.servers = servers;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    protected Future<ServerTls> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) throws Exception {
        offer = clientHello == null ? null : ClientHelloOffer.parse(clientHello);
        // the superclass reads the SNI name and asks lookup(ctx, hostname)
        return super.lookup(ctx, clientHello);
    }

    @Override
    protected Future<ServerTls> lookup(ChannelHandlerContext ctx, String hostname) {
        ServerTls tls = servers.apply(hostname == null ? null : hostname.toLowerCase(Locale.ROOT));
        return tls == null ? ctx.executor().<ServerTls>newFailedFuture(new IllegalStateException("no TLS server listens here"))
                : ctx.executor().newSucceededFuture(tls);
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<ServerTls> future) {
        if (!future.isSuccess()) {
            throw new DecoderException("no certificate for " + hostname, future.cause());
        }
        long left = timeoutMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        SslHandler ssl = future.getNow().newHandler(ctx.alloc(), offer, Math.max(1, left));
        try {
            ctx.pipeline().replace(this, "ssl", ssl);
        } catch (RuntimeException e) {
            // not in the pipeline (the client left meanwhile): the engine is still ours to free
            ReferenceCountUtil.safeRelease(ssl.engine());
            throw e;
        }
    }
}
