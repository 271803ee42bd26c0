package vipgate.lb.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LineQueueTest {
    /** 52 characters: with the per-line overhead, 100 bytes. */
    private static final String LINE = "x".repeat(100 - LineQueue.LINE_OVERHEAD);

    @Test
    void theBoundIsBytesIncludingEachLinesOverheadAndPollingFreesThem() {
        LineQueue q = new LineQueue(1000);
        for (int i = 0; i < 10; i++) {
            assertThat(q.offer(LINE)).as("line %d", i).isTrue();
        }
        assertThat(q.offer(LINE)).as("the 11th line would exceed 1000 bytes").isFalse();
        assertThat(q.offer("")).as("even an empty line costs its overhead").isFalse();
        assertThat(q.poll()).isEqualTo(LINE);
        assertThat(q.offer(LINE)).as("room again").isTrue();
    }

    @Test
    void aLargerLimitTakesEffectForTheNextOffer() {
        LineQueue q = new LineQueue(100);
        assertThat(q.offer(LINE)).isTrue();
        assertThat(q.offer(LINE)).isFalse();
        q.limit(200);
        assertThat(q.offer(LINE)).isTrue();
        assertThat(q.poll()).isEqualTo(LINE);
        assertThat(q.poll()).isEqualTo(LINE);
        assertThat(q.poll()).isNull();
    }
}
