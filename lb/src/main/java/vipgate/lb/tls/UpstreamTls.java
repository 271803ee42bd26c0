package vipgate.lb.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.List;
import java.util.logging.Logger;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import vipgate.lb.config.UpstreamTlsSpec;

/**
 * An upstream group's TLS, compiled: one client SslContext for all its servers and event loops, so the sessions of
 * earlier connections (kept by the context per name and port) resume new ones. Built when the group is, so a reload
 * that leaves the group alone keeps its sessions.
 */
public final class UpstreamTls {
    private static final Logger LOG = Logger.getLogger(UpstreamTls.class.getName());
    private final UpstreamTlsSpec spec;
    private final SslContext context;

    private UpstreamTls(UpstreamTlsSpec spec, SslContext context) {
        this.spec = spec;
        this.context = context;
    }

    /** @throws IllegalStateException when the TLS library refuses the spec (the reload is refused then) */
    public static UpstreamTls build(String upstream, UpstreamTlsSpec spec) {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(TlsProvider.provider())
                .protocols(spec.protocols())
                .ciphers(spec.ciphers())
                // the JDK's check of the name, done for both providers by the trust manager: DNS or IP subjectAltName
                .endpointIdentificationAlgorithm(spec.verify() ? "HTTPS" : null);
        if (!spec.verify()) {
            LOG.warning(() -> "upstream " + upstream + ": tls.verify = false, the servers' certificates are not checked "
                    + "(the connections are encrypted, but anyone on the path can answer for the servers)");
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (!spec.ca().isEmpty()) {
            builder.trustManager(spec.ca());
        }
        spec.certificate().ifPresent(c -> builder.keyManager(c.key(), c.chain()));
        try {
            return new UpstreamTls(spec, builder.build());
        } catch (SSLException | RuntimeException e) {
            throw new IllegalStateException("TLS to upstream " + upstream + " cannot be set up: " + e.getMessage(), e);
        }
    }

    public UpstreamTlsSpec spec() {
        return spec;
    }

    /**
     * A handler for a new connection to a server at {@code host} (as its address was written) and {@code port}. The
     * session to resume is the one of that host and port, so servers sharing a server-name each resume their own; the
     * name of {@code server-name}, else that host, goes in SNI (unless an IP address) and is checked against the
     * certificate (the JDK's check takes the SNI name before the host, on both providers).
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port, long handshakeTimeoutMillis) {
        SslHandler handler = context.newHandler(alloc, host, port);
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        if (!spec.serverName().isEmpty()) {
            SSLEngine engine = handler.engine();
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(spec.serverName())));
            engine.setSSLParameters(parameters);
        }
        return handler;
    }
}
