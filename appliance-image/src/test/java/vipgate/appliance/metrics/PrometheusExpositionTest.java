package vipgate.appliance.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The strict exposition reader the metrics tests rely on: it must accept valid pages and be able to fail. */
class PrometheusExpositionTest {
    private static final String GOOD = """
            # A plain comment is ignored.
            # HELP http_requests_total Requests by "code", with a \\\\ and a\\nsecond line
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000
            http_requests_total{ path = "C:\\\\dir\\"x\\"\\nend" , } 1

            # TYPE temperature gauge
            # HELP temperature Gauges may be NaN or infinite
            temperature NaN
            temperature{room="a"} -Inf
            temperature{room="b"} +Inf
            temperature{room="c"} 1.5e-3
            temperature{room="d"}\t-.5
            # HELP rpc_duration_seconds A histogram
            # TYPE rpc_duration_seconds histogram
            rpc_duration_seconds_bucket{le="0.05"} 24054
            rpc_duration_seconds_bucket{le="0.1"} 33444
            rpc_duration_seconds_bucket{le="+Inf"} 144320
            rpc_duration_seconds_sum 53423
            rpc_duration_seconds_count 144320
            rpc_duration_seconds_bucket{service="b",le="1"} 0
            rpc_duration_seconds_bucket{service="b",le="+Inf"} 0
            rpc_duration_seconds_sum{service="b"} 0
            rpc_duration_seconds_count{service="b"} 0
            # HELP rpc_size_bytes A summary
            # TYPE rpc_size_bytes summary
            rpc_size_bytes{quantile="0.5"} 4773
            rpc_size_bytes{quantile="1"} 9001
            rpc_size_bytes_sum 1.7560473e+07
            rpc_size_bytes_count 2693
            """;

    @Test
    void readsFamiliesSamplesAndEscapes() {
        PrometheusExposition page = PrometheusExposition.parse(GOOD);

        assertThat(page.families().keySet())
                .containsExactly("http_requests_total", "temperature", "rpc_duration_seconds", "rpc_size_bytes");
        PrometheusExposition.Family requests = page.family("http_requests_total");
        assertThat(requests.type()).isEqualTo(PrometheusExposition.Type.COUNTER);
        assertThat(requests.help()).isEqualTo("Requests by \"code\", with a \\ and a\nsecond line");
        assertThat(page.value("http_requests_total", "method", "post", "code", "400")).isEqualTo(3);
        assertThat(page.value("http_requests_total", "code", "200", "method", "post")).as("label order does not matter")
                .isEqualTo(1027);
        assertThat(requests.samples().get(2).labels()).isEqualTo(Map.of("path", "C:\\dir\"x\"\nend"));
        assertThat(page.sum("http_requests_total", "method", "post")).isEqualTo(1030);

        assertThat(page.value("temperature")).isNaN();
        assertThat(page.value("temperature", "room", "a")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(page.value("temperature", "room", "b")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(page.value("temperature", "room", "c")).isEqualTo(0.0015);
        assertThat(page.value("temperature", "room", "d")).isEqualTo(-0.5);

        assertThat(page.family("rpc_duration_seconds").type()).isEqualTo(PrometheusExposition.Type.HISTOGRAM);
        assertThat(page.value("rpc_duration_seconds_bucket", "le", "0.1")).isEqualTo(33444);
        assertThat(page.samples("rpc_duration_seconds_count")).hasSize(2);
        assertThat(page.value("rpc_size_bytes_sum")).isEqualTo(1.7560473e7);
    }

    @Test
    void anEmptyPageIsValid() {
        assertThat(PrometheusExposition.parse("").families()).isEmpty();
    }

    @Test
    void missingSamplesAreReportedWithWhatThereIs() {
        PrometheusExposition page = PrometheusExposition.parse(GOOD);
        assertThatThrownBy(() -> page.value("http_requests_total", "code", "500"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("code=500").hasMessageContaining("method=post");
        assertThatThrownBy(() -> page.family("nope")).isInstanceOf(AssertionError.class).hasMessageContaining("temperature");
    }

    static Stream<Arguments> bad() {
        return Stream.of(
                bad("no line feed at the end", "# HELP a_total x\n# TYPE a_total counter\na_total 1", "line feed"),
                bad("metric name", "# HELP 1a x\n# TYPE 1a gauge\n1a 1\n", "invalid metric name '1a'"),
                bad("metric name with a dash", "# HELP a x\n# TYPE a gauge\na-b 1\n", "invalid metric name 'a-b'"),
                bad("label name", "# HELP a x\n# TYPE a gauge\na{1x=\"v\"} 1\n", "invalid label name '1x'"),
                bad("reserved label name", "# HELP a x\n# TYPE a gauge\na{__name__=\"v\"} 1\n", "reserved"),
                bad("label given twice", "# HELP a x\n# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n", "label x given twice"),
                bad("unquoted label value", "# HELP a x\n# TYPE a gauge\na{x=1} 1\n", "expected '\"'"),
                bad("unterminated label value", "# HELP a x\n# TYPE a gauge\na{x=\"1} 1\n", "unterminated"),
                bad("unknown escape in a label value", "# HELP a x\n# TYPE a gauge\na{x=\"\\t\"} 1\n", "invalid escape"),
                bad("unknown escape in HELP", "# HELP a tab\\there\n# TYPE a gauge\na 1\n", "invalid escape"),
                bad("missing comma", "# HELP a x\n# TYPE a gauge\na{x=\"1\" y=\"2\"} 1\n", "expected ',' or '}'"),
                bad("value", "# HELP a x\n# TYPE a gauge\na 1,5\n", "invalid number '1,5'"),
                bad("no value", "# HELP a x\n# TYPE a gauge\na\n", "invalid number ''"),
                bad("timestamp", "# HELP a x\n# TYPE a gauge\na 1 12.5\n", "invalid timestamp"),
                bad("text after the timestamp", "# HELP a x\n# TYPE a gauge\na 1 12 x\n", "after the timestamp"),
                bad("unknown type", "# HELP a x\n# TYPE a meter\na 1\n", "unknown type 'meter'"),
                bad("sample without TYPE", "a 1\n", "no TYPE line before it"),
                bad("sample after HELP only", "# HELP a x\na 1\n", "before the TYPE"),
                bad("TYPE of another family", "# HELP a x\n# TYPE a gauge\nb 1\n", "no TYPE line before it"),
                bad("TYPE after the samples", "# HELP a x\n# TYPE a gauge\na 1\n# TYPE a gauge\n", "TYPE of a after its samples"),
                bad("HELP twice", "# HELP a x\n# HELP a y\n# TYPE a gauge\na 1\n", "second HELP"),
                bad("TYPE twice", "# HELP a x\n# TYPE a gauge\n# TYPE a counter\na 1\n", "second TYPE"),
                bad("no HELP", "# TYPE a gauge\na 1\n", "has no HELP"),
                bad("HELP without TYPE", "# HELP a x\n", "has HELP but no TYPE"),
                bad("interleaved families", "# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na{x=\"1\"} 2\n",
                        "interleaved"),
                bad("family repeated", "# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\n# HELP a x\n",
                        "appears again"),
                bad("duplicate series", "# HELP a x\n# TYPE a gauge\na{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 1\n",
                        "duplicate series"),
                bad("duplicate series without labels", "# HELP a x\n# TYPE a gauge\na 1\na 2\n", "duplicate series"),
                bad("counter without _total", "# HELP a x\n# TYPE a counter\na 1\n", "should end with _total"),
                bad("negative counter", "# HELP a_total x\n# TYPE a_total counter\na_total -1\n", "is -1.0"),
                bad("NaN counter", "# HELP a_total x\n# TYPE a_total counter\na_total NaN\n", "is NaN"),
                bad("histogram without +Inf", histogram("h_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"), "no le=\"+Inf\""),
                bad("histogram without _sum", histogram("h_bucket{le=\"+Inf\"} 1\nh_count 1\n"), "no _sum"),
                bad("histogram without _count", histogram("h_bucket{le=\"+Inf\"} 1\nh_sum 1\n"), "no _count"),
                bad("_count of another label set", histogram("h_bucket{x=\"1\",le=\"+Inf\"} 1\nh_sum{x=\"1\"} 1\nh_count 1\n"),
                        "h{x=1} has no _count"),
                bad("bucket without le", histogram("h_bucket 1\nh_sum 1\nh_count 1\n"), "without an le label"),
                bad("le that is no number", histogram("h_bucket{le=\"big\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"),
                        "invalid number 'big'"),
                bad("le on _sum", histogram("h_bucket{le=\"+Inf\"} 1\nh_sum{le=\"1\"} 1\nh_count 1\n"), "must not have an le"),
                bad("buckets not cumulative",
                        histogram("h_bucket{le=\"0.1\"} 5\nh_bucket{le=\"1\"} 4\nh_bucket{le=\"+Inf\"} 5\nh_sum 1\nh_count 5\n"),
                        "cumulative"),
                bad("buckets not cumulative, written in another order",
                        histogram("h_bucket{le=\"1\"} 4\nh_bucket{le=\"0.1\"} 5\nh_bucket{le=\"+Inf\"} 5\nh_sum 1\nh_count 5\n"),
                        "cumulative"),
                bad("a fractional bucket count", histogram("h_bucket{le=\"+Inf\"} 1.5\nh_sum 1\nh_count 1.5\n"), "whole counts"),
                bad("+Inf bucket unequal to _count", histogram("h_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 3\nh_sum 1\nh_count 4\n"),
                        "+Inf bucket 3.0 but _count 4.0"),
                bad("histogram sample without suffix", histogram("h 1\n"), "no TYPE line before it"),
                bad("histogram name clash", histogram("h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n")
                        + "# HELP h_count x\n# TYPE h_count gauge\n", "clashes"),
                bad("summary without quantile", "# HELP s x\n# TYPE s summary\ns 1\ns_sum 1\ns_count 1\n", "without a quantile"),
                bad("summary quantile out of range", "# HELP s x\n# TYPE s summary\ns{quantile=\"2\"} 1\ns_sum 1\ns_count 1\n",
                        "outside [0, 1]"),
                bad("summary without _count", "# HELP s x\n# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_sum 1\n", "needs both"));
    }

    private static Arguments bad(String what, String text, String message) {
        return Arguments.of(what, text, message);
    }

    private static String histogram(String samples) {
        return "# HELP h x\n# TYPE h histogram\n" + samples;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    void refuses(String what, String text, String message) {
        assertThatThrownBy(() -> PrometheusExposition.parse(text)).as(what)
                .isInstanceOf(PrometheusExposition.FormatException.class)
                .hasMessageStartingWith("line ")
                .hasMessageContaining(message);
    }

    @Test
    void errorsNameTheLine() {
        assertThatThrownBy(() -> PrometheusExposition.parse("# HELP a x\n# TYPE a gauge\na 1\na{x=\"\\q\"} 1\n"))
                .hasMessageStartingWith("line 4: invalid escape sequence '\\q'");
    }
}
