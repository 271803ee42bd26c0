package vipgate.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vipgate.lb.config.LbConfigText;
import vipgate.lb.metrics.LbMetrics;

class RequestCheckTest {
    private static final InetSocketAddress LISTENER = new InetSocketAddress("127.0.0.1", 80);
    private static final Routing ROUTING = Routing.compile(LbConfigText.bind("""
            vipgate.lb {
              client { max-headers = 5, max-body-size = 1k }
              upstreams.app { servers = [ { address = "10.0.0.1:80" } ] }
              upstreams.api { servers = [ { address = "10.0.0.2:80" } ] }
              servers = [
                { listen = "127.0.0.1:80", server-names = ["app.example"], locations = [ { path = "/", upstream = app } ] }
                { listen = "127.0.0.1:80", server-names = ["api.example"], locations = [ { path = "/v1/", upstream = api } ] }
              ]
            }
            """), Map.of(), new LbMetrics());

    private static HttpRequest request(HttpMethod method, String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    private static RequestCheck check(HttpRequest r) {
        return RequestCheck.of(r, ROUTING, LISTENER);
    }

    private static HttpResponseStatus refusal(HttpRequest r) {
        return check(r).refusal();
    }

    @Test
    void aPlainGetIsRoutedToItsLocationsUpstream() {
        RequestCheck c = check(request(HttpMethod.GET, "/x", "Host", "App.Example:80"));
        assertThat(c.refusal()).isNull();
        assertThat(c.host()).isEqualTo("app.example");
        assertThat(c.path()).isEqualTo("/x");
        assertThat(c.vhost().find(c.path()).location().upstream()).isEqualTo("app");
        assertThat(c.idempotent()).isTrue();
        assertThat(c.hasBody()).isFalse();
        assertThat(c.head()).isFalse();
        assertThat(c.webSocket()).isFalse();
    }

    @Test
    void theDecodersFailuresBecomeNginxsStatuses() {
        HttpRequest longLine = request(HttpMethod.GET, "/");
        longLine.setDecoderResult(DecoderResult.failure(new TooLongHttpLineException("long")));
        assertThat(refusal(longLine)).isEqualTo(HttpResponseStatus.REQUEST_URI_TOO_LONG);
        HttpRequest longHeaders = request(HttpMethod.GET, "/");
        longHeaders.setDecoderResult(DecoderResult.failure(new TooLongHttpHeaderException("long")));
        assertThat(refusal(longHeaders)).isEqualTo(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
        HttpRequest other = request(HttpMethod.GET, "/");
        other.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad")));
        assertThat(refusal(other)).isEqualTo(HttpResponseStatus.BAD_REQUEST);
    }

    @Test
    void versionHeadersHostAndTargetAreCheckedBeforeRouting() {
        HttpRequest h2 = new DefaultHttpRequest(HttpVersion.valueOf("HTTP/2.0"), HttpMethod.GET, "/");
        assertThat(refusal(h2)).isEqualTo(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED);
        assertThat(refusal(request(HttpMethod.GET, "/", "Host", "a", "A", "1", "B", "2", "C", "3", "D", "4", "E", "5")))
                .isEqualTo(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
        assertThat(refusal(request(HttpMethod.GET, "/"))).as("HTTP/1.1 without Host").isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(refusal(request(HttpMethod.GET, "/", "Host", "a", "Host", "b"))).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(refusal(request(HttpMethod.GET, "/", "Host", "bad host"))).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(refusal(request(HttpMethod.GET, "http:///x", "Host", "app.example"))).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        HttpRequest http10 = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");
        assertThat(refusal(http10)).as("HTTP/1.0 may omit Host").isNull();
        assertThat(check(http10).host()).isEmpty();
    }

    @Test
    void anAbsoluteFormTargetsHostWinsOverTheHostHeader() {
        RequestCheck c = check(request(HttpMethod.GET, "http://api.example/v1/users", "Host", "app.example"));
        assertThat(c.refusal()).isNull();
        assertThat(c.targetAuthority()).isEqualTo("api.example");
        assertThat(c.path()).isEqualTo("/v1/users");
        assertThat(c.vhost().find(c.path()).location().upstream()).isEqualTo("api");
    }

    @Test
    void noListeningServerIsNotFoundAndExpectAndBodySizeComeBeforeTheLocationSearch() {
        assertThat(RequestCheck.of(request(HttpMethod.GET, "/", "Host", "app.example"), ROUTING,
                new InetSocketAddress("127.0.0.1", 81)).refusal()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        // nginx checks the body size once the location (or none) is found, before its rewrites run
        assertThat(refusal(request(HttpMethod.POST, "/other", "Host", "api.example", "Content-Length", "5000")))
                .isEqualTo(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
        RequestCheck c = check(request(HttpMethod.GET, "/other", "Host", "api.example"));
        assertThat(c.refusal()).as("no location: RequestRoute answers 404").isNull();
        assertThat(c.vhost().find(c.path())).isNull();
    }

    @Test
    void expectationsOtherThanContinueAndBodiesOverTheLimitAreRefused() {
        assertThat(refusal(request(HttpMethod.POST, "/", "Host", "app.example", "Expect", "x-other")))
                .isEqualTo(HttpResponseStatus.EXPECTATION_FAILED);
        assertThat(refusal(request(HttpMethod.POST, "/", "Host", "app.example", "Content-Length", "1025")))
                .isEqualTo(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
        RequestCheck c = check(request(HttpMethod.POST, "/", "Host", "app.example", "Expect", "100-Continue",
                "Content-Length", "10"));
        assertThat(c.refusal()).isNull();
        assertThat(c.expectContinue()).isTrue();
        assertThat(c.hasBody()).isTrue();
        assertThat(c.idempotent()).isFalse();
    }

    @Test
    void headChunkedBodiesWebSocketsAndIdempotency() {
        assertThat(check(request(HttpMethod.HEAD, "/", "Host", "app.example")).head()).isTrue();
        assertThat(check(request(HttpMethod.HEAD, "/", "Host", "a", "Host", "b")).head()).as("known when refused too").isTrue();
        assertThat(check(request(HttpMethod.PUT, "/", "Host", "app.example", "Transfer-Encoding", "chunked")).hasBody()).isTrue();
        assertThat(check(request(HttpMethod.PUT, "/", "Host", "app.example")).idempotent()).isTrue();
        assertThat(check(request(HttpMethod.PATCH, "/", "Host", "app.example")).idempotent()).isFalse();
        assertThat(check(request(HttpMethod.valueOf("LOCK"), "/", "Host", "app.example")).idempotent()).isFalse();
        assertThat(check(request(HttpMethod.GET, "/", "Host", "app.example", "Connection", "keep-alive, Upgrade",
                "Upgrade", "WebSocket")).webSocket()).isTrue();
        assertThat(check(request(HttpMethod.POST, "/", "Host", "app.example", "Connection", "Upgrade",
                "Upgrade", "websocket")).webSocket()).isFalse();
    }

    @Test
    void aRefusedHeadsBodyMayFollowWhenItsFramingSaysSoOrIsUnreadable() {
        assertThat(RequestCheck.bodyMayFollow(request(HttpMethod.POST, "/", "Content-Length", "0"))).isFalse();
        assertThat(RequestCheck.bodyMayFollow(request(HttpMethod.POST, "/", "Content-Length", "3"))).isTrue();
        assertThat(RequestCheck.bodyMayFollow(request(HttpMethod.POST, "/", "Content-Length", "5, 3"))).isTrue();
        assertThat(RequestCheck.bodyMayFollow(request(HttpMethod.POST, "/", "Transfer-Encoding", "chunked"))).isTrue();
        assertThat(RequestCheck.bodyMayFollow(request(HttpMethod.GET, "/"))).isFalse();
    }
}
