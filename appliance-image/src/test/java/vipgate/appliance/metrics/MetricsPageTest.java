package vipgate.appliance.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vipgate.config.Binding;
import vipgate.config.ConfigLoader;
import vipgate.ipvs.netlink.KernelService;
import vipgate.ipvs.netlink.Protocol;
import vipgate.ipvs.netlink.Service;
import vipgate.ipvs.netlink.ServiceEntry;
import vipgate.ipvs.netlink.ServiceKey;
import vipgate.ipvs.netlink.Stats;
import vipgate.lb.LbEngine;
import vipgate.lb.config.LbConfig;
import vipgate.stream.metrics.StreamMetrics;
import vipgate.testkit.FreePort;

class MetricsPageTest {
    private LbEngine lb;

    @AfterEach
    void stop() {
        if (lb != null) {
            lb.shutdown(java.time.Duration.ZERO);
        }
    }

    @Test
    void anAddressListedTwiceInOneUpstreamIsOneSeries() {
        // nginx accepts the same server twice (here as primary and backup); the page must stay valid
        start("[ { address = \"127.0.0.1:1\", weight = 2 }, { address = \"127.0.0.1:1\", backup = true } ]");
        PrometheusExposition page = PrometheusExposition.parse(MetricsPage.render(lb, Optional.empty(), List.of(), Optional.empty()));
        assertThat(page.samples("vipgate_lb_upstream_server_up")).singleElement()
                .satisfies(s -> assertThat(s.labels()).containsEntry("server", "127.0.0.1:1"));
        assertThat(page.value("vipgate_lb_upstream_effective_weight", "upstream", "web", "server", "127.0.0.1:1")).isEqualTo(3);
    }

    @Test
    void theIpvsSectionIsThereOnlyWithAnIpvsEngine() throws Exception {
        start("[ { address = \"127.0.0.1:1\" } ]");

        String without = MetricsPage.render(lb, Optional.empty(), List.of(), Optional.empty());
        assertThat(without).doesNotContain("vipgate_ipvs");
        assertThat(PrometheusExposition.parse(without).families()).containsKey("vipgate_lb_connections_active");

        ServiceKey web = ServiceKey.of(Protocol.TCP, java.net.InetAddress.getByName("192.0.2.130"), 80);
        List<KernelService> table = List.of(new KernelService(new ServiceEntry(Service.of(web, "wlc"),
                new Stats(12, 0, 0, 0, 0, 0, 0, 0, 0, 0)), List.of()));
        String with = MetricsPage.render(lb, Optional.empty(), List.of(), Optional.of(new IpvsMetrics(() -> table)));
        PrometheusExposition page = PrometheusExposition.parse(with);
        assertThat(page.value("vipgate_ipvs_connections_total", "service", "TCP 192.0.2.130:80")).isEqualTo(12);
        // after the engines' families, before the process' own
        List<String> names = List.copyOf(page.families().keySet());
        assertThat(names.indexOf("vipgate_ipvs_connections_total")).isGreaterThan(names.indexOf("vipgate_lb_access_log_lines_total"));
        assertThat(names.indexOf("vipgate_ipvs_scrape_errors_total")).isLessThan(names.indexOf("process_start_time_seconds"));
    }

    @Test
    void theStreamSectionHasEachListenerAndServerAndOnlyComesWithAStreamEngine() {
        start("[ { address = \"127.0.0.1:1\" } ]");
        assertThat(MetricsPage.render(lb, Optional.empty(), List.of(), Optional.empty())).doesNotContain("vipgate_stream");
        StreamMetrics stream = new StreamMetrics();
        var listener = stream.listener("0.0.0.0:6379");
        listener.sessionStarted();
        listener.received(10);
        listener.sent(20);
        var server = stream.server("redis", "10.0.0.1:6379");
        server.connected(1_500_000);
        server.connectFailed();
        server.sentToServer(10);
        PrometheusExposition page = PrometheusExposition.parse(MetricsPage.render(lb, Optional.of(stream), List.of(),
                Optional.empty()));
        assertThat(page.value("vipgate_stream_sessions_active", "listener", "0.0.0.0:6379")).isEqualTo(1);
        assertThat(page.value("vipgate_stream_received_bytes_total", "listener", "0.0.0.0:6379")).isEqualTo(10);
        assertThat(page.value("vipgate_stream_sent_bytes_total", "listener", "0.0.0.0:6379")).isEqualTo(20);
        assertThat(page.value("vipgate_stream_server_connect_failures_total", "upstream", "redis", "server", "10.0.0.1:6379"))
                .isEqualTo(1);
        assertThat(page.value("vipgate_stream_server_connect_duration_seconds_count", "upstream", "redis", "server",
                "10.0.0.1:6379")).isEqualTo(1);
        assertThat(page.value("vipgate_stream_server_connect_duration_seconds_bucket", "upstream", "redis", "server",
                "10.0.0.1:6379", "le", "0.001")).isZero();
        assertThat(page.value("vipgate_stream_server_connect_duration_seconds_bucket", "upstream", "redis", "server",
                "10.0.0.1:6379", "le", "0.0025")).isEqualTo(1);
    }

    /** An lb engine with one listener whose location goes to upstream "web" of {@code servers}. */
    private void start(String servers) {
        LbConfig config = Binding.bind(ConfigLoader.parseString("""
                vipgate.lb {
                  upstreams.web.servers = %s
                  servers = [ { listen = "127.0.0.1:%d", locations = [ { path = "/", upstream = web } ] } ]
                }
                """.formatted(servers, FreePort.tcp()), "test.conf"), LbConfig::bind, "vipgate", "lb");
        lb = LbEngine.start(config);
    }
}
