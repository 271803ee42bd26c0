package vipgate.lb.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import vipgate.lb.metrics.ListenerMetrics;

/**
 * What one TLS connection negotiated, for the request variables ($ssl_protocol, $ssl_cipher, $ssl_server_name,
 * $ssl_session_reused) and the listener's handshake counts. Sits right after the TLS handler and only watches its
 * events; a failed handshake is counted and logged at FINE (a bad client is not the operator's problem), and the
 * TLS handler closes the connection.
 */
public final class TlsConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(TlsConnection.class.getName());
    /** Netty keeps BoringSSL's SSL_session_reused package-private; null when a Netty version lacks it. */
    private static final MethodHandle OPENSSL_REUSED = openSslReused();

    private final ListenerMetrics listener;
    private final long startMillis = System.currentTimeMillis();
    private String serverName = "";
    private String protocol = "";
    private String cipher = "";
    private boolean reused;

    public TlsConnection(ListenerMetrics listener) {
        this.listener = listener;
    }

    private static MethodHandle openSslReused() {
        try {
            return MethodHandles.privateLookupIn(ReferenceCountedOpenSslEngine.class, MethodHandles.lookup())
                    .findVirtual(ReferenceCountedOpenSslEngine.class, "isSessionReused", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "$ssl_session_reused is always '.': Netty has no isSessionReused", e);
            return null;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SniCompletionEvent sni) {
            if (!sni.isSuccess()) {
                // the ClientHello did not come in time (or at all): the selector closes the connection
                failed(ctx, sni.cause());
            } else if (sni.hostname() != null) {
                serverName = sni.hostname();
            }
        } else if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                SSLSession session = ssl.engine().getSession();
                protocol = session.getProtocol();
                cipher = TlsProvider.openSslName(session.getCipherSuite());
                reused = isReused(ssl.engine(), session);
                listener.tlsHandshake(reused);
            } else {
                failed(ctx, done.cause());
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void failed(ChannelHandlerContext ctx, Throwable cause) {
        listener.tlsHandshakeFailed();
        LOG.log(Level.FINE, "TLS handshake with " + ctx.channel().remoteAddress() + " failed", cause);
    }

    private boolean isReused(SSLEngine engine, SSLSession session) {
        if (engine instanceof ReferenceCountedOpenSslEngine && OPENSSL_REUSED != null) {
            try {
                return (boolean) OPENSSL_REUSED.invoke(engine);
            } catch (Throwable e) {
                return false;
            }
        }
        // the JDK: a resumed session was made on an earlier connection
        return session.getCreationTime() < startMillis;
    }

    /** The SNI name the client sent, lower-case; "" when none ($ssl_server_name). */
    public String serverName() {
        return serverName;
    }

    /** "TLSv1.3" ($ssl_protocol); "" before the handshake completed. */
    public String protocol() {
        return protocol;
    }

    /** The suite in OpenSSL's spelling, "TLS_AES_128_GCM_SHA256" or "ECDHE-RSA-AES128-GCM-SHA256" ($ssl_cipher). */
    public String cipher() {
        return cipher;
    }

    /** "r" when the session was resumed, "." otherwise, as nginx's $ssl_session_reused. */
    public String sessionReused() {
        return reused ? "r" : ".";
    }
}
