package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogProcessor;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.appliance.metrics.PrometheusExposition;
import vipgate.appliance.metrics.PrometheusText;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.FreePort;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.RawHttp;

/**
 * What an operator sees of a known load on the real appliance: GET /metrics read by a strict Prometheus text
 * parser with counts that match the client's own to the request, the percentile gauges, GET /histograms,
 * {@code vipgate status}, the admin token, and the .hlog file read back by HdrHistogram's own tools.
 *
 * <p>Upstream {@code web} has two nginx nodes A and B and a third, C, whose nginx is stopped: the first request
 * sent to C is refused, counted as a connect failure and retried on A or B; C then rests for its fail-timeout
 * (1 h), so the counts are exact.
 */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class MetricsIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TOKEN = "metrics-it-token";
    private static final int REQUESTS = 200;
    /** Every fourth request asks for a path the nodes answer with 404. */
    private static final int MISSING_EVERY = 4;
    private static final int CONNECTIONS = 4;

    @TempDir
    Path dir;

    private NginxWebNode a;
    private NginxWebNode b;
    private NginxWebNode c;
    private ApplianceProcess proxy;
    private final List<RawHttp> clients = new ArrayList<>();

    private int admin;
    private String listener;
    /** What the client saw: responses by node ("A", "B") and status, bytes sent, connections opened. */
    private final Map<String, Map<Integer, Integer>> seen = new HashMap<>();
    private int requests;
    private long bytesSent;
    private int connectionsOpened;

    @AfterEach
    void cleanUp() {
        clients.forEach(RawHttp::close);
        Cleanup.close(proxy, a, b, c);
    }

    @Test
    void metricsStatusAndLatencyLogAgreeWithTheClient() throws Exception {
        a = node("A");
        b = node("B");
        c = node("C");
        c.stop();
        admin = FreePort.tcp();
        int port = FreePort.tcp();
        listener = "127.0.0.1:" + port;
        Path hlog = dir.resolve("hlog/latency.hlog");
        Path conf = ItSupport.write(dir.resolve("vipgate.conf"), """
                vipgate {
                  node-name = "metrics-it"
                  admin { listen = "127.0.0.1:%d", token = "%s" }
                  lb {
                    event-loops = 2
                    metrics { interval = 1s, hlog.path = "%s" }
                    upstreams.web {
                      servers = [
                        { address = "%s" }
                        { address = "%s" }
                        { address = "%s", max-fails = 1, fail-timeout = 1h }
                      ]
                    }
                    servers = [{ listen = ["%s"], locations = [{ path = "/", upstream = web }] }]
                  }
                }
                """.formatted(admin, TOKEN, hlog, a.address(), b.address(), c.address(), listener));
        proxy = ApplianceProcess.builder(ApplianceProcess.jar()).args("run", "-c", conf.toString()).adminPort(admin).start();
        Await.require(ItSupport.START_TIMEOUT, () -> "the admin API to answer /healthz with the token; output:\n" + proxy.log(),
                () -> !proxy.isAlive() || adminStatus("/healthz", TOKEN) == 200);
        assertThat(proxy.isAlive()).as(proxy.log()).isTrue();

        for (int i = 0; i < CONNECTIONS; i++) {
            clients.add(connect(port));
        }
        for (int i = 0; i < REQUESTS; i++) {
            request(clients.get(i % CONNECTIONS), i % MISSING_EVERY == 0 ? "/missing" : "/");
        }

        PrometheusExposition page = scrapeWhen("all requests recorded",
                p -> p.value("vipgate_lb_request_duration_seconds_count", "listener", listener) == REQUESTS);
        assertCountsMatchTheClient(page);

        // the percentile gauges cover the last completed interval: keep a trickle going until one has ended
        page = scrapeWhen("the listener's p50 over the last interval", p -> {
            request(clients.get(0), "/");
            return !Double.isNaN(p.value("vipgate_lb_request_duration_recent_seconds", "listener", listener, "quantile", "0.5"));
        });
        assertPercentileGauges(page);
        Await.require(WAIT, "the status table's latency columns over the last interval", () -> {
            request(clients.get(0), "/");
            Map<String, List<String>> rows = rows(admin("/status?format=text", TOKEN).bodyText().lines().toList());
            List<String> header = rows.get("Listener");
            return rows.get(listener).get(header.indexOf("p50")).matches("\\d+\\.\\d{2}ms")
                    && rows.get(listener).get(header.indexOf("p99")).matches("\\d+\\.\\d{2}ms");
        });
        scrapeWhen("the trickle's requests recorded",
                p -> p.value("vipgate_lb_request_duration_seconds_count", "listener", listener) == requests);

        assertHistogramsEndpoint();
        assertAdminTokenRequired();
        assertStatusTable(conf);

        clients.forEach(RawHttp::close);
        scrapeWhen("the client connections to close",
                p -> p.value("vipgate_lb_connections_active", "listener", listener) == 0);
        assertThat(proxy.stop(WAIT)).as("exit status after SIGTERM").isZero();
        ItSupport.assertCleanLog(proxy);

        assertLatencyLogReadsBack(hlog);
    }

    // ---- the load and what the client saw

    private NginxWebNode node(String name) {
        return NginxWebNode.builder().body("NODE " + name + "\n")
                .location("location = /missing { return 404 \"NODE " + name + " missing\\n\"; }").start();
    }

    private RawHttp connect(int port) {
        connectionsOpened++;
        return RawHttp.connect(port);
    }

    private void request(RawHttp client, String path) {
        String text = "GET " + path + " HTTP/1.1\r\nHost: metrics.test\r\nUser-Agent: MetricsIT\r\n\r\n";
        try {
            RawHttp.Response r = client.send(text).read();
            bytesSent += text.length();
            requests++;
            Matcher m = Pattern.compile("NODE ([AB])( missing)?\n").matcher(r.bodyText());
            assertThat(m.matches()).as("body of %s: %s", path, r).isTrue();
            assertThat(r.status()).as(r.toString()).isEqualTo(path.equals("/") ? 200 : 404);
            assertThat(r.closes()).as("keep-alive after %s", r).isFalse();
            seen.computeIfAbsent(m.group(1), n -> new HashMap<>()).merge(r.status(), 1, Integer::sum);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int seen(String node, int status) {
        return seen.getOrDefault(node, Map.of()).getOrDefault(status, 0);
    }

    private int seen(String node) {
        return seen(node, 200) + seen(node, 404);
    }

    // ---- GET /metrics

    private void assertCountsMatchTheClient(PrometheusExposition page) {
        int missing = (REQUESTS + MISSING_EVERY - 1) / MISSING_EVERY;
        assertThat(seen("A") + seen("B")).isEqualTo(REQUESTS);
        assertThat(seen("A")).as("round robin over A and B").isGreaterThan(REQUESTS / 3);
        assertThat(seen("B")).as("round robin over A and B").isGreaterThan(REQUESTS / 3);

        // listener
        assertThat(page.value("vipgate_lb_responses_total", "listener", listener, "class", "2xx")).isEqualTo(REQUESTS - missing);
        assertThat(page.value("vipgate_lb_responses_total", "listener", listener, "class", "4xx")).isEqualTo(missing);
        for (String cls : List.of("1xx", "3xx", "5xx")) {
            assertThat(page.value("vipgate_lb_responses_total", "listener", listener, "class", cls)).as(cls).isZero();
        }
        assertThat(page.value("vipgate_lb_connections_accepted_total", "listener", listener)).isEqualTo(connectionsOpened);
        assertThat(page.value("vipgate_lb_connections_active", "listener", listener)).isEqualTo(CONNECTIONS);
        assertThat(page.value("vipgate_lb_received_bytes_total", "listener", listener)).isEqualTo(bytesSent);
        assertThat(page.value("vipgate_lb_sent_bytes_total", "listener", listener))
                .isGreaterThan(REQUESTS * "HTTP/1.1 200 OK\r\n\r\nNODE A\n".length());
        assertThat(page.value("vipgate_lb_request_duration_seconds_bucket", "listener", listener, "le", "+Inf"))
                .isEqualTo(REQUESTS);
        assertThat(page.value("vipgate_lb_request_duration_seconds_sum", "listener", listener)).isPositive();
        assertThat(page.value("vipgate_lb_request_duration_seconds_bucket", "listener", listener, "le", "60"))
                .as("no request took a minute").isEqualTo(REQUESTS);

        // upstream and servers: what A and B answered is what the client got from them; C answered nothing
        assertThat(page.value("vipgate_lb_upstream_retries_total", "upstream", "web")).as("C refused once").isEqualTo(1);
        assertThat(page.value("vipgate_lb_upstream_unavailable_total", "upstream", "web")).isZero();
        for (String node : List.of("A", "B")) {
            String server = (node.equals("A") ? a : b).address();
            assertThat(page.value("vipgate_lb_upstream_responses_total", "upstream", "web", "server", server, "class", "2xx"))
                    .as(node).isEqualTo(seen(node, 200));
            assertThat(page.value("vipgate_lb_upstream_responses_total", "upstream", "web", "server", server, "class", "4xx"))
                    .as(node).isEqualTo(seen(node, 404));
            assertThat(page.sum("vipgate_lb_upstream_failures_total", "server", server)).as(node).isZero();
            assertThat(page.value("vipgate_lb_server_request_duration_seconds_count", "upstream", "web", "server", server))
                    .as(node).isEqualTo(seen(node));
            assertThat(page.value("vipgate_lb_server_response_duration_seconds_count", "upstream", "web", "server", server))
                    .as(node).isEqualTo(seen(node));
            assertThat(page.value("vipgate_lb_server_connect_duration_seconds_count", "upstream", "web", "server", server))
                    .as(node + ": new connections, then kept alive").isBetween(1.0, (double) seen(node) / 2);
            assertThat(page.value("vipgate_lb_upstream_connections_open", "upstream", "web", "server", server)).as(node)
                    .isPositive();
            assertThat(page.value("vipgate_lb_upstream_server_up", "upstream", "web", "server", server)).as(node).isEqualTo(1);
        }
        String dead = c.address();
        assertThat(page.sum("vipgate_lb_upstream_responses_total", "server", dead)).isZero();
        assertThat(page.value("vipgate_lb_upstream_failures_total", "upstream", "web", "server", dead, "reason", "connect"))
                .isEqualTo(1);
        assertThat(page.sum("vipgate_lb_upstream_failures_total", "server", dead)).isEqualTo(1);
        assertThat(page.value("vipgate_lb_server_request_duration_seconds_count", "upstream", "web", "server", dead)).isZero();
        assertThat(page.value("vipgate_lb_upstream_connections_open", "upstream", "web", "server", dead)).isZero();
        assertThat(page.value("vipgate_lb_upstream_server_up", "upstream", "web", "server", dead)).isZero();
        assertThat(page.value("vipgate_lb_upstream_request_duration_seconds_count", "upstream", "web")).isEqualTo(REQUESTS);

        // every latency family is a histogram with the same bucket bounds, and its percentile gauges beside it
        List<String> histograms = page.families().values().stream()
                .filter(f -> f.type() == PrometheusExposition.Type.HISTOGRAM).map(PrometheusExposition.Family::name).toList();
        assertThat(histograms).contains("vipgate_lb_request_duration_seconds", "vipgate_lb_upstream_response_duration_seconds",
                "vipgate_lb_server_connect_duration_seconds", "vipgate_lb_server_health_check_duration_seconds");
        for (String h : histograms) {
            assertThat(page.family(h.replace("_seconds", "_recent_seconds")).type()).isEqualTo(PrometheusExposition.Type.GAUGE);
        }
        assertThat(page.samples("vipgate_lb_request_duration_seconds_bucket")).extracting(s -> s.labels().get("le"))
                .containsExactly("0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                        "0.5", "1", "2.5", "5", "10", "30", "60", "+Inf");
        assertThat(page.family("process_cpu_seconds_total").type()).isEqualTo(PrometheusExposition.Type.COUNTER);
        assertThat(page.value("process_resident_memory_bytes")).isPositive();
    }

    private void assertPercentileGauges(PrometheusExposition page) {
        double previous = 0;
        for (String q : List.of("0.5", "0.9", "0.99", "0.999", "1")) {
            double v = page.value("vipgate_lb_request_duration_recent_seconds", "listener", listener, "quantile", q);
            assertThat(v).as("p%s", q).isGreaterThan(0).isLessThan(10).isGreaterThanOrEqualTo(previous);
            previous = v;
        }
        String server = a.address();
        assertThat(page.value("vipgate_lb_upstream_response_duration_recent_seconds", "upstream", "web", "quantile", "0.99"))
                .isPositive();
        assertThat(page.value("vipgate_lb_server_request_duration_recent_seconds", "upstream", "web", "server", c.address(),
                "quantile", "0.5")).as("C answered nothing: no percentile").isNaN();
        assertThat(page.samples("vipgate_lb_server_request_duration_recent_seconds"))
                .filteredOn(s -> s.labels().get("server").equals(server)).hasSize(5);
    }

    /** Scrapes until {@code condition} holds for a page; every page must pass the strict parser. */
    private PrometheusExposition scrapeWhen(String what, java.util.function.Predicate<PrometheusExposition> condition) {
        PrometheusExposition[] last = new PrometheusExposition[1];
        Await.require(WAIT, () -> what + "; last page:\n" + (last[0] == null ? "none" : last[0].families().keySet()), () -> {
            last[0] = scrape();
            return condition.test(last[0]);
        });
        return last[0];
    }

    private PrometheusExposition scrape() {
        RawHttp.Response r = admin("/metrics", TOKEN);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo(PrometheusText.CONTENT_TYPE);
        return PrometheusExposition.parse(r.bodyText());
    }

    // ---- GET /histograms, the token, vipgate status

    private void assertHistogramsEndpoint() {
        RawHttp.Response list = admin("/histograms", TOKEN);
        assertThat(list.status()).isEqualTo(200);
        String listenerSeries = "listener." + listener + ".request";
        assertThat(list.bodyText().lines()).contains(listenerSeries, "upstream.web.request", "upstream.web.response",
                "upstream.web.connect", "upstream.web.health-check", "server.web." + a.address() + ".request",
                "server.web." + b.address() + ".response", "server.web." + c.address() + ".connect");

        RawHttp.Response table = admin("/histograms/" + listenerSeries, TOKEN);
        assertThat(table.status()).as(table.toString()).isEqualTo(200);
        String text = table.bodyText();
        assertThat(text).startsWith("# " + listenerSeries + ": latency in milliseconds since start\n")
                .contains("Value     Percentile TotalCount 1/(1-Percentile)")
                .containsPattern("(?m)^ +\\d+\\.\\d{2} 1\\.000000000000 +" + requests + "$")
                .containsPattern("#\\[Max += +\\d+\\.\\d{2}, Total count += +" + requests + "]");

        RawHttp.Response unknown = admin("/histograms/listener.nowhere.request", TOKEN);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.bodyText()).contains("GET /histograms lists them");
    }

    private void assertAdminTokenRequired() {
        for (String path : List.of("/metrics", "/histograms", "/status")) {
            assertThat(adminStatus(path, null)).as("%s without a token", path).isEqualTo(401);
            assertThat(adminStatus(path, "wrong")).as("%s with a wrong token", path).isEqualTo(401);
        }
    }

    private void assertStatusTable(Path conf) {
        ApplianceProcess.Completed status = ApplianceProcess.run(ApplianceProcess.jar(), WAIT, "status", "-c", conf.toString());
        assertThat(status.exitCode()).as(status.output()).isZero();
        System.out.println("MetricsIT: vipgate status -c FILE printed:\n" + status.output());
        List<String> lines = status.lines();
        assertThat(lines.get(0)).startsWith("vipgate node metrics-it (" + conf + "), lb transport ");
        assertAligned("listener table", lines.stream().filter(l -> l.startsWith("Listener") || l.startsWith("127.0.0.1:")).toList(),
                2, 11);
        assertAligned("server table", lines.stream().filter(l -> l.startsWith("  -> ")).toList(), 4, 13);
        assertThat(lines).contains("Upstream web (round-robin), retries 1, no server available 0");

        Map<String, List<String>> rows = rows(lines);
        assertThat(rows.keySet()).containsExactly("Listener", listener, "->", a.address(), b.address(), c.address());
        List<String> header = rows.get("Listener");
        List<String> row = rows.get(listener);
        assertThat(row.get(header.indexOf("2xx"))).isEqualTo(Integer.toString(requests - seen("A", 404) - seen("B", 404)));
        assertThat(row.get(header.indexOf("4xx"))).isEqualTo(Integer.toString(seen("A", 404) + seen("B", 404)));
        assertThat(row.get(header.indexOf("Accepted"))).isEqualTo(Integer.toString(connectionsOpened));

        List<String> servers = rows.get("->");
        assertThat(servers).startsWith("Server", "State", "Weight", "Effective", "Fails");
        for (NginxWebNode live : List.of(a, b)) {
            List<String> s = rows.get(live.address());
            assertThat(s.get(servers.indexOf("State"))).as(live.toString()).isEqualTo("up");
            assertThat(s.get(servers.indexOf("Fails"))).isEqualTo("0");
            assertThat(s.get(servers.indexOf("Errors"))).isEqualTo("0");
            assertThat(s.get(servers.indexOf("2xx"))).isEqualTo(Integer.toString(seen(live == a ? "A" : "B", 200)));
        }
        List<String> dead = rows.get(c.address());
        assertThat(dead.get(servers.indexOf("State"))).as("the refusing server").isEqualTo("failed");
        assertThat(dead.get(servers.indexOf("Fails"))).isEqualTo("1");
        assertThat(dead.get(servers.indexOf("Errors"))).isEqualTo("1");
        assertThat(dead.get(servers.indexOf("2xx"))).isEqualTo("0");
        assertThat(dead.get(servers.indexOf("p50"))).as("no latency for a server that answered nothing").isEqualTo("-");

        ApplianceProcess.Completed refused = ApplianceProcess.run(ApplianceProcess.jar(), WAIT, "status", "-c", conf.toString(),
                "--token", "wrong");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.output()).contains("answered 401");

        ApplianceProcess.Completed json = ApplianceProcess.run(ApplianceProcess.jar(), WAIT, "status", "--json",
                "--admin", "127.0.0.1:" + admin, "--token", TOKEN);
        assertThat(json.exitCode()).as(json.output()).isZero();
        assertThat(json.output()).startsWith("{\"node\":\"metrics-it\"");
    }

    /** Every line of a table has its cells (separated by two or more blanks) at the same columns. */
    private static void assertAligned(String what, List<String> table, int rows, int columns) {
        assertThat(table).as(what).hasSize(rows);
        List<Integer> header = null;
        for (String line : table) {
            List<Integer> starts = new ArrayList<>();
            Matcher cell = Pattern.compile("(?<=^|  )\\S").matcher(line);
            while (cell.find()) {
                starts.add(cell.start());
            }
            assertThat(starts).as("%s: cells of '%s'", what, line).hasSize(columns);
            if (header == null) {
                header = starts;
            }
            assertThat(starts).as("%s: columns of '%s'", what, line).isEqualTo(header);
        }
    }

    /** Table rows by their first cell (server rows by address, their header by "->"), cells split on blanks. */
    private static Map<String, List<String>> rows(List<String> lines) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String line : lines) {
            List<String> cells = List.of(line.strip().split(" +"));
            if (cells.get(0).equals("->")) {
                rows.put(cells.get(1).equals("Server") ? "->" : cells.get(1), cells.subList(1, cells.size()));
            } else if (cells.get(0).equals("Listener") || cells.get(0).startsWith("127.0.0.1:")) {
                rows.put(cells.get(0), cells);
            }
        }
        return rows;
    }

    private RawHttp.Response admin(String path, String token) {
        try (RawHttp client = RawHttp.connect(admin)) {
            return client.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n").read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int adminStatus(String path, String token) {
        try {
            return admin(path, token).status();
        } catch (UncheckedIOException e) {
            return -1; // not listening yet
        }
    }

    // ---- the .hlog file, read back by HdrHistogram

    private void assertLatencyLogReadsBack(Path hlog) throws IOException {
        String listenerTag = "listener." + listener + ".request";
        Map<String, Long> totals = new HashMap<>();
        Map<String, Integer> intervals = new HashMap<>();
        double previousStart = -1;
        try (HistogramLogReader reader = new HistogramLogReader(hlog.toFile())) {
            for (Histogram h; (h = (Histogram) reader.nextIntervalHistogram()) != null; ) {
                assertThat(h.getTag()).as("every interval is tagged").isNotNull();
                totals.merge(h.getTag(), h.getTotalCount(), Long::sum);
                intervals.merge(h.getTag(), 1, Integer::sum);
                if (h.getTag().equals(listenerTag)) {
                    assertThat(h.getStartTimeStamp()).as("intervals in order").isGreaterThanOrEqualTo((long) previousStart);
                    assertThat(h.getEndTimeStamp()).isGreaterThanOrEqualTo(h.getStartTimeStamp());
                    previousStart = h.getStartTimeStamp();
                }
            }
        }
        assertThat(totals.keySet()).contains(listenerTag, "upstream.web.request", "upstream.web.response", "upstream.web.connect",
                "server.web." + a.address() + ".request", "server.web." + c.address() + ".request");
        assertThat(totals.get(listenerTag)).as("requests in the log").isEqualTo(requests);
        assertThat(totals.get("upstream.web.request")).isEqualTo(requests);
        assertThat(totals.get("server.web." + a.address() + ".request") + totals.get("server.web." + b.address() + ".request"))
                .isEqualTo(requests);
        assertThat(totals.get("server.web." + c.address() + ".request")).isZero();
        assertThat(intervals.get(listenerTag)).as("one entry a second, the last partial one at the stop").isGreaterThanOrEqualTo(2);

        Path out = dir.resolve("processed");
        new HistogramLogProcessor(new String[] {"-i", hlog.toString(), "-o", out.toString(), "-tag", listenerTag,
            "-outputValueUnitRatio", "1000"}).run();
        List<String> rows = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(rows).contains("Time: IntervalPercentiles:count ( 50% 90% Max ) TotalPercentiles:count "
                + "( 50% 90% 99% 99.9% 99.99% Max )");
        Pattern row = Pattern.compile("\\d+\\.\\d{3}: I:(\\d+) \\( +[\\d.]+ +[\\d.]+ +[\\d.]+ \\) T:(\\d+) \\(.*\\)");
        List<Matcher> matched = rows.stream().map(row::matcher).filter(Matcher::matches).toList();
        assertThat(matched).hasSize(intervals.get(listenerTag));
        assertThat(matched.stream().mapToLong(m -> Long.parseLong(m.group(1))).sum()).isEqualTo(requests);
        assertThat(matched.get(matched.size() - 1).group(2)).isEqualTo(Integer.toString(requests));

        String hgrm = Files.readString(dir.resolve("processed.hgrm"), StandardCharsets.UTF_8);
        assertThat(hgrm).contains("Value     Percentile TotalCount 1/(1-Percentile)")
                .containsPattern("(?m)^ +\\d+\\.\\d{2} 1\\.000000000000 +" + requests + "$")
                .containsPattern("Total count += +" + requests + "]");
        Matcher max = Pattern.compile("#\\[Max += +(\\d+\\.\\d+),").matcher(hgrm);
        assertThat(max.find()).isTrue();
        assertThat(Double.parseDouble(max.group(1))).as("max in milliseconds").isGreaterThan(0).isLessThan(10_000);
    }
}
