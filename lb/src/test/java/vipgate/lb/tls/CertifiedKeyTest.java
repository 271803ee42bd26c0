package vipgate.lb.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.testkit.TlsFiles;

class CertifiedKeyTest {
    @TempDir
    static Path dir;
    private static TlsFiles.Pair rsa;
    private static TlsFiles.Pair otherRsa;
    private static TlsFiles.Pair ec;

    @BeforeAll
    static void make() {
        TlsFiles files = TlsFiles.in(dir);
        rsa = files.rsa("rsa", "www.example.test", "*.shop.example.test", "example.test", "*.example.test");
        otherRsa = files.rsa("other", "www.example.test");
        ec = files.ec("ec", "www.example.test");
    }

    private static List<X509Certificate> chain(TlsFiles.Pair p) throws IOException {
        return Pem.certificates(Files.readString(p.certificate()));
    }

    private static PrivateKey key(TlsFiles.Pair p) throws IOException {
        return Pem.privateKey(Files.readString(p.key()), List.of());
    }

    @Test
    void aKeyGoesWithItsOwnCertificateOnly() throws IOException {
        CertifiedKey pair = CertifiedKey.of(chain(rsa), key(rsa));
        assertThat(pair.type()).isEqualTo(CertifiedKey.Type.RSA);
        assertThat(CertifiedKey.of(chain(ec), key(ec)).type()).isEqualTo(CertifiedKey.Type.EC);
        assertThatThrownBy(() -> CertifiedKey.of(chain(rsa), key(otherRsa)))
                .hasMessageContaining("the key does not belong to the certificate CN=www.example.test");
        assertThatThrownBy(() -> CertifiedKey.of(chain(rsa), key(ec)))
                .hasMessageContaining("the key (EC) does not belong to the certificate");
        // equal when chain and key are: a reload that re-read the same files changes nothing
        assertThat(CertifiedKey.of(chain(rsa), key(rsa))).isEqualTo(pair).hasSameHashCodeAs(pair);
        assertThat(pair.toString()).startsWith("RSA CN=www.example.test (serial ").doesNotContain("PRIVATE");
    }

    @Test
    void validityIsCheckedAgainstTheGivenClock() throws IOException {
        CertifiedKey pair = CertifiedKey.of(chain(rsa), key(rsa));
        X509Certificate leaf = pair.leaf();
        assertThat(pair.invalidAt(leaf.getNotBefore().toInstant().plusSeconds(1))).isEmpty();
        assertThat(pair.invalidAt(leaf.getNotAfter().toInstant().plus(Duration.ofDays(1)))).get().asString()
                .contains("expired on");
        assertThat(pair.invalidAt(leaf.getNotBefore().toInstant().minus(Duration.ofDays(1)))).get().asString()
                .contains("is not valid before");
    }

    @Test
    void serverNamesAreCoveredAsBrowsersMatchThem() throws IOException {
        CertifiedKey pair = CertifiedKey.of(chain(rsa), key(rsa));
        assertThat(pair.covers("www.example.test")).isTrue();
        assertThat(pair.covers("WWW.Example.Test")).isTrue();
        assertThat(pair.covers("a.shop.example.test")).isTrue();
        // "*." covers one label only
        assertThat(pair.covers("a.b.shop.example.test")).isFalse();
        assertThat(pair.covers("shop.example.test")).isTrue(); // by *.example.test
        assertThat(pair.covers("*.shop.example.test")).isTrue();
        assertThat(pair.covers("*.other.example.test")).isFalse();
        // nginx's ".example.test" is example.test and *.example.test: both named
        assertThat(pair.covers(".example.test")).isTrue();
        assertThat(pair.covers(".shop.example.test")).isTrue(); // shop. by *.example.test
        assertThat(pair.covers(".other.example.test")).isFalse(); // no *.other.example.test
        assertThat(pair.covers("mail.other.test")).isFalse();
        // names no certificate can cover are not checked
        assertThat(pair.covers("_")).isTrue();
        assertThat(pair.covers("www.example.*")).isTrue();
    }
}
