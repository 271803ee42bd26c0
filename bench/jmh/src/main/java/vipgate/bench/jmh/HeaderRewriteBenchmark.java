package vipgate.bench.jmh;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import vipgate.lb.http.HeaderRewrite;
import vipgate.lb.http.HopByHop;
import vipgate.lb.http.RequestVariables;

/**
 * The per-request header work of {@code ProxyExchange}: the upstream request gets a copy of the browser's
 * headers with hop-by-hop headers stripped and the location's rules applied; the upstream response has its
 * hop-by-hop headers stripped in place.
 *
 * <p>Headers are built in {@link #setUp} into instance fields, so the JIT cannot fold them into constants, and
 * every benchmark returns its result for JMH's blackhole.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeaderRewriteBenchmark {

    private HttpHeaders browserRequest;
    private HttpHeaders upstreamResponse;
    private HeaderRewrite requestRules;
    private Variables variables;

    @Setup
    public void setUp() {
        browserRequest = new DefaultHttpHeaders()
                .add("Host", "shop.example.com")
                .add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
                .add("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .add("Accept-Language", "en-GB,en;q=0.5")
                .add("Accept-Encoding", "gzip, deflate, br, zstd")
                .add("Referer", "https://shop.example.com/catalogue?page=2")
                .add("Cookie", "session=6f1c2e9a7b3d4c5e8f90a1b2c3d4e5f6; consent=yes; theme=dark")
                .add("Connection", "keep-alive")
                .add("Upgrade-Insecure-Requests", "1")
                .add("Sec-Fetch-Dest", "document")
                .add("Sec-Fetch-Mode", "navigate")
                .add("Sec-Fetch-Site", "same-origin")
                .add("If-None-Match", "\"5f3a-61c2b0e4\"");
        // nginx's own defaults: "Connection: keep-alive" with a Keep-Alive hint, both hop-by-hop.
        upstreamResponse = new DefaultHttpHeaders()
                .add("Server", "nginx/1.24.0")
                .add("Date", "Tue, 04 Jun 2024 10:15:30 GMT")
                .add("Content-Type", "text/html; charset=utf-8")
                .add("Content-Length", "24410")
                .add("Connection", "keep-alive")
                .add("Keep-Alive", "timeout=60")
                .add("Last-Modified", "Mon, 03 Jun 2024 08:00:00 GMT")
                .add("ETag", "\"5f3a-61c2b0e5\"")
                .add("Cache-Control", "max-age=60")
                .add("Vary", "Accept-Encoding");
        // The rules of the appliance's default location, plus Host as many nginx configs set it.
        Map<String, String> rules = new LinkedHashMap<>();
        rules.put("Host", "$host");
        rules.put("X-Real-IP", "$remote_addr");
        rules.put("X-Forwarded-For", "$proxy_add_x_forwarded_for");
        requestRules = HeaderRewrite.of(rules);
        variables = new Variables("203.0.113.77", 51234, "shop.example.com", 80, "/catalogue/item/42", "http", "web",
                "", browserRequest);
    }

    /** What ProxyExchange.upstreamRequest does to the headers: copy, strip hop-by-hop, apply the rules. */
    @Benchmark
    public HttpHeaders request() {
        HttpHeaders headers = browserRequest.copy();
        HopByHop.strip(headers);
        requestRules.apply(headers, variables);
        return headers;
    }

    /**
     * Response-side stripping. The proxy strips the decoded response in place; here each op needs its own
     * headers, so this includes a copy: subtract {@link #responseCopyOnly}.
     */
    @Benchmark
    public HttpHeaders response() {
        HttpHeaders headers = upstreamResponse.copy();
        HopByHop.strip(headers);
        return headers;
    }

    /** The copy inside {@link #response}, to subtract from it. */
    @Benchmark
    public HttpHeaders responseCopyOnly() {
        return upstreamResponse.copy();
    }

    /**
     * The variables as ProxyExchange answers them for a client connected straight to the proxy; the record's
     * accessors are the interface's methods.
     */
    private record Variables(String remoteAddr, int remotePort, String host, int serverPort, String requestUri,
            String scheme, String proxyHost, String upstreamAddr, HttpHeaders request) implements RequestVariables {
        @Override
        public String requestHeader(String name) {
            return request.get(name);
        }
    }
}
