package vipgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Keep-alive GET load from a few client threads, bounded by a request count and a duration, counting every
 * outcome: responses by status and by body (which node answered), failures by exception. Each thread keeps
 * one connection open and reconnects only when the server closed it (Connection: close, or EOF between
 * responses) or after an error. Plain sockets ({@link RawHttp}), so no client library retries anything and
 * every failure the proxy lets through is seen.
 *
 * <pre>{@code
 * HttpLoad load = HttpLoad.get(port, "/").threads(4).duration(Duration.ofSeconds(3)).start();
 * ... disturb the system ...
 * HttpLoad.Result r = load.await();
 * assertThat(r.failures()).isZero();
 * }</pre>
 */
public final class HttpLoad {
    private final int port;
    private final String path;
    private String host = "localhost";
    private int threads = 4;
    private Duration duration = Duration.ofSeconds(3);
    private long maxRequests = Long.MAX_VALUE;
    private Duration readTimeout = Duration.ofSeconds(10);

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong issued = new AtomicLong();
    private final LongAdder completed = new LongAdder();
    private final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byBody = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final List<String> errorSamples = java.util.Collections.synchronizedList(new ArrayList<>());
    private final LongAdder connections = new LongAdder();
    private final List<Thread> workers = new ArrayList<>();
    private long deadlineNanos;

    private HttpLoad(int port, String path) {
        this.port = port;
        this.path = path;
    }

    /** GET {@code path} from 127.0.0.1:port. */
    public static HttpLoad get(int port, String path) {
        return new HttpLoad(port, path);
    }

    public HttpLoad host(String host) {
        this.host = host;
        return this;
    }

    public HttpLoad threads(int threads) {
        this.threads = threads;
        return this;
    }

    /** Stop issuing requests after this long (requests under way finish). */
    public HttpLoad duration(Duration duration) {
        this.duration = duration;
        return this;
    }

    /** Stop after this many requests in all. */
    public HttpLoad maxRequests(long maxRequests) {
        this.maxRequests = maxRequests;
        return this;
    }

    public HttpLoad readTimeout(Duration readTimeout) {
        this.readTimeout = readTimeout;
        return this;
    }

    public synchronized HttpLoad start() {
        if (!workers.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        deadlineNanos = System.nanoTime() + duration.toNanos();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::run, "http-load-" + port + "-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        return this;
    }

    /** Responses and failures so far. */
    public long completed() {
        return completed.sum();
    }

    /** Waits for the load to end by itself (count or duration) and returns what happened. */
    public Result await() {
        long bound = duration.toMillis() + readTimeout.toMillis() + 5_000;
        for (Thread t : workers) {
            try {
                t.join(bound);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (t.isAlive()) {
                stop.set(true);
                throw new AssertionError(t.getName() + " still running " + bound + " ms after the load should have ended");
            }
        }
        return result();
    }

    /** Stops issuing requests now and waits for those under way. */
    public Result stop() {
        stop.set(true);
        return await();
    }

    private void run() {
        RawHttp conn = null;
        try {
            while (!stop.get() && System.nanoTime() - deadlineNanos < 0) {
                if (issued.incrementAndGet() > maxRequests) {
                    break;
                }
                try {
                    if (conn == null) {
                        conn = RawHttp.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port),
                                readTimeout);
                        connections.increment();
                    }
                    RawHttp.Response r = conn.get(path, host);
                    byStatus.computeIfAbsent(r.status(), s -> new LongAdder()).increment();
                    String body = r.bodyText();
                    int nl = body.indexOf('\n');
                    byBody.computeIfAbsent(nl >= 0 ? body.substring(0, nl) : body, b -> new LongAdder()).increment();
                    if (r.closes() || "HTTP/1.0".equals(r.version())) {
                        conn.close();
                        conn = null;
                    }
                } catch (IOException | UncheckedIOException e) {
                    String key = e.getClass().getSimpleName();
                    errors.computeIfAbsent(key, k -> new LongAdder()).increment();
                    if (errorSamples.size() < 20) {
                        errorSamples.add(key + ": " + e.getMessage());
                    }
                    if (conn != null) {
                        conn.close();
                        conn = null;
                    }
                }
                completed.increment();
            }
        } finally {
            if (conn != null) {
                conn.close();
            }
        }
    }

    private Result result() {
        Map<Integer, Long> statuses = new TreeMap<>();
        byStatus.forEach((k, v) -> statuses.put(k, v.sum()));
        Map<String, Long> bodies = new TreeMap<>();
        byBody.forEach((k, v) -> bodies.put(k, v.sum()));
        Map<String, Long> errs = new TreeMap<>();
        errors.forEach((k, v) -> errs.put(k, v.sum()));
        return new Result(completed.sum(), statuses, bodies, errs, List.copyOf(errorSamples), connections.sum());
    }

    /**
     * What the load saw.
     *
     * @param total       requests that ended (a response or an error)
     * @param byStatus    responses per status code
     * @param byBody      responses per first body line
     * @param errors      failures without a response, per exception type
     * @param errorSample the first few error messages
     * @param connections connections opened
     */
    public record Result(long total, Map<Integer, Long> byStatus, Map<String, Long> byBody, Map<String, Long> errors,
            List<String> errorSample, long connections) {

        /** Responses with a 2xx status. */
        public long successes() {
            return byStatus.entrySet().stream().filter(e -> e.getKey() / 100 == 2).mapToLong(Map.Entry::getValue).sum();
        }

        /** Everything else: non-2xx responses and errors. */
        public long failures() {
            return total - successes();
        }

        @Override
        public String toString() {
            return total + " requests over " + connections + " connections: statuses " + byStatus + ", bodies " + byBody
                    + (errors.isEmpty() ? "" : ", errors " + errors + " e.g. " + errorSample);
        }
    }
}
