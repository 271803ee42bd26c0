package vipgate.appliance.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static vipgate.appliance.metrics.PrometheusText.labels;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The exposition writer: escaping, Go-parsable numbers, one group per family. */
class PrometheusTextTest {
    @Test
    void escapesLabelValuesAndHelp() {
        String nasty = "C:\\dir \"quoted\"\nnext line, {braces}=";
        String page = new PrometheusText()
                .family("files_total", "counter", "Files seen\\counted\nper path")
                .sample(labels("path", nasty, "plain", "x"), 1)
                .toString();

        assertThat(page).isEqualTo("""
                # HELP files_total Files seen\\\\counted\\nper path
                # TYPE files_total counter
                files_total{path="C:\\\\dir \\"quoted\\"\\nnext line, {braces}=",plain="x"} 1
                """);
        PrometheusExposition read = PrometheusExposition.parse(page);
        assertThat(read.family("files_total").help()).isEqualTo("Files seen\\counted\nper path");
        assertThat(read.family("files_total").samples().get(0).labels()).containsExactly(
                Map.entry("path", nasty), Map.entry("plain", "x"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0, 0",
        "-0.0, 0",
        "3, 3",
        "-2, -2",
        "1027, 1027",
        "123456789012, 123456789012",
        "0.0001, 0.0001",
        "0.00025, 0.00025",
        "0.0000001, 0.0000001",
        "2.5, 2.5",
        "60, 60",
        "0.999, 0.999",
        "1.5E-3, 0.0015",
        "-0.25, -0.25",
        "1E20, 100000000000000000000",
    })
    void writesNumbersAsPlainDecimals(double value, String text) {
        assertThat(PrometheusText.number(value)).isEqualTo(text);
    }

    @Test
    void writesInfinityAndNaNAsPrometheusDoes() {
        assertThat(PrometheusText.number(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(PrometheusText.number(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
        assertThat(PrometheusText.number(Double.NaN)).isEqualTo("NaN");
    }

    /** Whatever the value, the text reads back to the same double (no precision lost) and has no exponent. */
    @Test
    void numbersRoundTrip() {
        SplittableRandom random = new SplittableRandom(6);
        for (int i = 0; i < 10_000; i++) {
            double v = switch (i % 4) {
                case 0 -> random.nextDouble();
                case 1 -> random.nextDouble() * 1e6;
                case 2 -> random.nextLong(1L << 40) / 1e6; // microseconds as seconds
                default -> Math.scalb(random.nextDouble(), random.nextInt(-40, 60));
            };
            String text = PrometheusText.number(v);
            assertThat(text).as("%s", v).matches("-?\\d+(\\.\\d+)?");
            assertThat(Double.parseDouble(text)).as(text).isEqualTo(v);
        }
    }

    @Test
    void aFamilyWrittenTwiceIsRefused() {
        PrometheusText p = new PrometheusText().family("up", "gauge", "Up").sample(Map.of(), 1)
                .family("other", "gauge", "Other").sample(Map.of(), 2);

        assertThatThrownBy(() -> p.family("up", "gauge", "Up again"))
                .isInstanceOf(IllegalStateException.class).hasMessage("metric family up written twice");
        assertThatThrownBy(() -> p.family("other", "counter", "Other"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("other written twice");
    }

    @Test
    void histogramSamplesCarryTheirSuffixAndLeLast() {
        Map<String, String> server = labels("upstream", "web", "server", "10.0.0.1:80");
        String page = new PrometheusText().family("rt_seconds", "histogram", "Response time")
                .sample("_bucket", PrometheusText.with(server, "le", PrometheusText.number(0.005)), 1)
                .sample("_bucket", PrometheusText.with(server, "le", PrometheusText.number(Double.POSITIVE_INFINITY)), 2)
                .sample("_sum", server, 0.0125)
                .sample("_count", server, 2)
                .toString();

        assertThat(page.lines()).containsExactly(
                "# HELP rt_seconds Response time",
                "# TYPE rt_seconds histogram",
                "rt_seconds_bucket{upstream=\"web\",server=\"10.0.0.1:80\",le=\"0.005\"} 1",
                "rt_seconds_bucket{upstream=\"web\",server=\"10.0.0.1:80\",le=\"+Inf\"} 2",
                "rt_seconds_sum{upstream=\"web\",server=\"10.0.0.1:80\"} 0.0125",
                "rt_seconds_count{upstream=\"web\",server=\"10.0.0.1:80\"} 2");
        assertThat(PrometheusExposition.parse(page).value("rt_seconds_count", "upstream", "web", "server", "10.0.0.1:80"))
                .isEqualTo(2);
        assertThat(server).as("with() copies").doesNotContainKey("le");
    }

    @Test
    void contentTypeIsTheTextFormat004() {
        assertThat(PrometheusText.CONTENT_TYPE).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    }
}
