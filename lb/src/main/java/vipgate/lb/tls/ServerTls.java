package vipgate.lb.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;
import java.util.EnumMap;
import java.util.Map;
import java.util.logging.Logger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import vipgate.lb.config.TlsSpec;

/**
 * A virtual server's TLS, compiled: one SslContext per certificate (RSA, ECDSA) with the server's protocols, suites
 * and session settings, and the rule choosing between them per ClientHello ({@link CertificateChoice}). A context
 * holding one certificate gives BoringSSL its key once, not at every handshake. A reload builds a new one only when
 * the spec (certificates included) changed, so session caches and ticket keys survive reloads that leave a server
 * alone; connections keep the context they started with.
 */
public final class ServerTls {
    private static final Logger LOG = Logger.getLogger(ServerTls.class.getName());
    private final TlsSpec spec;
    private final Map<CertifiedKey.Type, SslContext> contexts;
    private final CertificateChoice choice;
    private final boolean openSsl;

    private ServerTls(TlsSpec spec, Map<CertifiedKey.Type, SslContext> contexts, CertificateChoice choice, boolean openSsl) {
        this.spec = spec;
        this.contexts = contexts;
        this.choice = choice;
        this.openSsl = openSsl;
    }

    /** @throws IllegalStateException when the TLS library refuses the spec (the reload is refused then) */
    public static ServerTls build(TlsSpec spec) {
        boolean openSsl = TlsProvider.provider() == SslProvider.OPENSSL;
        if (!openSsl && (!spec.sessionTickets() || spec.sessionCache() == 0)) {
            LOG.warning(() -> "TLS of " + spec.certificates() + ": the JDK's TLS (the fallback) has no per-server switch for "
                    + "session tickets or the session cache; session-tickets = false and session-cache = 0 are not applied");
        }
        Map<CertifiedKey.Type, SslContext> contexts = new EnumMap<>(CertifiedKey.Type.class);
        for (CertifiedKey certificate : spec.certificates()) {
            contexts.put(certificate.type(), context(spec, certificate, openSsl));
        }
        return new ServerTls(spec, contexts, CertificateChoice.of(spec), openSsl);
    }

    private static SslContext context(TlsSpec spec, CertifiedKey certificate, boolean openSsl) {
        SslContextBuilder builder = SslContextBuilder.forServer(certificate.key(), certificate.chain())
                .sslProvider(TlsProvider.provider())
                .protocols(spec.protocols())
                .ciphers(spec.ciphers())
                .sessionTimeout(spec.sessionTimeout().toSeconds());
        if (spec.sessionCache() > 0) {
            builder.sessionCacheSize(spec.sessionCache());
        }
        SslContext context;
        try {
            context = builder.build();
        } catch (SSLException | RuntimeException e) {
            throw new IllegalStateException("TLS for " + certificate + " cannot be set up: " + e.getMessage(), e);
        }
        if (openSsl && context.sessionContext() instanceof OpenSslServerSessionContext sessions) {
            if (spec.sessionTickets()) {
                // no keys given: BoringSSL makes its own and rotates them (every two days), never on disk
                sessions.setTicketKeys();
            }
            sessions.setSessionCacheEnabled(spec.sessionCache() > 0);
        }
        return context;
    }

    public TlsSpec spec() {
        return spec;
    }

    /**
     * A handler for one connection whose ClientHello offered {@code hello} (null: unreadable), which must complete
     * its handshake within {@code handshakeTimeoutMillis}.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, ClientHelloOffer hello, long handshakeTimeoutMillis) {
        SslHandler handler = contexts.get(choice.choose(hello)).newHandler(alloc);
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        SSLEngine engine = handler.engine();
        if (openSsl && engine instanceof ReferenceCountedOpenSslEngine e) {
            // Netty's context always prefers the server's order and turns TLS 1.3 tickets on for each connection:
            // one option flip here each, cheaper than SSLParameters (which re-applies the whole cipher list)
            long ssl = e.sslPointer();
            if (!spec.preferServerCiphers()) {
                SSL.clearOptions(ssl, SSL.SSL_OP_CIPHER_SERVER_PREFERENCE);
            }
            if (!spec.sessionTickets()) {
                SSL.setOptions(ssl, SSL.SSL_OP_NO_TICKET);
            }
        } else {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setUseCipherSuitesOrder(spec.preferServerCiphers());
            engine.setSSLParameters(parameters);
        }
        return handler;
    }
}
