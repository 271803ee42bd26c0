package vipgate.lb.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import vipgate.config.HostPort;
import vipgate.lb.limit.Limits;
import vipgate.lb.http.AccessRules;
import vipgate.lb.http.ErrorPages;
import vipgate.lb.http.RealIp;
import vipgate.lb.http.HeaderRewrite;
import vipgate.lb.http.RequestVariables;
import vipgate.lb.http.Template;

class RequestRouteTest {

    /** Variables that read the route under test, as the exchange's do. */
    private static final class Vars implements RequestVariables {
        RequestRoute route;

        @Override public String remoteAddr() { return "192.0.2.1"; }
        @Override public int remotePort() { return 5000; }
        @Override public String host() { return "example.test"; }
        @Override public int serverPort() { return 80; }
        @Override public String requestUri() { return "/orig?x=1"; }
        @Override public String scheme() { return "http"; }
        @Override public String proxyHost() { return "app"; }
        @Override public String upstreamAddr() { return ""; }
        @Override public String requestHeader(String name) { return null; }
        @Override public String uri() { return route.uri(); }
        @Override public String args() { return route.args(); }
        @Override public String capture(int n) { return route.captures() == null ? null : route.captures().group(n); }
        @Override public String named(String name) { return route.captures() == null ? null : route.captures().group(name); }
    }

    private static Location location(String path, String upstream, String... directives) {
        return passing(path, upstream, "", directives);
    }

    /** A location; each "regex replacement flag" string is a rewrite, a last "return ..." its return. */
    private static Location passing(String path, String upstream, String passUri, String... directives) {
        LocationPath p = LocationPath.parse(path);
        List<Rewrite> rewrites = new java.util.ArrayList<>();
        Return ret = null;
        for (String d : directives) {
            if (d.startsWith("return ")) {
                ret = Return.parse(d.substring(7), p.regex() == null ? Set.of() : p.regex().names().keySet());
            } else {
                rewrites.add(rewrite(d));
            }
        }
        return new Location(p, rewrites, ret, Limits.NONE, AccessRules.NONE, upstream,
                Template.parse(passUri, p.regex() == null ? Set.of() : p.regex().names().keySet()), HeaderRewrite.NONE, HeaderRewrite.NONE);
    }

    private static Rewrite rewrite(String directive) {
        String[] w = directive.split(" ");
        return Rewrite.of(NginxRegex.compile(w[0], false), w[1],
                w.length > 2 ? Rewrite.Flag.valueOf(w[2].toUpperCase()) : Rewrite.Flag.NONE);
    }

    private static VirtualHost host(List<Rewrite> serverRewrites, Return serverReturn, Location... locations) {
        return new VirtualHost(List.of(HostPort.parse("0.0.0.0:80")), List.of("_"), false, serverRewrites, serverReturn,
                Limits.NONE, AccessRules.NONE, RealIp.OFF, false, List.of(locations), ErrorPages.DEFAULT, null);
    }

    private static VirtualHost host(Location... locations) {
        return host(List.of(), null, locations);
    }

    private record Result(RequestRoute route, Answer answer, Vars vars) {
        String target() {
            return route.upstreamTarget(vars);
        }

        String upstream() {
            return answer == null ? route.location().upstream() : null;
        }
    }

    private static Result resolve(VirtualHost host, String uri, String args) {
        Vars vars = new Vars();
        vars.route = new RequestRoute(uri, args);
        return new Result(vars.route, vars.route.resolve(host, vars), vars);
    }

    private static String upstreamFor(VirtualHost host, String uri) {
        return resolve(host, uri, "").upstream();
    }

    @Test
    void locationsAreChosenInNginxsOrder() {
        VirtualHost h = host(
                location("/", "root"),
                location("= /exact", "exact"),
                location("^~ /static/", "static"),
                location("/images/", "images"),
                location("~ \\.php$", "php"),
                location("~* \\.(jpg|png)$", "pictures"),
                location("~ ^/images/.*\\.png$", "late-regex"));
        assertThat(upstreamFor(h, "/exact")).isEqualTo("exact");
        assertThat(upstreamFor(h, "/exact/more")).as("= is exact only").isEqualTo("root");
        assertThat(upstreamFor(h, "/static/a.php")).as("^~ skips the regexes").isEqualTo("static");
        assertThat(upstreamFor(h, "/images/a.PNG")).as("a regex beats a longer plain prefix").isEqualTo("pictures");
        assertThat(upstreamFor(h, "/images/a.png")).as("the first regex in order wins").isEqualTo("pictures");
        assertThat(upstreamFor(h, "/images/a.gif")).isEqualTo("images");
        assertThat(upstreamFor(h, "/x/index.php")).isEqualTo("php");
        assertThat(upstreamFor(h, "/x/INDEX.PHP")).as("~ is case-sensitive").isEqualTo("root");
    }

    @Test
    void noMatchingLocationIs404AndALocationWithoutUpstreamToo() {
        assertThat(resolve(host(location("/api/", "api")), "/other", "").answer()).isEqualTo(Answer.status(404));
        assertThat(resolve(host(location("/", "", "^/old/ /new/")), "/x", "").answer())
                .as("falls through without proxying").isEqualTo(Answer.status(404));
    }

    @Test
    void aProxyingLocationWithATrailingSlashRedirectsThePathWithoutIt() {
        VirtualHost h = host(location("/", "root"), location("/api/", "api"));
        assertThat(resolve(h, "/api", "").answer()).isEqualTo(Answer.redirect(301, "/api/"));
        assertThat(resolve(h, "/api", "a=1").answer()).isEqualTo(Answer.redirect(301, "/api/?a=1"));
        assertThat(upstreamFor(h, "/api/x")).isEqualTo("api");
        VirtualHost both = host(location("/api", "plain"), location("/api/", "api"));
        assertThat(upstreamFor(both, "/api")).as("a location that is the path itself wins").isEqualTo("plain");
    }

    @Test
    void returnAnswersWithRedirectsTextOrStatus() {
        assertThat(resolve(host(location("/", "", "return 301 https://$host$request_uri")), "/a", "").answer())
                .isEqualTo(Answer.redirect(301, "https://example.test/orig?x=1"));
        assertThat(resolve(host(location("/", "", "return 200 uri=$uri args=$args")), "/a", "b=2").answer())
                .isEqualTo(new Answer(200, "uri=/a args=b=2", null));
        assertThat(resolve(host(location("/", "", "return https://elsewhere.test/")), "/", "").answer())
                .isEqualTo(Answer.redirect(302, "https://elsewhere.test/"));
        assertThat(resolve(host(location("/", "", "return 403")), "/", "").answer()).isEqualTo(Answer.status(403));
        assertThat(resolve(host(List.of(), Return.parse("444", Set.of())), "/", "").answer()).isEqualTo(Answer.status(444));
    }

    @Test
    void regexCapturesReachRewritesAndReturns() {
        VirtualHost h = host(location("~ ^/u/(?<name>[a-z]+)/(\\d+)$", "", "return 200 $name:$2"));
        assertThat(resolve(h, "/u/bob/7", "").answer()).isEqualTo(new Answer(200, "bob:7", null));
    }

    @Test
    void rewriteFlagsLastBreakAndNoneFollowNginx() {
        VirtualHost h = host(
                location("/", "root"),
                location("/old/", "old", "^/old/(.*)$ /new/$1 last"),
                location("/new/", "new"),
                location("/stay/", "stay", "^/stay/(.*)$ /elsewhere/$1 break"),
                location("/chain/", "chain", "^/chain/(.*)$ /new/$1", "return 418"));
        Result last = resolve(h, "/old/a", "q=1");
        assertThat(last.upstream()).isEqualTo("new");
        assertThat(last.target()).isEqualTo("/new/a?q=1");
        Result broke = resolve(h, "/stay/a", "");
        assertThat(broke.upstream()).as("break stays in its location").isEqualTo("stay");
        assertThat(broke.target()).isEqualTo("/elsewhere/a");
        assertThat(resolve(h, "/chain/a", "").answer()).as("no flag goes on to the next directive")
                .isEqualTo(Answer.status(418));
        assertThat(resolve(h, "/new/a", "").target()).as("untouched: the client's target").isNull();
    }

    @Test
    void aRewriteWithoutFlagSearchesTheLocationsAgainAfterItsDirectives() {
        VirtualHost h = host(location("/", "root"), location("/a/", "a", "^/a/(.*)$ /b/$1"), location("/b/", "b"));
        assertThat(upstreamFor(h, "/a/x")).isEqualTo("b");
    }

    @Test
    void redirectsAndArgumentsFollowNginxsReplacementRules() {
        VirtualHost h = host(
                location("/p/", "", "^/p/(.*)$ /q/$1 permanent"),
                location("/r/", "", "^/r/(.*)$ /q/$1?from=r redirect"),
                location("/d/", "", "^/d/(.*)$ /q/$1? redirect"),
                location("/abs/", "", "^/abs/(.*)$ https://other.test/$1"),
                location("/i/", "i", "^/i/(.*)$ /j?k=$1 break"));
        assertThat(resolve(h, "/p/a", "x=1").answer()).isEqualTo(Answer.redirect(301, "/q/a?x=1"));
        assertThat(resolve(h, "/r/a", "x=1").answer()).isEqualTo(Answer.redirect(302, "/q/a?from=r&x=1"));
        assertThat(resolve(h, "/d/a", "x=1").answer()).as("a final ? drops the arguments")
                .isEqualTo(Answer.redirect(302, "/q/a"));
        assertThat(resolve(h, "/abs/a", "").answer()).isEqualTo(Answer.redirect(302, "https://other.test/a"));
        Result internal = resolve(h, "/i/v", "x=1");
        assertThat(internal.target()).isEqualTo("/j?k=v&x=1");
    }

    @Test
    void aRewriteLoopEndsIn500AfterTenChanges() {
        VirtualHost h = host(location("/", "root", "^/(.*)$ /$1 last"));
        assertThat(resolve(h, "/x", "").answer()).isEqualTo(Answer.status(500));
    }

    @Test
    void serverRewritesRunBeforeTheLocationSearchAndAServerReturnAnswersAll() {
        VirtualHost h = host(List.of(rewrite("^/legacy/(.*)$ /api/$1 last")), null,
                location("/", "root"), location("/api/", "api"));
        Result r = resolve(h, "/legacy/x", "");
        assertThat(r.upstream()).isEqualTo("api");
        assertThat(r.target()).isEqualTo("/api/x");
        VirtualHost redirectAll = host(List.of(), Return.parse("301 https://$host$request_uri", Set.of()));
        assertThat(resolve(redirectAll, "/any", "").answer()).isEqualTo(Answer.redirect(301, "https://example.test/orig?x=1"));
    }

    @Test
    void aPassUriReplacesTheMatchedPrefixAndIsEscaped() {
        VirtualHost h = host(
                passing("/api/", "app", "/v2/"),
                passing("= /health", "app", "/status"),
                passing("/b/", "app", "/v3/", "^/b/(.*)$ /c/$1 break"));
        Result r = resolve(h, "/api/users/a b", "page=2");
        assertThat(r.target()).isEqualTo("/v2/users/a%20b?page=2");
        assertThat(resolve(h, "/health", "").target()).isEqualTo("/status");
        assertThat(resolve(h, "/b/x", "").target()).as("after a break: the whole new URI")
                .isEqualTo("/v3//c/x");
    }

    @Test
    void aPassUriWithVariablesIsSentAsItEvaluates() {
        VirtualHost h = host(
                passing("~ ^/u/(?<who>[^/]+)/(.*)$", "app", "/users/$who/$2$is_args$args"),
                passing("/raw/", "app", "$request_uri"));
        assertThat(resolve(h, "/u/bob/a/b", "x=1").target()).isEqualTo("/users/bob/a/b?x=1");
        assertThat(resolve(h, "/u/bob/c", "").target()).as("no arguments unless written").isEqualTo("/users/bob/c");
        assertThat(resolve(h, "/raw/z", "q=1").target()).isEqualTo("/orig?x=1");
    }
}
