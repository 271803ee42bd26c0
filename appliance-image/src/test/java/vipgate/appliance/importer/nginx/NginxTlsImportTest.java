package vipgate.appliance.importer.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.config.HostPort;
import vipgate.lb.config.LbConfig;
import vipgate.lb.config.TlsSpec;
import vipgate.lb.config.UpstreamTlsSpec;
import vipgate.lb.config.VirtualServerSpec;
import vipgate.lb.tls.CertifiedKey;
import vipgate.testkit.TlsFiles;

/** nginx's ssl_* (listen ... ssl) and proxy_ssl_* (proxy_pass https://) as vipgate's tls blocks. */
class NginxTlsImportTest {
    @TempDir
    static Path certs;
    @TempDir
    Path dir;
    private static TlsFiles.Pair rsa;
    private static TlsFiles.Pair ec;
    private static TlsFiles.Pair ca;
    private static TlsFiles.Pair client;

    @BeforeAll
    static void make() {
        TlsFiles files = TlsFiles.in(certs);
        rsa = files.rsa("rsa", "www.example.test");
        ec = files.ec("ec", "www.example.test");
        ca = files.ec("ca", "app");
        client = files.rsa("client", "vipgate.example.test");
    }

    private NginxImports.Imported load(String http) throws IOException {
        return NginxImports.load(dir, "http {\n" + http + "\n}\n");
    }

    @Test
    void aServerListeningWithAndWithoutSslBecomesTwoAndTheSslDirectivesMap() throws IOException {
        NginxImports.Imported i = load("""
                ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
                ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256;
                ssl_prefer_server_ciphers on;
                ssl_session_cache shared:SSL:10m;
                ssl_session_timeout 1d;
                ssl_session_tickets off;
                ssl_stapling on;
                upstream app { server 127.0.0.1:8443; }
                server {
                  listen 80;
                  listen 443 ssl;
                  server_name www.example.test;
                  ssl_certificate %s;
                  ssl_certificate_key %s;
                  ssl_certificate %s;
                  ssl_certificate_key %s;
                  location / {
                    proxy_pass https://app;
                    proxy_ssl_verify on;
                    proxy_ssl_trusted_certificate %s;
                    proxy_ssl_server_name on;
                    proxy_ssl_protocols TLSv1.3;
                    proxy_ssl_certificate %s;
                    proxy_ssl_certificate_key %s;
                  }
                }""".formatted(rsa.certificate(), rsa.key(), ec.certificate(), ec.key(), ca.certificate(), client.certificate(),
                client.key()));

        LbConfig lb = i.config().lb();
        assertThat(lb.servers()).extracting(VirtualServerSpec::listen)
                .containsExactly(java.util.List.of(HostPort.parse("0.0.0.0:80")), java.util.List.of(HostPort.parse("0.0.0.0:443")));
        assertThat(lb.servers().get(0).tls()).isEmpty();
        TlsSpec tls = lb.servers().get(1).tls().orElseThrow();
        assertThat(tls.certificates()).extracting(CertifiedKey::type).containsExactlyInAnyOrder(CertifiedKey.Type.RSA,
                CertifiedKey.Type.EC);
        assertThat(tls.protocols()).containsExactly("TLSv1.2");
        assertThat(tls.ciphers()).containsExactly("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assertThat(tls.preferServerCiphers()).isTrue();
        assertThat(tls.sessionCache()).isEqualTo(40_000);
        assertThat(tls.sessionTimeout()).isEqualTo(Duration.ofDays(1));
        assertThat(tls.sessionTickets()).isFalse();
        UpstreamTlsSpec up = lb.upstreams().get("app").tls().orElseThrow();
        assertThat(up.verify()).isTrue();
        assertThat(up.ca()).hasSize(1);
        // nginx checks (and with proxy_ssl_server_name on, sends) $proxy_host: the upstream's name
        assertThat(up.serverName()).isEqualTo("app");
        assertThat(up.protocols()).containsExactly("TLSv1.3");
        assertThat(up.certificate()).isPresent();
        i.assertReports(":2: changed: ssl_protocols: TLSv1 TLSv1.1 left out: vipgate offers TLS 1.2 and 1.3 only",
                ":3: changed: ssl_ciphers: DHE-RSA-AES128-GCM-SHA256 left out: not offered by",
                ":8: not mapped: ssl_stapling: vipgate does no OCSP stapling yet",
                ":10: changed: server: this server listens with and without ssl: it became two vipgate servers, one on"
                        + " 0.0.0.0:80 and one with TLS on 0.0.0.0:443");
    }

    @Test
    void nginxsDefaultsAreKeptWhereTheyAreSafeAndSaidWhereTheyAreNot() throws IOException {
        NginxImports.Imported i = load("""
                server {
                  listen 443 ssl;
                  ssl_certificate %s;
                  ssl_certificate_key %s;
                  ssl_ciphers HIGH:!aNULL:!MD5;
                  location / { proxy_pass https://10.0.0.9; }
                  location /b/ { proxy_pass http://10.0.0.9; }
                }""".formatted(rsa.certificate(), rsa.key()));

        LbConfig lb = i.config().lb();
        TlsSpec tls = lb.servers().get(0).tls().orElseThrow();
        assertThat(tls.protocols()).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(tls.ciphers()).hasSize(9);
        // nginx's proxy_ssl_verify off, its default, is kept: the output does what nginx did
        UpstreamTlsSpec up = lb.upstreams().get("10.0.0.9").tls().orElseThrow();
        assertThat(up.verify()).isFalse();
        assertThat(up.serverName()).isEmpty();
        assertThat(lb.upstreams().get("10.0.0.9").servers().get(0).address()).isEqualTo(HostPort.parse("10.0.0.9:443"));
        assertThat(lb.servers().get(0).locations()).hasSize(1);
        i.assertReports(":2: changed: server: nginx's TLS defaults (ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3) are wider",
                ":2: changed: server: nginx keeps no TLS session cache by default",
                ":6: not mapped: ssl_ciphers: 'HIGH:!aNULL:!MD5' is an OpenSSL cipher expression ('HIGH')",
                ":7: changed: proxy_pass: upstream '10.0.0.9': nginx does not verify the servers' certificates here;"
                        + " imported as verify = false",
                ":8: not mapped: proxy_pass: vipgate speaks one protocol per upstream, and '10.0.0.9' is reached with https://"
                        + " elsewhere");
    }

    @Test
    void certificatesThatAreNotOnThisMachineLeaveTheirListensOut() throws IOException {
        NginxImports.Imported i = load("""
                server {
                  listen 80;
                  listen 443 ssl;
                  ssl_certificate /etc/letsencrypt/live/example.com/fullchain.pem;
                  ssl_certificate_key /etc/letsencrypt/live/example.com/privkey.pem;
                  location / { return 200 ok; }
                }
                server { listen 8443 ssl; location / { return 200 ok; } }
                server { listen 9443 ssl; ssl_certificate site.crt; ssl_certificate_key site.key; return 200; }""");

        assertThat(i.config().lb().servers()).singleElement().satisfies(s -> {
            assertThat(s.listen()).containsExactly(HostPort.parse("0.0.0.0:80"));
            assertThat(s.tls()).isEmpty();
        });
        i.assertReports(":5: not mapped: ssl_certificate: cannot read /etc/letsencrypt/live/example.com/fullchain.pem here:"
                        + " copy it to this machine at the same path and import again",
                ":2: not mapped: server: no certificate vipgate can read; its TLS listens are left out",
                ":9: not mapped: server: listen ... ssl without ssl_certificate",
                ":9: not mapped: server: no listen address vipgate can serve",
                ":10: not mapped: ssl_certificate: nginx reads site.crt relative to its prefix (e.g. /etc/nginx/); write the"
                        + " absolute path");
    }
}
