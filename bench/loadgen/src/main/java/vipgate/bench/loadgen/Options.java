package vipgate.bench.loadgen;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The command line of both modes, {@code --name value} pairs after the mode. */
record Options(String mode, URI url, int connections, double rate, long durationNanos, long warmupNanos, int threads,
        long timeoutNanos, Path hlog, int sources, int concurrency) {

    private static final Set<String> RATE_KEYS = Set.of("url", "connections", "rate", "duration", "warmup", "threads",
            "timeout", "hlog");
    private static final Set<String> IDLE_KEYS = Set.of("url", "connections", "sources", "concurrency");

    static final String USAGE = """
            Usage:
              java -jar loadgen.jar rate --url URL --rate R [--connections 50] [--duration 30s] [--warmup 5s]
                                         [--threads 1] [--timeout 10s] [--hlog FILE]
              java -jar loadgen.jar idle --url URL [--connections 10000] [--sources N] [--concurrency 256]

            rate: R requests/s in total over N keep-alive HTTP/1.1 connections, each sending on its own open-loop
              schedule (one request in flight per connection). Latency is counted from when a request was due, not
              from when it could be sent (wrk2's coordinated-omission correction) and recorded in an HdrHistogram:
              only requests due after the warm-up and before its end are recorded; those due in the window are all
              sent, late if need be, and their answers awaited for at most --timeout after the window. Prints a
              summary and a RESULT line of key=value pairs (latencies in ms); --hlog also writes the histogram
              (one interval, nanoseconds) for HistogramLogProcessor / HistogramLogAnalyzer.
            idle: opens N keep-alive connections (--concurrency at a time), sends one request on each, then holds
              them open and silent; prints a READY line when all are answered and holds until SIGTERM/SIGINT.
              --sources spreads the connections over the loopback source addresses 127.0.0.1..127.0.0.N (a loopback
              --url only), for more than the ~28k ephemeral ports of one address (default: one per 10,000).
            Durations: 500ms, 30s, 2m (a bare number is seconds).
            """;

    static Options parse(String[] args) {
        if (args.length == 0 || !(args[0].equals("rate") || args[0].equals("idle"))) {
            throw new IllegalArgumentException("the first argument is the mode: rate or idle");
        }
        String mode = args[0];
        Set<String> allowed = mode.equals("rate") ? RATE_KEYS : IDLE_KEYS;
        Map<String, String> v = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            String key = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException("unknown option for " + mode + ": " + args[i]);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            v.put(key, args[i + 1]);
        }
        if (!v.containsKey("url")) {
            throw new IllegalArgumentException("--url is required, e.g. --url http://127.0.0.1:8080/");
        }
        URI url = URI.create(v.get("url"));
        if (!"http".equals(url.getScheme()) || url.getHost() == null) {
            throw new IllegalArgumentException("--url must be http://HOST[:PORT]/PATH, not " + url);
        }
        int connections = positive(v, "connections", mode.equals("rate") ? 50 : 10_000);
        double rate = 0;
        if (mode.equals("rate")) {
            if (!v.containsKey("rate")) {
                throw new IllegalArgumentException("--rate (requests/s in total) is required");
            }
            rate = Double.parseDouble(v.get("rate"));
            if (!(rate > 0)) {
                throw new IllegalArgumentException("--rate must be > 0");
            }
        }
        int sources = positive(v, "sources", (connections + 9_999) / 10_000);
        if (sources > 1 && !url.getHost().startsWith("127.")) {
            throw new IllegalArgumentException("--sources spreads over 127.0.0.x and needs a loopback --url");
        }
        return new Options(mode, url, connections, rate, nanos(v.getOrDefault("duration", "30s")),
                nanos(v.getOrDefault("warmup", "5s")), positive(v, "threads", 1),
                nanos(v.getOrDefault("timeout", "10s")), v.containsKey("hlog") ? Path.of(v.get("hlog")) : null,
                sources, positive(v, "concurrency", 256));
    }

    String host() {
        return url.getHost();
    }

    int port() {
        return url.getPort() > 0 ? url.getPort() : 80;
    }

    /** The bytes of the one request both modes send, with the Host header wrk sends. */
    String request() {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        String host = url.getPort() > 0 ? url.getHost() + ":" + url.getPort() : url.getHost();
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    }

    static long nanos(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return TimeUnit.MILLISECONDS.toNanos(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("m")) {
                return TimeUnit.MINUTES.toNanos(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            return TimeUnit.SECONDS.toNanos(Long.parseLong(t.endsWith("s") ? t.substring(0, t.length() - 1) : t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: " + text + " (write 500ms, 30s or 2m)");
        }
    }

    private static int positive(Map<String, String> v, String key, int fallback) {
        int n = v.containsKey(key) ? Integer.parseInt(v.get(key)) : fallback;
        if (n <= 0) {
            throw new IllegalArgumentException("--" + key + " must be > 0");
        }
        return n;
    }
}
