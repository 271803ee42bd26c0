package vipgate.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Histogram latencies = new Histogram(TimeUnit.HOURS.toNanos(1), 3);

    /**
     * One connection due every 1 ms for 1 s, served in 0.1 ms except one 100 ms stall, driven the way {@link Connection}
     * drives it (send when due or at once when late, one request in flight). A closed-loop client would record one slow
     * request; counted from the due times, the ~100 requests queued behind the stall are slow too, from ~100 ms down.
     */
    @Test
    void aStallCountsForEveryRequestThatWasDueDuringIt() {
        Schedule schedule = new Schedule(0, MS, 0, 1000 * MS);
        long now = 0;
        int sent = 0;
        while (!schedule.exhausted()) {
            now = Math.max(now, schedule.due());
            schedule.sent();
            now += sent++ == 500 ? 100 * MS : MS / 10;
            assertThat(schedule.answered(now, latencies)).isTrue();
        }

        assertThat(latencies.getTotalCount()).isEqualTo(1000);
        assertThat(latencies.getMaxValue() / 1e6).isCloseTo(100.1, within(0.2));
        // the stall's backlog drains at 0.9 ms per request: ~111 requests late by more than 1 ms (~11% > p89)
        assertThat(latencies.getCountBetweenValues(MS, TimeUnit.HOURS.toNanos(1))).isBetween(105L, 115L);
        assertThat(latencies.getValueAtPercentile(50) / 1e6).isCloseTo(0.1, within(0.01));
        assertThat(latencies.getValueAtPercentile(95) / 1e6).isGreaterThan(40);
    }

    @Test
    void warmUpRequestsAreNotRecordedAndNoneIsDueAfterTheWindow() {
        Schedule schedule = new Schedule(0, 10 * MS, 25 * MS, 55 * MS);
        int sent = 0;
        while (!schedule.exhausted()) {
            schedule.sent();
            boolean recorded = schedule.answered(schedule.due(), latencies);
            assertThat(recorded).isEqualTo(sent >= 3); // due at 0, 10, 20 ms: warm-up
            sent++;
        }
        assertThat(sent).isEqualTo(6); // 0..50 ms; 60 ms is past the window
        assertThat(latencies.getTotalCount()).isEqualTo(3);
    }

    @Test
    void unansweredCountsTheRequestInFlightAndTheDueOnesNeverSent() {
        Schedule schedule = new Schedule(0, 10 * MS, 25 * MS, 75 * MS); // due in the window: 30, 40, 50, 60, 70 ms
        assertThat(schedule.unfinished()).isEqualTo(5);
        for (int i = 0; i < 3; i++) { // 0, 10, 20 ms: warm-up, answered
            schedule.sent();
            assertThat(schedule.answered(schedule.due(), latencies)).isFalse();
        }
        schedule.sent(); // 30 ms, then the server hangs
        assertThat(schedule.unfinished()).isEqualTo(1 + 4);
        assertThat(schedule.lost()).isTrue(); // its connection dies: an error inside the window
        assertThat(schedule.skip()).isTrue(); // 40 ms could not be sent (reconnecting): another one
        assertThat(schedule.unfinished()).isEqualTo(3);
    }

    @Test
    void theRequestLineAndHostHeaderFollowTheUrl() {
        Options o = Options.parse(new String[] {"rate", "--url", "http://127.0.0.1:8080/a?b=1", "--rate", "100"});
        assertThat(o.request()).isEqualTo("GET /a?b=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
        assertThat(o.connections()).isEqualTo(50);
        assertThat(Options.nanos("500ms")).isEqualTo(500 * MS);
        assertThat(Options.nanos("2m")).isEqualTo(TimeUnit.MINUTES.toNanos(2));
    }
}
