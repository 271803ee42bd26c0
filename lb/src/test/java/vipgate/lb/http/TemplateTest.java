package vipgate.lb.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {

    /** 2026-11-22T02:50:01.234Z */
    private static final long NOW = 1_795_315_801_234L;

    @Test
    void argumentsCookiesUriAndCaptures() {
        TestRequest v = new TestRequest().header("Cookie", "a=1; session=abc; Theme=dark");
        v.args = "page=2&Sort=name&empty=&page=3";
        assertThat(Template.parse("$arg_page|$arg_sort|$arg_empty|$arg_none").evaluate(v)).isEqualTo("2|name||");
        assertThat(Template.parse("$cookie_session|$cookie_theme|$cookie_a|$cookie_x").evaluate(v)).isEqualTo("abc|dark|1|");
        assertThat(Template.parse("$uri$is_args$args").evaluate(v)).isEqualTo("/a b?page=2&Sort=name&empty=&page=3");
        v.args = "";
        assertThat(Template.parse("$document_uri$is_args$query_string").evaluate(v)).isEqualTo("/a b");
        assertThat(Template.parse("$1x$2").evaluate(v)).as("one digit, as nginx reads it").isEqualTo("onex");
        assertThat(Template.parse("$user_id", java.util.Set.of("user_id")).evaluate(v)).isEqualTo("42");
        assertThatThrownBy(() -> Template.parse("$user_id")).as("a name no regex captures")
                .hasMessageContaining("unknown variable $user_id");
    }

    @Test
    void remoteAddr() {
        assertThat(Template.parse("$remote_addr").evaluate(new TestRequest())).isEqualTo("192.0.2.7");
    }

    @Test
    void proxyAddXForwardedForWithoutAnIncomingHeaderIsTheClient() {
        assertThat(Template.parse("$proxy_add_x_forwarded_for").evaluate(new TestRequest())).isEqualTo("192.0.2.7");
    }

    @Test
    void proxyAddXForwardedForAppendsTheClientToAnIncomingHeader() {
        TestRequest v = new TestRequest().header("X-Forwarded-For", "203.0.113.1, 198.51.100.2");
        assertThat(Template.parse("$proxy_add_x_forwarded_for").evaluate(v)).isEqualTo("203.0.113.1, 198.51.100.2, 192.0.2.7");
    }

    @Test
    void bracedVariablesLiteralsAndHeaders() {
        TestRequest v = new TestRequest().header("X-Request-Id", "r-1");
        assertThat(Template.parse("${host}:$server_port").evaluate(v)).isEqualTo("www.example.com:8080");
        assertThat(Template.parse("$scheme://${host}$request_uri").evaluate(v)).isEqualTo("http://www.example.com/a?b=c");
        assertThat(Template.parse("id=$http_x_request_id;").evaluate(v)).isEqualTo("id=r-1;");
        assertThat(Template.parse("$http_missing").evaluate(v)).isEmpty();
        assertThat(Template.parse("$remote_port $proxy_host $upstream_addr").evaluate(v)).isEqualTo("51000 web 10.0.0.1:80");
        assertThat(Template.parse("costs $ 5").evaluate(v)).isEqualTo("costs $ 5");
        assertThat(Template.parse("plain").evaluate(v)).isEqualTo("plain");
        assertThat(Template.parse("").isEmpty()).isTrue();
    }

    @Test
    void anUnknownVariableIsAnErrorNamingTheKnownOnes() {
        assertThatThrownBy(() -> Template.parse("$remote_adr"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown variable $remote_adr")
                .hasMessageContaining("$remote_addr");
        assertThatThrownBy(() -> Template.parse("${host")).hasMessageContaining("unclosed");
        assertThatThrownBy(() -> Template.parse("$http_")).hasMessageContaining("unknown variable $http_;")
                .hasMessageContaining("$upstream_response_time").hasMessageContaining("$http_NAME");
    }

    @Test
    void headerRewriteSetsRemovesAndNamesTheHeaderOfABadTemplate() {
        Map<String, String> spec = new LinkedHashMap<>();
        spec.put("X-Real-IP", "$remote_addr");
        spec.put("X-Forwarded-For", "$proxy_add_x_forwarded_for");
        spec.put("Host", "${host}");
        spec.put("X-Secret", "");
        spec.put("X-Trace", "$http_x_trace");
        HeaderRewrite rewrite = HeaderRewrite.of(spec);
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "WWW.example.com:8080").add("X-Secret", "s")
                .add("X-Real-IP", "6.6.6.6").add("X-Trace", "t");
        rewrite.apply(h, new TestRequest().header("X-Forwarded-For", "203.0.113.1"));
        assertThat(h.get("X-Real-IP")).isEqualTo("192.0.2.7");
        assertThat(h.getAll("X-Real-IP")).hasSize(1);
        assertThat(h.get("X-Forwarded-For")).isEqualTo("203.0.113.1, 192.0.2.7");
        assertThat(h.get("Host")).isEqualTo("www.example.com");
        assertThat(h.contains("X-Secret")).as("empty value removes").isFalse();
        assertThat(h.contains("X-Trace")).as("a value that evaluates empty removes").isFalse();
        assertThat(rewrite.sets("host")).isTrue();
        assertThat(rewrite.sets("X-Other")).isFalse();

        assertThatThrownBy(() -> HeaderRewrite.of(Map.of("X-Real-IP", "$remote_adr")))
                .hasMessageStartingWith("X-Real-IP: unknown variable $remote_adr");
    }

    private static String log(String template, TestRequest vars) {
        StringBuilder out = new StringBuilder();
        Template.parse(template).appendLog(out, vars, NOW);
        return out.toString();
    }

    /** After a retry: the first server answered 502, the second 200. */
    private static TestRequest retried() {
        TestRequest v = new TestRequest().header("User-Agent", "curl/8.5.0").header("X-Forwarded-For", "203.0.113.1");
        v.status = 200;
        v.requestNanos = 4_700_000;
        v.upstreamAddr = "10.0.0.1:80, 10.0.0.2:80";
        v.upstreamStatus = "502, 200";
        v.upstreamTimes = "0.001, 0.003";
        return v;
    }

    @Test
    void theMainFormatWritesNginxsFieldsAndDashForWhatIsMissing() {
        String main = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" "
                + "\"$http_user_agent\" \"$http_x_forwarded_for\" $upstream_addr $upstream_status $request_time "
                + "$upstream_response_time";
        String timeLocal = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT)
                .format(Instant.ofEpochMilli(NOW).atZone(ZoneId.systemDefault()));
        assertThat(log(main, retried())).isEqualTo("192.0.2.7 - - [" + timeLocal + "] \"GET /a?b=c HTTP/1.1\" 200 612 \"-\" "
                + "\"curl/8.5.0\" \"203.0.113.1\" 10.0.0.1:80, 10.0.0.2:80 502, 200 0.004 0.001, 0.003");
    }

    @Test
    void everyLogVariable() {
        TestRequest v = retried();
        assertThat(log("$request_method $server_protocol $request_uri $scheme $host:$server_port $proxy_host", v))
                .isEqualTo("GET HTTP/1.1 /a?b=c http www.example.com:8080 web");
        assertThat(log("$status $body_bytes_sent $bytes_sent", v)).isEqualTo("200 612 850");
        assertThat(log("$upstream_connect_time|$upstream_header_time|$upstream_response_time", v))
                .isEqualTo("0.001, 0.003|0.001, 0.003|0.001, 0.003");
        assertThat(log("$msec", v)).isEqualTo("1795315801.234");
        assertThat(log("$time_iso8601", v)).isEqualTo(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx", Locale.ROOT)
                .format(Instant.ofEpochMilli(NOW).atZone(ZoneId.systemDefault())));
        assertThat(log("$remote_user $http_referer $upstream_addr", new TestRequest().header("Referer", "")))
                .as("empty and absent values").isEqualTo("- - 10.0.0.1:80");
    }

    @Test
    void requestTimeIsSecondsWithMilliseconds() {
        TestRequest v = new TestRequest();
        long[] nanos = {0, 999_999, 4_000_000, 40_000_000, 400_000_000, 1_234_567_000_000L};
        String[] seconds = {"0.000", "0.000", "0.004", "0.040", "0.400", "1234.567"};
        for (int i = 0; i < nanos.length; i++) {
            v.requestNanos = nanos[i];
            assertThat(log("$request_time", v)).as("%d ns", nanos[i]).isEqualTo(seconds[i]);
        }
    }

    @Test
    void beforeAResponseTheStatusIsThreeZeroesAndTheUpstreamFieldsAreEmpty() {
        TestRequest v = new TestRequest();
        v.upstreamAddr = "";
        assertThat(log("$status $upstream_addr $upstream_status $upstream_response_time", v)).isEqualTo("000 - - -");
        // in a header they are allowed too, raw, as nginx allows any variable anywhere
        assertThat(Template.parse("$status|$upstream_status|$remote_user").evaluate(v)).isEqualTo("000||");
    }

    @Test
    void valuesAreEscapedAsNginxDoesButLiteralsAreNot() {
        TestRequest v = new TestRequest()
                .header("User-Agent", "a\"b\\c\nd\te\u0001f\u007f")
                .header("Referer", "caf\u00e9") // ISO-8859-1 decoded header byte 0xE9
                .header("X-Unicode", "\u20ac\ud83d\ude00"); // beyond a byte: its UTF-8 bytes
        assertThat(log("\"$http_user_agent\"", v)).isEqualTo("\"a\\x22b\\x5Cc\\x0Ad\\x09e\\x01f\\x7F\"");
        assertThat(log("$http_referer", v)).isEqualTo("caf\\xE9");
        assertThat(log("$http_x_unicode", v)).isEqualTo("\\xE2\\x82\\xAC\\xF0\\x9F\\x98\\x80");
        assertThat(log("say \"hi\" $remote_addr", v)).isEqualTo("say \"hi\" 192.0.2.7");
        assertThat(Template.parse("$http_user_agent").evaluate(v)).as("headers keep the raw value")
                .isEqualTo("a\"b\\c\nd\te\u0001f\u007f");
    }

    @Test
    void localTimeIsFormattedLikeNginxInTheGivenZone() {
        long t = 1_795_315_801_999L;
        assertThat(new LogTime(ZoneOffset.UTC).local(t)).isEqualTo("22/Nov/2026:02:50:01 +0000");
        assertThat(new LogTime(ZoneOffset.UTC).iso8601(t)).isEqualTo("2026-11-22T02:50:01+00:00");
        LogTime india = new LogTime(ZoneId.of("Asia/Kolkata"));
        assertThat(india.local(t)).isEqualTo("22/Nov/2026:08:20:01 +0530");
        assertThat(india.iso8601(t - 1)).as("same second").isEqualTo("2026-11-22T08:20:01+05:30");
        assertThat(india.iso8601(t + 1)).as("next millisecond, next second").isEqualTo("2026-11-22T08:20:02+05:30");
    }
}
