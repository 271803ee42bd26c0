package vipgate.lb.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.testkit.TlsFiles;

/** Every key encoding nginx's ssl_certificate_key takes, made by the real openssl, and what a broken file gives. */
class PemTest {
    @TempDir
    static Path dir;
    private static TlsFiles files;
    private static TlsFiles.Pair rsa;
    private static TlsFiles.Pair ec;

    @BeforeAll
    static void make() {
        files = TlsFiles.in(dir);
        rsa = files.rsa("rsa", "www.example.test");
        ec = files.ec("ec", "www.example.test");
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p);
    }

    @Test
    void aPkcs1RsaKeyReadsAsThePkcs8KeyOpensslConvertsItTo() throws IOException {
        assertThat(read(rsa.key())).contains("-----BEGIN RSA PRIVATE KEY-----");
        PrivateKey pkcs1 = Pem.privateKey(read(rsa.key()), List.of());
        PrivateKey pkcs8 = Pem.privateKey(read(files.pkcs8(rsa.key())), List.of());
        assertThat(pkcs1).isInstanceOf(RSAPrivateCrtKey.class);
        assertThat(pkcs1.getEncoded()).isEqualTo(pkcs8.getEncoded());
    }

    @Test
    void aSec1EcKeyAfterItsParametersReadsAsThePkcs8Key() throws IOException {
        assertThat(read(ec.key())).contains("-----BEGIN EC PARAMETERS-----", "-----BEGIN EC PRIVATE KEY-----");
        PrivateKey sec1 = Pem.privateKey(read(ec.key()), List.of());
        PrivateKey pkcs8 = Pem.privateKey(read(files.pkcs8(ec.key())), List.of());
        assertThat(sec1).isInstanceOf(ECPrivateKey.class);
        assertThat(((ECPrivateKey) sec1).getS()).isEqualTo(((ECPrivateKey) pkcs8).getS());
    }

    @Test
    void anEncryptedPkcs8KeyNeedsItsPassphrase() throws IOException {
        String text = read(files.encryptedPkcs8(rsa.key(), "s3cret"));
        assertThat(text).contains("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThatThrownBy(() -> Pem.privateKey(text, List.of()))
                .hasMessageContaining("the private key is encrypted; name a file with its passphrase in password-file");
        assertThatThrownBy(() -> Pem.privateKey(text, List.of("wrong")))
                .hasMessage("the passphrase of password-file does not decrypt the key");
        assertThat(Pem.privateKey(text, List.of("wrong", "s3cret")).getEncoded())
                .isEqualTo(Pem.privateKey(read(rsa.key()), List.of()).getEncoded());
    }

    @Test
    void aLegacyEncryptedRsaKeyNeedsItsPassphrase() throws IOException {
        String text = read(files.legacyEncrypted(rsa.key(), "s3cret"));
        assertThat(text).contains("Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-128-CBC,");
        assertThatThrownBy(() -> Pem.privateKey(text, List.of())).hasMessageContaining("is encrypted");
        assertThatThrownBy(() -> Pem.privateKey(text, List.of("a", "b")))
                .hasMessage("none of the 2 passphrases of password-file decrypts the key");
        assertThat(Pem.privateKey(text, List.of("s3cret")).getEncoded())
                .isEqualTo(Pem.privateKey(read(rsa.key()), List.of()).getEncoded());
    }

    @Test
    void certificatesComeInTheirFileOrderAndOtherBlocksAreSkipped() throws IOException {
        Path chain = files.concat("chain.pem", rsa.certificate(), ec.key(), ec.certificate());
        var certs = Pem.certificates(read(chain));
        assertThat(certs).hasSize(2);
        assertThat(certs.get(0).getPublicKey().getAlgorithm()).isEqualTo("RSA");
        assertThat(certs.get(1).getPublicKey().getAlgorithm()).isEqualTo("EC");
        // a combined file (certificate and key in one, as nginx allows) gives its key too
        assertThat(Pem.privateKey(read(chain), List.of())).isInstanceOf(ECPrivateKey.class);
    }

    @Test
    void brokenFilesAreRefusedWithWhatIsWrong() throws IOException {
        assertThatThrownBy(() -> Pem.certificates("hello\n")).hasMessageContaining("no certificate found");
        assertThatThrownBy(() -> Pem.privateKey(read(rsa.certificate()), List.of())).hasMessageContaining("no private key found");
        assertThatThrownBy(() -> Pem.privateKey("-----BEGIN PRIVATE KEY-----\nAAAA\n", List.of()))
                .hasMessage("the PRIVATE KEY block has no -----END PRIVATE KEY----- line");
        assertThatThrownBy(() -> Pem.privateKey("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n", List.of()))
                .hasMessageContaining("is not valid base64");
        assertThatThrownBy(() -> Pem.privateKey("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", List.of()))
                .hasMessageContaining("does not close BEGIN PRIVATE KEY");
        assertThatThrownBy(() -> Pem.privateKey(read(rsa.key()) + read(ec.key()), List.of()))
                .hasMessageContaining("more than one private key");
        // DER that claims more bytes than there are: 30 82 FF FF
        assertThatThrownBy(() -> Pem.privateKey("-----BEGIN RSA PRIVATE KEY-----\nMIL//w==\n-----END RSA PRIVATE KEY-----\n",
                List.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("claims 65535 bytes");
        assertThatThrownBy(() -> Pem.certificates("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
                .hasMessageContaining("certificate 1 cannot be parsed");
    }

    @Test
    void aSec1KeyWithoutItsCurveIsRefused() {
        // SEQUENCE { INTEGER 1, OCTET STRING (1 byte) }: no [0] parameters and no EC PARAMETERS block
        byte[] sec1 = Der.encode(Der.SEQUENCE, Der.encode(Der.INTEGER, new byte[] {1}), Der.encode(Der.OCTET_STRING, new byte[] {7}));
        assertThatThrownBy(() -> Pem.sec1ToPkcs8(sec1, null)).hasMessageContaining("does not name its curve");
    }

    @Test
    void derLengthsAndOidsAreEncodedAsX690Says() {
        assertThat(Der.encode(Der.OCTET_STRING, new byte[3])).containsExactly(0x04, 0x03, 0, 0, 0);
        byte[] long200 = Der.encode(Der.OCTET_STRING, new byte[200]);
        assertThat(long200).startsWith(0x04, 0x81, 200);
        assertThat(long200).hasSize(203);
        assertThat(Der.encode(Der.SEQUENCE, new byte[300])).startsWith(0x30, 0x82, 0x01, 0x2C);
        assertThat(Pem.oidText(Der.RSA_ENCRYPTION)).isEqualTo("1.2.840.113549.1.1.1");
        assertThat(Pem.oidText(Der.EC_PUBLIC_KEY)).isEqualTo("1.2.840.10045.2.1");
        Der.Element e = Der.Reader.of(long200).next();
        assertThat(e.tag()).isEqualTo(Der.OCTET_STRING);
        assertThat(e.value()).hasSize(200);
    }

    @Test
    void evpBytesToKeyMatchesOpenssl() throws Exception {
        // openssl enc -aes-128-cbc -pass pass:s3cret -S 0102030405060708 -P -md md5
        byte[] iv = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        String expected = TlsFiles.run("enc", "-aes-128-cbc", "-pass", "pass:s3cret", "-S", "0102030405060708", "-P", "-md", "md5")
                .lines().filter(l -> l.startsWith("key=")).findFirst().orElseThrow().substring(4).strip();
        assertThat(java.util.HexFormat.of().withUpperCase().formatHex(Pem.bytesToKey("s3cret".getBytes(), iv, 16)))
                .isEqualTo(expected);
    }
}
