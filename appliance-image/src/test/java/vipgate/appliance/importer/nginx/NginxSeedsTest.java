package vipgate.appliance.importer.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.config.HostPort;
import vipgate.lb.config.LocationSpec;
import vipgate.lb.config.ServerSpec;
import vipgate.lb.config.UpstreamSpec;
import vipgate.lb.config.VirtualServerSpec;
import vipgate.balance.Algorithm;

/** The nginx.conf blocks of the seed articles, copied verbatim (test resources importer/seeds/NNN-nginx.conf). */
class NginxSeedsTest {
    @TempDir
    Path dir;

    private Path seed(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/importer/seeds/" + name)) {
            Path file = dir.resolve(name);
            Files.write(file, in.readAllBytes());
            return file;
        }
    }

    @Test
    void seed002ProxiesPort80RoundRobinToTheTwoWebNodes() throws IOException {
        NginxImports.Imported imported = NginxImports.load(seed("002-nginx.conf"));

        UpstreamSpec web = imported.config().lb().upstreams().get("ProxyServer");
        assertThat(web.algorithm()).isEqualTo(Algorithm.ROUND_ROBIN);
        assertThat(web.servers()).extracting(ServerSpec::address, ServerSpec::weight).containsExactly(
                tuple(HostPort.parse("172.16.249.201:80"), 1), tuple(HostPort.parse("172.16.249.202:80"), 1));
        // nginx's 60s is not kept unless written: failover should be quick (reported)
        assertThat(web.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        VirtualServerSpec server = imported.config().lb().servers().get(0);
        assertThat(server.listen()).containsExactly(HostPort.parse("0.0.0.0:80"), HostPort.parse("[::]:80"));
        assertThat(server.isDefault()).isTrue();
        assertThat(server.locations()).singleElement().satisfies(l -> {
            assertThat(l.path()).isEqualTo("/");
            assertThat(l.upstream()).isEqualTo("ProxyServer");
            assertThat(l.requestHeaders()).isEqualTo(Map.of("Host", "$proxy_host"));
        });
        assertThat(imported.config().lb().client().keepaliveTimeout()).isEqualTo(Duration.ofSeconds(65));
        assertThat(imported.config().lb().accessLog().format()).startsWith("$remote_addr - $remote_user [$time_local]")
                .endsWith("\"$http_x_forwarded_for\"");
        imported.assertReports("002-nginx.conf:37: not mapped: location: no proxy_pass, return or rewrite: nginx serves files"
                        + " here; vipgate does not, so the location is left out",
                "002-nginx.conf:39: not mapped: error_page: nginx serves /50x.html",
                "002-nginx.conf:22: changed: upstream: connect-timeout is vipgate's 5s",
                "002-nginx.conf:6: not mapped: events: not needed");
    }

    @Test
    void seed003SetsHostRealIpAndForwardedFor() throws IOException {
        NginxImports.Imported imported = NginxImports.load(seed("003-nginx.conf"));

        assertThat(imported.config().lb().upstreams().get("api.zhezi.com").servers()).extracting(ServerSpec::address)
                .containsExactly(HostPort.parse("192.168.1.201:80"), HostPort.parse("192.168.1.254:80"));
        VirtualServerSpec server = imported.config().lb().servers().get(0);
        assertThat(server.listen()).containsExactly(HostPort.parse("0.0.0.0:80"));
        assertThat(server.serverNames()).containsExactly("api.zhezi.com");
        LocationSpec location = server.locations().get(0);
        assertThat(location.upstream()).isEqualTo("api.zhezi.com");
        assertThat(location.requestHeaders()).containsExactlyInAnyOrderEntriesOf(Map.of("Host", "$host",
                "X-Real-IP", "$remote_addr", "X-Forwarded-For", "$proxy_add_x_forwarded_for"));
        assertThat(imported.findings()).extracting(f -> f.kind().name()).containsOnly("CHANGED");
    }
}
