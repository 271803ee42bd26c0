package vipgate.lb.tls;

import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;

/**
 * Which TLS implementation serves: BoringSSL (netty-tcnative-boringssl-static) when its native library loads, the
 * JDK's otherwise, with the reason logged once. Chosen once per JVM.
 */
public final class TlsProvider {
    private static final Logger LOG = Logger.getLogger(TlsProvider.class.getName());

    private TlsProvider() {
    }

    private static final class Chosen {
        static final SslProvider PROVIDER = choose();
        static final Set<String> CIPHERS = ciphers(PROVIDER);

        private static SslProvider choose() {
            if (OpenSsl.isAvailable()) {
                LOG.info(() -> "TLS by " + OpenSsl.versionString());
                return SslProvider.OPENSSL;
            }
            // The JDK accepts a client's renegotiation unless told not to; BoringSSL never does.
            System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
            Throwable cause = OpenSsl.unavailabilityCause();
            LOG.warning("TLS by the JDK (slower handshakes): OpenSSL/BoringSSL is not available: "
                    + (cause == null ? "unknown reason" : cause));
            return SslProvider.JDK;
        }

        private static Set<String> ciphers(SslProvider provider) {
            if (provider == SslProvider.OPENSSL) {
                return Set.copyOf(OpenSsl.availableJavaCipherSuites());
            }
            try {
                return new LinkedHashSet<>(List.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites()));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JVM has no TLS", e);
            }
        }
    }

    public static SslProvider provider() {
        return Chosen.PROVIDER;
    }

    /** "BoringSSL" or "the JDK", for messages. */
    public static String name() {
        return Chosen.PROVIDER == SslProvider.OPENSSL ? OpenSsl.versionString() : "the JDK";
    }

    /** The cipher suites the provider offers, by IANA name. */
    public static Set<String> supportedCipherSuites() {
        return Chosen.CIPHERS;
    }

    /** An OpenSSL name ("ECDHE-RSA-AES128-GCM-SHA256", as nginx's ssl_ciphers has them) as IANA's; others unchanged. */
    public static String ianaName(String name) {
        if (name.startsWith("TLS_") || name.startsWith("SSL_")) {
            return name;
        }
        String java = CipherSuiteConverter.toJava(name, "TLS");
        return java == null ? name : java;
    }

    /**
     * An IANA name as OpenSSL spells it ($ssl_cipher, as nginx logs it: "TLS_AES_256_GCM_SHA384" where BoringSSL
     * says "AEAD-AES256-GCM-SHA384"); unchanged when it has no such name.
     */
    public static String openSslName(String iana) {
        String openSsl = CipherSuiteConverter.toOpenSsl(iana, false);
        return openSsl == null ? iana : openSsl;
    }
}
