package vipgate.lb.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.SimpleKeyManagerFactory;
import io.netty.internal.tcnative.SSL;
import java.security.KeyStore;
import javax.net.ssl.KeyManager;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import vipgate.lb.config.TlsSpec;

/**
 * A virtual server's TLS, compiled: the SslContext serving its certificates with its protocols, suites and session
 * settings. A reload builds a new one only when the spec (certificates included) changed, so session caches and
 * ticket keys survive reloads that leave a server alone; connections keep the context they started with.
 */
public final class ServerTls {
    private final TlsSpec spec;
    private final SslContext context;
    private final boolean openSsl;

    private ServerTls(TlsSpec spec, SslContext context, boolean openSsl) {
        this.spec = spec;
        this.context = context;
        this.openSsl = openSsl;
    }

    /** @throws IllegalStateException when the TLS library refuses the spec (the reload is refused then) */
    public static ServerTls build(TlsSpec spec) {
        SslProvider provider = TlsProvider.provider();
        boolean openSsl = provider == SslProvider.OPENSSL;
        CertificateKeyManager keys = new CertificateKeyManager(spec.certificates(), openSsl);
        SslContextBuilder builder = openSsl
                // the caching factory converts each certificate to BoringSSL's form once, not at every handshake
                ? SslContextBuilder.forServer(new OpenSslCachingX509KeyManagerFactory(factoryOf(keys)))
                : SslContextBuilder.forServer(keys);
        builder.sslProvider(provider)
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
            throw new IllegalStateException("TLS for " + spec.certificates() + " cannot be set up: " + e.getMessage(), e);
        }
        if (openSsl && context.sessionContext() instanceof OpenSslServerSessionContext sessions) {
            if (spec.sessionTickets()) {
                // no keys given: BoringSSL makes its own and rotates them (every two days), never on disk
                sessions.setTicketKeys();
            }
            sessions.setSessionCacheEnabled(spec.sessionCache() > 0);
        }
        return new ServerTls(spec, context, openSsl);
    }

    private static SimpleKeyManagerFactory factoryOf(KeyManager keys) {
        return new SimpleKeyManagerFactory() {
            @Override
            protected void engineInit(KeyStore keyStore, char[] password) {
            }

            @Override
            protected void engineInit(ManagerFactoryParameters parameters) {
            }

            @Override
            protected KeyManager[] engineGetKeyManagers() {
                return new KeyManager[] {keys};
            }
        };
    }

    public TlsSpec spec() {
        return spec;
    }

    /** A handler for one connection, which must complete its handshake within {@code handshakeTimeoutMillis}. */
    public SslHandler newHandler(ByteBufAllocator alloc, long handshakeTimeoutMillis) {
        SslHandler handler = context.newHandler(alloc);
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
