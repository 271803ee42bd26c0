package vipgate.lb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.config.ConfigException;
import vipgate.config.ConfigProblem;
import vipgate.lb.tls.CertifiedKey;
import vipgate.testkit.TlsFiles;

/** The tls block of an upstream (nginx proxy_pass https:// and proxy_ssl_*): safe defaults, files checked at their line. */
class UpstreamTlsConfigTest {
    @TempDir
    static Path dir;
    private static TlsFiles files;
    private static TlsFiles.Pair ca;
    private static TlsFiles.Pair client;
    private static TlsFiles.Pair other;

    @BeforeAll
    static void make() {
        files = TlsFiles.in(dir);
        ca = files.ec("ca", "backend.example.test");
        client = files.rsa("client", "vipgate.example.test");
        other = files.rsa("other", "other.example.test");
    }

    private static String config(String tls) {
        return """
                vipgate.lb {
                  upstreams.web { servers = [ { address = "127.0.0.1:8443" } ]
                    tls { %s } }
                  upstreams.plain { servers = [ { address = "127.0.0.1:8081" } ] }
                  servers = [ { listen = "127.0.0.1:8080", locations = [ { path = "/", upstream = web } ] } ]
                }
                """.formatted(tls);
    }

    private static List<String> problems(String text) {
        ConfigException e = catchThrowableOfType(() -> LbConfigText.bind(text), ConfigException.class);
        assertThat(e).as("binding should fail").isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void anUpstreamWithoutTlsIsPlaintextAndOneWithItVerifiesByDefault() {
        LbConfig cfg = LbConfigText.bind(config(""));
        assertThat(cfg.upstreams().get("plain").tls()).isEmpty();
        UpstreamTlsSpec tls = cfg.upstreams().get("web").tls().orElseThrow();
        // safer than nginx's proxy_ssl_verify off: the JVM's CAs, the server's host checked
        assertThat(tls.verify()).isTrue();
        assertThat(tls.ca()).isEmpty();
        assertThat(tls.serverName()).isEmpty();
        assertThat(tls.certificate()).isEmpty();
        // the same protocols and suites as a server's tls block, from one list in reference.conf
        assertThat(tls.protocols()).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(tls.ciphers()).hasSize(9).allMatch(c -> c.contains("GCM") || c.contains("CHACHA20"));
    }

    @Test
    void aCaANameAndAClientCertificateAreRead() {
        UpstreamTlsSpec tls = LbConfigText.bind(config("ca = \"" + ca.certificate() + "\", server-name = \"backend.example.test\", "
                + "certificate = \"" + client.certificate() + "\", key = \"" + client.key() + "\", protocols = [\"TLSv1.3\"], "
                + "ciphers = [\"TLS_AES_128_GCM_SHA256\"]")).upstreams().get("web").tls().orElseThrow();
        assertThat(tls.ca()).hasSize(1);
        assertThat(tls.serverName()).isEqualTo("backend.example.test");
        assertThat(tls.certificate()).get().extracting(CertifiedKey::type).isEqualTo(CertifiedKey.Type.RSA);
        assertThat(tls.protocols()).containsExactly("TLSv1.3");
    }

    @Test
    void aReloadOfTheSameFilesGivesAnEqualSpecAndAChangedFileAnother() {
        String text = config("ca = \"" + ca.certificate() + "\", certificate = \"" + client.certificate() + "\", key = \""
                + client.key() + "\"");
        // equal specs keep the running group, its TLS context and so its sessions, across a reload
        assertThat(LbConfigText.bind(text).upstreams().get("web")).isEqualTo(LbConfigText.bind(text).upstreams().get("web"));
        assertThat(LbConfigText.bind(config("ca = \"" + other.certificate() + "\"")).upstreams().get("web"))
                .isNotEqualTo(LbConfigText.bind(config("ca = \"" + ca.certificate() + "\"")).upstreams().get("web"));
    }

    @Test
    void badFilesAndNamesAreRefusedAtTheirLine() {
        Path missing = dir.resolve("missing.pem");
        assertThat(problems(config("ca = \"" + missing + "\""))).singleElement().asString()
                .startsWith("test.conf:3: vipgate.lb.upstreams.web.tls.ca: cannot read " + missing + ": no such file");
        Path junk = files.write("junk.pem", "not a certificate\n");
        assertThat(problems(config("ca = \"" + junk + "\""))).singleElement().asString()
                .startsWith("test.conf:3: vipgate.lb.upstreams.web.tls.ca: " + junk + ": ");
        assertThat(problems(config("ca = \"" + ca.certificate() + "\", verify = false"))).singleElement().asString()
                .contains("a ca is given but verify = false would ignore it");
        assertThat(problems(config("certificate = \"" + client.certificate() + "\", key = \"" + other.key() + "\"")))
                .singleElement().asString().contains("tls.key: " + other.key() + ": the key does not belong to the certificate");
        assertThat(problems(config("key = \"" + client.key() + "\""))).singleElement().asString()
                .contains("a key is given without its certificate");
        Path expired = files.expired("expired", client.key(), "vipgate.example.test");
        assertThat(problems(config("certificate = \"" + expired + "\", key = \"" + client.key() + "\""))).singleElement()
                .asString().contains("expired on 2020-02-01T00:00:00Z");
        assertThat(problems(config("server-name = \"bad name/\""))).singleElement().asString()
                .contains("'bad name/' is not a host name");
        // SNI carries no IP address (RFC 6066): without server-name an IP of the address is checked instead
        assertThat(problems(config("server-name = \"10.0.0.1\""))).singleElement().asString()
                .contains("'10.0.0.1' is not a host name");
        assertThat(problems(config("protocols = [\"TLSv1\"]"))).singleElement().asString()
                .contains("TLSv1 is broken (RFC 8996) and not available");
        assertThat(problems(config("verfiy = false"))).singleElement().asString().contains("verfiy");
        // the block closed early: tls { }, health-check { type = http }
        assertThat(problems(config("}, health-check { type = http"))).singleElement().asString()
                .contains("health-check.type: the servers of upstream 'web' speak TLS, and an http check is plaintext");
    }
}
