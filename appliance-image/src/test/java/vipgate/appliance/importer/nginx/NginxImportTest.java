package vipgate.appliance.importer.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.config.HostPort;
import vipgate.lb.config.LbConfig;
import vipgate.lb.config.LocationSpec;
import vipgate.lb.config.NextUpstreamSpec.RetryOn;
import vipgate.lb.config.ServerSpec;
import vipgate.lb.config.UpstreamSpec;
import vipgate.lb.config.VirtualServerSpec;
import vipgate.balance.Algorithm;

/** Each directive family on its own; every output is loaded by vipgate's own loader. */
class NginxImportTest {
    @TempDir
    Path dir;

    private NginxImports.Imported load(String http) throws IOException {
        return NginxImports.load(dir, "http {\n" + http + "\n}\n");
    }

    /** One server on :80 whose location / proxies to {@code target}, around the given upstreams and location body. */
    private NginxImports.Imported proxy(String upstreams, String target, String location) throws IOException {
        return load(upstreams + "\nserver { listen 80; location / { proxy_pass " + target + "; " + location + " } }");
    }

    private static final String WEB = "upstream web { server 10.0.0.1:80; }";

    @Test
    void upstreamServersKeepTheirParameters() throws IOException {
        NginxImports.Imported i = proxy("""
                upstream web {
                  server 10.0.0.1:8080 weight=3 max_fails=2 fail_timeout=30s max_conns=100;
                  server 10.0.0.2 backup;
                  server 10.0.0.3:80 down slow_start=30s;
                  server unix:/run/app.sock;
                }""", "http://web", "");

        assertThat(i.config().lb().upstreams().get("web").servers())
                .extracting(ServerSpec::address, ServerSpec::weight, ServerSpec::maxFails, ServerSpec::failTimeout,
                        ServerSpec::maxConns, ServerSpec::backup, ServerSpec::down)
                .containsExactly(
                        tuple(HostPort.parse("10.0.0.1:8080"), 3, 2, Duration.ofSeconds(30), 100, false, false),
                        tuple(HostPort.parse("10.0.0.2:80"), 1, 1, Duration.ofSeconds(10), 0, true, false),
                        tuple(HostPort.parse("10.0.0.3:80"), 1, 1, Duration.ofSeconds(10), 0, false, true));
        assertThat(i.messages()).contains(
                dir.resolve("nginx.conf") + ":5: not mapped: server: parameter 'slow_start=30s' has no vipgate equivalent; left out",
                dir.resolve("nginx.conf") + ":6: not mapped: server: vipgate reaches upstream servers over TCP only, not a unix socket");
    }

    @Test
    void balancingMethodsMapToVipgatesAlgorithms() throws IOException {
        NginxImports.Imported i = load("""
                upstream a { least_conn; server 10.0.0.1:80; }
                upstream b { hash $request_uri consistent; server 10.0.0.1:80; }
                upstream c { hash $remote_addr; server 10.0.0.1:80; }
                upstream d { ip_hash; server 10.0.0.1:80; }
                upstream e { random two least_conn; server 10.0.0.1:80; }
                upstream f { random two least_time=header; server 10.0.0.1:80; }
                upstream g { hash $cookie_jsessionid; server 10.0.0.1:80; }
                server { location /a { proxy_pass http://a; } }
                """);

        Map<String, UpstreamSpec> u = i.config().lb().upstreams();
        assertThat(u.get("a").algorithm()).isEqualTo(Algorithm.LEAST_CONN);
        assertThat(u.get("b").algorithm()).isEqualTo(Algorithm.HASH);
        assertThat(u.get("b").hashKey()).isEqualTo("$request_uri");
        assertThat(u.get("c").algorithm()).isEqualTo(Algorithm.HASH);
        assertThat(u.get("d").hashKey()).isEqualTo("$remote_addr");
        assertThat(u.get("e").algorithm()).isEqualTo(Algorithm.RANDOM_TWO);
        assertThat(u.get("f").algorithm()).isEqualTo(Algorithm.ROUND_ROBIN);
        assertThat(u.get("g").algorithm()).isEqualTo(Algorithm.HASH);
        assertThat(u.get("g").hashKey()).isEqualTo("$cookie_jsessionid");
        i.assertReports(":4: changed: hash: vipgate's hash is always consistent",
                ":5: changed: ip_hash: hashed on the whole client address",
                ":7: not mapped: random: 'random two least_time=header'");
    }

    @Test
    void keepaliveIsVipgatesUnlessTheUpstreamSetsIt() throws IOException {
        NginxImports.Imported i = load("""
                upstream pooled { server 10.0.0.1:80; keepalive 16; keepalive_timeout 30s; keepalive_requests 500; }
                upstream plain { server 10.0.0.2:80; }
                server {
                  location /a { proxy_pass http://pooled; proxy_http_version 1.1; proxy_set_header Connection ""; }
                  location /b { proxy_pass http://plain; }
                }
                """);

        UpstreamSpec pooled = i.config().lb().upstreams().get("pooled");
        assertThat(pooled.keepalive().idle()).isEqualTo(16);
        assertThat(pooled.keepalive().idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(pooled.keepalive().maxRequests()).isEqualTo(500);
        assertThat(i.config().lb().upstreams().get("plain").keepalive().idle()).isEqualTo(32);
        i.assertReports(":3: changed: upstream: nginx opens a connection per request here"
                        + " (HTTP/1.0, no keepalive in the upstream)",
                ":5: not mapped: proxy_set_header: not needed: vipgate manages Connection");
        assertThat(i.messages()).noneMatch(m -> m.contains(":2: changed: upstream: nginx opens a connection"));
    }

    @Test
    void locationFormsVipgateCanMatch() throws IOException {
        NginxImports.Imported i = load(WEB + """
                server {
                  location = /health { proxy_pass http://web; }
                  location =/exact { proxy_pass http://web; }
                  location ^~ /static/ { proxy_pass http://web; }
                  location ~* \\.php$ { proxy_pass http://web; }
                  location @fallback { proxy_pass http://web; }
                  location /api/ {
                    proxy_pass http://web;
                    location /api/v2/ { proxy_pass http://web; }
                  }
                }
                """);

        assertThat(i.config().lb().servers().get(0).locations()).extracting(LocationSpec::path)
                .containsExactly("= /health", "= /exact", "^~ /static/", "~* \\.php$", "/api/", "/api/v2/");
        i.assertReports(":7: not mapped: location: named locations");
    }

    @Test
    void aProxyPassToAnAddressBecomesAnUpstreamNamedLikeNginxsProxyHost() throws IOException {
        NginxImports.Imported i = load("""
                server {
                  listen 8080;
                  location / { proxy_pass http://10.0.0.9:8000; }
                  location /b/ { proxy_pass http://backend.internal/x/; }
                  location /s/ { proxy_pass https://10.0.0.9; }
                  location /v/ { proxy_pass http://$host; }
                }
                """);

        LbConfig lb = i.config().lb();
        assertThat(lb.upstreams().get("10.0.0.9:8000").servers()).extracting(ServerSpec::address)
                .containsExactly(HostPort.parse("10.0.0.9:8000"));
        assertThat(lb.upstreams().get("backend.internal").servers()).extracting(ServerSpec::address)
                .containsExactly(HostPort.parse("backend.internal:80"));
        // https:// gets nginx's port 443 and TLS (NginxTlsImportTest)
        assertThat(lb.upstreams().get("10.0.0.9").servers()).extracting(ServerSpec::address)
                .containsExactly(HostPort.parse("10.0.0.9:443"));
        assertThat(lb.upstreams().get("10.0.0.9").tls()).isPresent();
        assertThat(lb.servers().get(0).locations()).extracting(LocationSpec::upstream)
                .containsExactly("10.0.0.9:8000", "backend.internal", "10.0.0.9");
        assertThat(lb.servers().get(0).locations().get(0).requestHeaders()).isEqualTo(Map.of("Host", "$proxy_host"));
        assertThat(lb.servers().get(0).locations()).extracting(LocationSpec::passUri).containsExactly("", "/x/", "");
        i.assertReports(":7: not mapped: proxy_pass: vipgate needs a fixed upstream name");
    }

    @Test
    void requestAndResponseHeadersFollowNginxsInheritance() throws IOException {
        NginxImports.Imported i = load(WEB + """
                proxy_set_header X-Real-IP $remote_addr;
                add_header X-Served-By vipgate always;
                server {
                  location /inherits { proxy_pass http://web; }
                  location /own {
                    proxy_pass http://web;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_set_header X-Geo $geoip_country_code;
                    proxy_hide_header X-Powered-By;
                    add_header X-Frame-Options DENY;
                  }
                }
                """);

        VirtualServerSpec server = i.config().lb().servers().get(0);
        // nginx inherits proxy_set_header only into a level that sets none
        assertThat(server.locations().get(0).requestHeaders()).isEqualTo(Map.of("X-Real-IP", "$remote_addr", "Host", "$proxy_host"));
        assertThat(server.locations().get(0).responseHeaders()).isEqualTo(Map.of("X-Served-By", "vipgate"));
        assertThat(server.locations().get(1).requestHeaders())
                .isEqualTo(Map.of("X-Forwarded-For", "$proxy_add_x_forwarded_for", "Host", "$proxy_host"));
        assertThat(server.locations().get(1).responseHeaders()).isEqualTo(Map.of("X-Powered-By", "", "X-Frame-Options", "DENY"));
        i.assertReports(":9: not mapped: proxy_set_header: unknown variable $geoip_country_code",
                ":11: changed: add_header: vipgate adds it to every response");
    }

    @Test
    void timeoutsAndRetriesGoToTheUpstreamTheLocationUses() throws IOException {
        NginxImports.Imported i = load(WEB + """
                proxy_read_timeout 2m;
                server {
                  location / {
                    proxy_pass http://web;
                    proxy_connect_timeout 3;
                    proxy_send_timeout 1m30s;
                    proxy_next_upstream error timeout http_502 http_404 non_idempotent;
                    proxy_next_upstream_tries 2;
                    proxy_next_upstream_timeout 10s;
                  }
                  location /other/ { proxy_pass http://web; }
                }
                """);

        UpstreamSpec web = i.config().lb().upstreams().get("web");
        assertThat(web.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(web.readTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(web.sendTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(web.nextUpstream().on()).isEqualTo(Set.of(RetryOn.ERROR, RetryOn.TIMEOUT, RetryOn.HTTP_502));
        assertThat(web.nextUpstream().nonIdempotent()).isTrue();
        assertThat(web.nextUpstream().tries()).isEqualTo(2);
        assertThat(web.nextUpstream().timeout()).isEqualTo(Duration.ofSeconds(10));
        i.assertReports(":8: not mapped: proxy_next_upstream: condition"
                        + " 'http_404' has no vipgate equivalent",
                ":12: not mapped: proxy_pass: vipgate sets timeouts, retries and the"
                        + " HTTP version per upstream, and its TLS: 'web' keeps those of the location at " + dir.resolve("nginx.conf") + ":5");
        assertThat(i.messages()).noneMatch(m -> m.contains("changed: upstream: connect-timeout"));
    }

    @Test
    void clientLimitsAreOneForTheEngineTheLargestWins() throws IOException {
        NginxImports.Imported i = load(WEB + """
                client_max_body_size 10m;
                keepalive_timeout 30 30;
                keepalive_requests 200;
                client_header_timeout 15s;
                server {
                  location / { proxy_pass http://web; }
                  location /upload/ { proxy_pass http://web; client_max_body_size 1G; }
                }
                """);

        LbConfig lb = i.config().lb();
        assertThat(lb.client().maxBodySize()).isEqualTo(1L << 30);
        assertThat(lb.client().keepaliveTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(lb.client().keepaliveRequests()).isEqualTo(200);
        assertThat(lb.client().headerTimeout()).isEqualTo(Duration.ofSeconds(15));
        i.assertReports(":2: changed: client_max_body_size: vipgate has one"
                        + " max-body-size for every server and location: the largest, 1G",
                ":3: not mapped: keepalive_timeout: the second value");
    }

    /** vipgate drops headers with '_' by default, as nginx does; a server that allows them keeps them after import. */
    @Test
    void underscoresInHeadersIsMapped() throws IOException {
        assertThat(load(WEB + "server { location / { proxy_pass http://web; } }").config().lb().client()
                .underscoresInHeaders()).isFalse();
        NginxImports.Imported i = load(WEB + """
                ignore_invalid_headers off;
                server { underscores_in_headers on; location / { proxy_pass http://web; } }
                """);
        assertThat(i.config().lb().client().underscoresInHeaders()).isTrue();
        i.assertReports(":2: not mapped: ignore_invalid_headers: vipgate always drops");
    }

    @Test
    void listenAddressesAndServerNames() throws IOException {
        NginxImports.Imported i = load(WEB + """
                server {
                  listen 127.0.0.1:8080;
                  listen *:8081 reuseport;
                  listen 443 ssl;
                  server_name .example.com www.example.* ~^app\\d+$;
                  location / { proxy_pass http://web; }
                }
                server { listen 443 ssl http2; location / { proxy_pass http://web; } }
                server { location / { proxy_pass http://web; } }
                """);

        VirtualServerSpec s = i.config().lb().servers().get(0);
        assertThat(s.listen()).containsExactly(HostPort.parse("127.0.0.1:8080"), HostPort.parse("0.0.0.0:8081"));
        assertThat(s.serverNames()).containsExactly("example.com", "*.example.com", "www.example.*");
        assertThat(s.isDefault()).isFalse();
        // the TLS-only server (no certificate: nginx refuses it too) is left out; a server without listen gets nginx's port 80
        assertThat(i.config().lb().servers()).hasSize(2);
        assertThat(i.config().lb().servers().get(1).listen()).containsExactly(HostPort.parse("0.0.0.0:80"));
        i.assertReports(":4: not mapped: listen: parameter 'reuseport'",
                ":2: not mapped: server: listen ... ssl without ssl_certificate",
                ":6: not mapped: server_name: '~^app\\d+$'",
                ":9: not mapped: server: no listen address vipgate can serve");
    }

    @Test
    void accessLogAndFormats() throws IOException {
        NginxImports.Imported i = load(WEB + """
                log_format upstream '$remote_addr $upstream_addr $request_time';
                log_format geo '$geoip_country_code';
                access_log /var/log/nginx/access.log upstream buffer=32k flush=5s;
                access_log /var/log/nginx/second.log;
                server { location / { proxy_pass http://web; } }
                """);

        LbConfig lb = i.config().lb();
        assertThat(lb.accessLog().path()).contains(Path.of("/var/log/nginx/access.log"));
        assertThat(lb.accessLog().format()).isEqualTo("$remote_addr $upstream_addr $request_time");
        assertThat(lb.accessLog().buffer()).isEqualTo(32 * 1024);
        assertThat(lb.accessLog().flush()).isEqualTo(Duration.ofSeconds(5));
        i.assertReports(":3: not mapped: log_format: unknown variable $geoip_country_code",
                ":5: not mapped: access_log: vipgate writes one access log for the"
                        + " whole engine; the one at " + dir.resolve("nginx.conf") + ":4 is kept");

        // without a format nginx logs in its built-in combined format
        NginxImports.Imported combined = load(WEB + "access_log /var/log/nginx/access.log;\nserver { location / { proxy_pass http://web; } }");
        assertThat(combined.config().lb().accessLog().format()).isEqualTo("$remote_addr - $remote_user [$time_local]"
                + " \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"");
    }

    @Test
    void errorPagesWithAFileUnderAnAbsoluteRoot() throws IOException {
        Files.writeString(dir.resolve("50x.html"), "<h1>down</h1>");
        NginxImports.Imported i = load(WEB + """
                server {
                  location / { proxy_pass http://web; }
                  error_page 502 503 /50x.html;
                  error_page 404 /404.html;
                  error_page 500 =200 /ok.html;
                  location = /50x.html { root %s; }
                }
                """.formatted(dir));

        assertThat(i.config().lb().servers().get(0).errorPages())
                .isEqualTo(Map.of(502, dir.resolve("50x.html"), 503, dir.resolve("50x.html")));
        i.assertReports(":5: not mapped: error_page: nginx serves /404.html from its root",
                ":6: not mapped: error_page: vipgate's error pages are files per status");
    }

    @Test
    void everythingElseIsReportedNeverACrash() throws IOException {
        NginxImports.Imported i = NginxImports.load(dir, """
                worker_processes 4;
                load_module modules/ngx_stream_module.so;
                stream { server { listen 3306; proxy_pass db; } }
                http {
                  gzip on;
                  ssl_protocols TLSv1.2;
                  frobnicate the widgets;
                  upstream web { server 10.0.0.1:80; zone web 64k; }
                  server {
                    location / { proxy_pass http://web; proxy_buffering off; limit_req zone=one; return 200; }
                    location /files/ { root /srv; }
                  }
                  lua_shared_dict limits 10m;
                }
                """);

        assertThat(i.config().lb().eventLoops()).isEqualTo(4);
        String file = dir.resolve("nginx.conf").toString();
        // an http-level ssl_* is for the TLS servers, as in nginx; with none it does nothing
        assertThat(i.messages()).noneMatch(m -> m.contains("ssl_protocols"));
        assertThat(i.messages()).contains(
                file + ":2: not mapped: load_module: vipgate has no modules",
                file + ":3: not mapped: stream: vipgate's lb proxies HTTP only; for TCP/UDP use vipgate.ipvs (kernel LVS)",
                file + ":5: not mapped: gzip: vipgate does not compress; the upstream's compressed responses pass through",
                file + ":7: not mapped: frobnicate: no vipgate equivalent; left out",
                file + ":8: not mapped: zone: not needed: vipgate keeps each upstream's state in one process, shared by every event loop",
                file + ":10: not mapped: proxy_buffering: vipgate streams bodies unless"
                        + " vipgate.lb.proxy-buffering.responses / .requests = true (one setting for the whole engine: memory,"
                        + " max-temp-file, temp-path); set it by hand",
                file + ":10: not mapped: limit_req: no limit_req_zone named 'one'; the limit is left out",
                file + ":11: not mapped: root: not needed: vipgate serves no files, it only proxies",
                file + ":11: not mapped: location: no proxy_pass, return or rewrite: nginx serves files here; vipgate does"
                        + " not, so the location is left out",
                file + ":13: not mapped: lua_shared_dict: vipgate runs no Lua (OpenResty's lua-nginx-module); whatever the"
                        + " code does is left out");
    }

    @Test
    void proxyProtocolListensBecomeTheServersFromItsTrustedSenders() throws IOException {
        NginxImports.Imported i = load(WEB + """

                server {
                  listen 8080 proxy_protocol;
                  set_real_ip_from 10.0.0.0/8;
                  real_ip_header proxy_protocol;
                  location / { proxy_pass http://web; }
                }
                server { listen 8081 proxy_protocol; location / { proxy_pass http://web; } }
                server { listen 8082; listen 8083 proxy_protocol; set_real_ip_from 10.0.0.0/8; location / { proxy_pass http://web; } }
                """);
        VirtualServerSpec behindBalancer = i.config().lb().servers().get(0);
        assertThat(behindBalancer.proxyProtocol()).isTrue();
        assertThat(behindBalancer.listen()).containsExactly(HostPort.parse("0.0.0.0:8080"));
        assertThat(behindBalancer.realIp().from()).containsExactly("10.0.0.0/8");
        assertThat(behindBalancer.realIp().header()).isEqualTo("proxy_protocol");
        VirtualServerSpec mixed = i.config().lb().servers().get(1);
        assertThat(mixed.proxyProtocol()).isFalse();
        assertThat(mixed.listen()).containsExactly(HostPort.parse("0.0.0.0:8082"));
        assertThat(i.config().lb().servers()).hasSize(2);
        assertThat(i.messages()).contains(
                dir.resolve("nginx.conf") + ":9: not mapped: listen: vipgate accepts PROXY protocol headers only from trusted"
                        + " senders; add set_real_ip_from with the address of the load balancer in front; this listen is left out",
                dir.resolve("nginx.conf") + ":10: not mapped: listen: vipgate reads the PROXY protocol on all of a server's"
                        + " addresses or none; this server's other listens have none, so this one is left out (give it a"
                        + " server of its own)");
    }

    @Test
    void connectionLimitsKeepTheirZonesStatusAndInheritanceApartFromRequestLimits() throws IOException {
        NginxImports.Imported i = load(WEB + """

                limit_conn_zone $binary_remote_addr zone=perip:10m;
                limit_req_zone $binary_remote_addr zone=rate:1m rate=5r/s;
                limit_conn_status 429;
                server {
                  listen 80;
                  limit_conn perip 10;
                  location / { proxy_pass http://web; }
                  location /dl/ { proxy_pass http://web; limit_req zone=rate; }
                  location /big/ { proxy_pass http://web; limit_conn perip 1; limit_conn nowhere 1; }
                }
                """);
        LbConfig lb = i.config().lb();
        assertThat(lb.limits().connZones()).containsOnlyKeys("perip");
        assertThat(lb.limits().connZones().get("perip").key()).isEqualTo("$binary_remote_addr");
        assertThat(lb.limits().connStatus()).isEqualTo(429);
        VirtualServerSpec s = lb.servers().get(0);
        assertThat(s.limits().conn()).extracting(c -> c.zone() + " " + c.max()).containsExactly("perip 10");
        Map<String, LocationSpec> byPath = new java.util.HashMap<>();
        s.locations().forEach(l -> byPath.put(l.path(), l));
        assertThat(byPath.get("/dl/").limits().conn()).as("inherited on its own, as nginx").isEmpty();
        assertThat(byPath.get("/dl/").limits().req()).hasSize(1);
        assertThat(byPath.get("/big/").limits().conn()).extracting(c -> c.zone() + " " + c.max()).containsExactly("perip 1");
        assertThat(i.messages()).contains(dir.resolve("nginx.conf")
                + ":11: not mapped: limit_conn: no limit_conn_zone named 'nowhere'; the limit is left out");
    }

    @Test
    void mapsBecomeVariablesOfTheHeaderRules() throws IOException {
        NginxImports.Imported i = load(WEB + """

                map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                map $uri $tier { hostnames; ~^/api/ api; default web; ~^/(.*)$ $1; }
                map $uri $host { default x; }
                server { listen 80; location / { proxy_pass http://web; proxy_set_header X-Tier $tier; } }
                """);
        LbConfig lb = i.config().lb();
        assertThat(lb.maps()).containsOnlyKeys("connection_upgrade", "tier");
        assertThat(lb.maps().get("connection_upgrade").entries()).containsExactly(new vipgate.lb.config.MapSpec.Entry("", "close"));
        assertThat(lb.maps().get("tier").entries()).containsExactly(new vipgate.lb.config.MapSpec.Entry("~^/api/", "api"));
        assertThat(lb.maps().get("tier").byDefault()).isEqualTo("web");
        assertThat(lb.servers().get(0).locations().get(0).requestHeaders()).containsEntry("X-Tier", "$tier");
        assertThat(i.messages()).contains(
                dir.resolve("nginx.conf") + ":4: not mapped: hostnames: vipgate's maps match strings and regexes only;"
                        + " 'hostnames' is left out",
                dir.resolve("nginx.conf") + ":4: not mapped: ~^/(.*)$: vipgate's map values cannot use the captures of the"
                        + " map's regex ($1..$9); left out",
                dir.resolve("nginx.conf") + ":5: not mapped: map: $host is one of nginx's own variables; the map is left out");
    }
}
