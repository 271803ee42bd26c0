package vipgate.bench.loadgen;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** What the connections of one event loop counted; written by that loop only, read once the loops have stopped. */
final class Stats {

    /** Latency from the due time in nanoseconds, up to an hour, 3 significant digits (wrk2 keeps the same). */
    final Histogram latencies = new Histogram(TimeUnit.HOURS.toNanos(1), 3);
    /** Answers to requests due inside the window, by status class. */
    long ok;
    long non2xx;
    /** Requests due inside the window that failed: not sent (no connection), lost with their connection, garbled. */
    long errors;
    /** Failures of requests due in the warm-up, reported apart so that they are not hidden. */
    long warmupErrors;
    /** Every answer, warm-up included: what the proxy served while its CPU time was measured. */
    long answeredTotal;
    /** When the last answer to a request due inside the window arrived (nanoTime); 0 if none did. */
    long lastAnswer;

    void add(Stats other) {
        latencies.add(other.latencies);
        ok += other.ok;
        non2xx += other.non2xx;
        errors += other.errors;
        warmupErrors += other.warmupErrors;
        answeredTotal += other.answeredTotal;
        lastAnswer = Math.max(lastAnswer, other.lastAnswer);
    }

    void failed(boolean inWindow) {
        if (inWindow) {
            errors++;
        } else {
            warmupErrors++;
        }
    }
}
