package vipgate.lb.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencySeriesTest {
    private final LbMetrics metrics = new LbMetrics();

    @Test
    void everyThreadsRecordingsAreMergedIntoTheTotal() throws InterruptedException {
        LatencySeries series = metrics.listener("127.0.0.1:80").requestTime();
        Thread[] writers = new Thread[3];
        for (int t = 0; t < writers.length; t++) {
            int base = t + 1;
            writers[t] = new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    series.recordNanos(TimeUnit.MILLISECONDS.toNanos(base));
                }
            });
            writers[t].start();
        }
        for (Thread w : writers) {
            w.join();
        }
        Histogram total = metrics.distribution("listener.127.0.0.1:80.request").orElseThrow().total();
        assertThat(total.getTotalCount()).isEqualTo(3000);
        assertThat(total.getCountBetweenValues(990, 1010)).isEqualTo(1000);
        assertThat(total.getCountBetweenValues(2980, 3020)).isEqualTo(1000);
    }

    @Test
    void theIntervalHoldsOnlyWhatTheLastRollSawWhileTheTotalKeepsEverything() {
        LatencySeries series = metrics.listener("a").requestTime();
        series.recordNanos(1_000_000);
        series.recordNanos(1_000_000);
        List<LbMetrics.Distribution> first = metrics.roll();
        assertThat(first).singleElement().satisfies(d -> {
            assertThat(d.name()).isEqualTo("listener.a.request");
            assertThat(d.interval().getTotalCount()).isEqualTo(2);
        });
        series.recordNanos(5_000_000);
        // before the next roll, the percentiles still read the last completed interval
        assertThat(metrics.distribution("listener.a.request").orElseThrow().interval().getTotalCount()).isEqualTo(2);
        metrics.roll();
        LbMetrics.Distribution d = metrics.distribution("listener.a.request").orElseThrow();
        assertThat(d.interval().getTotalCount()).isEqualTo(1);
        assertThat(d.interval().getMaxValue()).isBetween(4950L, 5050L);
        assertThat(d.total().getTotalCount()).isEqualTo(3);
        assertThat(d.interval().getEndTimeStamp()).isGreaterThanOrEqualTo(d.interval().getStartTimeStamp());
    }

    @Test
    void anUpstreamsLatencyIsTheMergeOfItsServersAndListedBeforeThem() {
        UpstreamMetrics web = metrics.upstream("web");
        web.server("10.0.0.1:80").responseTime().recordNanos(1_000_000);
        web.server("10.0.0.2:80").responseTime().recordNanos(3_000_000);
        web.server("10.0.0.2:80").responseTime().recordNanos(3_000_000);
        List<String> names = metrics.distributions().stream().map(LbMetrics.Distribution::name).toList();
        assertThat(names).containsSubsequence("upstream.web.response", "server.web.10.0.0.1:80.response",
                "server.web.10.0.0.2:80.response");
        LbMetrics.Distribution merged = metrics.distribution("upstream.web.response").orElseThrow();
        assertThat(merged.total().getTotalCount()).isEqualTo(3);
        assertThat(merged.key().labels()).containsExactly(java.util.Map.entry("upstream", "web"));
        assertThat(metrics.distribution("server.web.10.0.0.2:80.response").orElseThrow().key().labels())
                .containsEntry("upstream", "web").containsEntry("server", "10.0.0.2:80");
    }

    @Test
    void aReloadForgetsRemovedServersAndKeepsTheOthersCounting() {
        metrics.upstream("web").server("10.0.0.1:80").responses().count(200);
        metrics.upstream("web").server("10.0.0.2:80").responses().count(200);
        metrics.upstream("old").server("10.0.0.9:80").responses().count(200);
        metrics.listener("0.0.0.0:80");
        metrics.listener("0.0.0.0:81");
        metrics.retain(java.util.Set.of("0.0.0.0:80"), java.util.Map.of("web", java.util.Set.of("10.0.0.1:80")));
        assertThat(metrics.upstreams()).extracting(UpstreamMetrics::name).containsExactly("web");
        assertThat(metrics.upstream("web").servers()).extracting(ServerMetrics::server).containsExactly("10.0.0.1:80");
        assertThat(metrics.upstream("web").server("10.0.0.1:80").responses().get(2)).isEqualTo(1);
        assertThat(metrics.listeners()).extracting(ListenerMetrics::address).containsExactly("0.0.0.0:80");
    }

    @Test
    void statusClassesCountOnlyRealStatusCodes() {
        StatusClasses s = new StatusClasses();
        s.count(200);
        s.count(204);
        s.count(499);
        s.count(502);
        s.count(0);
        s.count(600);
        assertThat(new long[] {s.get(1), s.get(2), s.get(3), s.get(4), s.get(5)}).containsExactly(0, 2, 0, 1, 1);
    }
}
