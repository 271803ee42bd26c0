import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Turns the recordings of {@code bench/run --profile DIR} into the tables of bench/PROFILE.md: CPU per request by
 * thread (from /proc, the .threads.start/.threads.end files beside each .jfr), the event loops' Java samples by area
 * of the proxy, their hottest methods, and bytes allocated per request with the top allocation sites.
 *
 * <p>Usage: {@code java bench/jfr/Breakdown.java DIR/vipgate.pinned.round*.jfr} (several recordings are summed).
 */
public final class Breakdown {
    /** Areas by class name prefix, checked in order on each frame from the top of a stack; null: not decisive. */
    private static final String[][] AREAS = {
            {"org.HdrHistogram.", "metrics, histograms"},
            {"vipgate.lb.metrics.", "metrics, histograms"},
            {"vipgate.lb.log.", "access log"},
            {"vipgate.transport.timer.", "timers"},
            {"io.netty.util.HashedWheelTimer", "timers"},
            {"io.netty.util.concurrent.ScheduledFutureTask", "timers"},
            {"io.netty.util.concurrent.AbstractScheduledEventExecutor", "timers"},
            {"io.netty.util.internal.DefaultPriorityQueue", "timers"},
            {"vipgate.lb.route.", "routing, balancing"},
            {"vipgate.balance.", "routing, balancing"},
            {"vipgate.lb.pool.", "upstream pool"},
            {"vipgate.lb.proxy.UpstreamPool", "upstream pool"},
            {"vipgate.lb.proxy.UpstreamConnector", "upstream pool"},
            {"vipgate.lb.http.StrictRequestDecoder", "HTTP decode"},
            {"vipgate.lb.proxy.UpstreamCodec$Decoder", "HTTP decode"},
            {"io.netty.handler.codec.http.HttpObjectDecoder", "HTTP decode"},
            {"io.netty.handler.codec.http.HttpRequestDecoder", "HTTP decode"},
            {"io.netty.handler.codec.http.HttpResponseDecoder", "HTTP decode"},
            {"io.netty.handler.codec.http.HttpHeaderValidationUtil", "HTTP decode"},
            {"io.netty.handler.codec.ByteToMessageDecoder", "HTTP decode"},
            {"vipgate.lb.proxy.UpstreamCodec$Encoder", "HTTP encode"},
            {"vipgate.lb.proxy.ProxyResponseEncoder", "HTTP encode"},
            {"io.netty.handler.codec.http.HttpObjectEncoder", "HTTP encode"},
            {"io.netty.handler.codec.http.HttpRequestEncoder", "HTTP encode"},
            {"io.netty.handler.codec.http.HttpResponseEncoder", "HTTP encode"},
            {"io.netty.handler.codec.http.HttpHeadersEncoder", "HTTP encode"},
            {"io.netty.handler.codec.MessageToMessageEncoder", "HTTP encode"},
            {"vipgate.lb.http.", "header copying, rules, request checks"},
            {"vipgate.lb.proxy.ForwardHeaders", "header copying, rules, request checks"},
            {"vipgate.lb.proxy.RequestCheck", "header copying, rules, request checks"},
            {"vipgate.lb.proxy.", "exchange logic"},
            {"vipgate.", "other vipgate"},
            {"io.netty.channel.uring.", "Netty I/O (transport)"},
            {"io.netty.channel.epoll.", "Netty I/O (transport)"},
            {"io.netty.channel.nio.", "Netty I/O (transport)"},
            {"io.netty.channel.unix.", "Netty I/O (transport)"},
            {"io.netty.channel.", "Netty pipeline, outbound buffer"},
            {"io.netty.buffer.", "Netty buffers"},
            {"io.netty.util.Recycler", "Netty buffers"},
            {"io.netty.util.ReferenceCountUtil", "Netty buffers"},
            {"io.netty.util.concurrent.", "Netty event loop, promises"},
    };
    /** Header map classes: their cost goes to the area that called them, "header copying" when that is the exchange. */
    private static final String[] HEADER_MAPS = {"io.netty.handler.codec.DefaultHeaders", "io.netty.handler.codec.http.DefaultHttpHeaders",
            "io.netty.handler.codec.http.HttpHeaders", "io.netty.handler.codec.http.CombinedHttpHeaders"};
    private static final String HEADER_COPY = "header copying, rules, request checks";
    private static final String JDK_ONLY = "JDK only (no proxy frame in the stack)";

    private long requests;
    private final Map<Long, long[]> ticks = new HashMap<>(); // tid -> utime, stime deltas (summed over recordings)
    private final Map<Long, String> threadNames = new HashMap<>();
    private long clkTck = 100;
    private final Map<String, Long> areaSamples = new HashMap<>();
    private final Map<String, Long> selfSamples = new HashMap<>();
    private final Map<String, Long> nativeSamples = new HashMap<>();
    private long loopSamples;
    private final Map<String, Long> allocClass = new HashMap<>();
    private final Map<String, Long> allocSite = new HashMap<>();
    private final Map<String, Long> allocArea = new HashMap<>();
    private long allocSampledBytes;
    private long loopAllocatedBytes;
    private long tlabEvents;
    private long tlabBytes;
    private long outsideTlabEvents;
    private long outsideTlabBytes;

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: java bench/jfr/Breakdown.java DIR/vipgate.PHASE.roundN.jfr ...");
            System.exit(2);
        }
        Breakdown b = new Breakdown();
        for (String a : args) {
            b.read(Path.of(a));
        }
        b.print();
    }

    private static boolean eventLoop(String name) {
        return name.startsWith("vipgate-lb-") && !name.startsWith("vipgate-lb-warmup");
    }

    private void read(Path jfr) throws IOException {
        String base = jfr.toString().replaceFirst("\\.jfr$", "");
        for (String kv : Files.readString(Path.of(base + ".meta")).trim().split(" ")) {
            if (kv.startsWith("requests=")) {
                requests += Long.parseLong(kv.substring(9));
            } else if (kv.startsWith("clk_tck=")) {
                clkTck = Long.parseLong(kv.substring(8));
            }
        }
        Map<Long, long[]> start = threadTicks(Path.of(base + ".threads.start"));
        Map<Long, long[]> end = threadTicks(Path.of(base + ".threads.end"));
        end.forEach((tid, e) -> {
            long[] s = start.getOrDefault(tid, new long[2]);
            long[] sum = ticks.computeIfAbsent(tid, k -> new long[2]);
            sum[0] += e[0] - s[0];
            sum[1] += e[1] - s[1];
        });
        Map<Long, Long> firstAllocated = new HashMap<>();
        Map<Long, Long> lastAllocated = new HashMap<>();
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        events.sort(Comparator.comparing(RecordedEvent::getStartTime));
        // A thread's first allocation sample weighs all it allocated since its previous sample, before the recording
        // (the warm-up): left out.
        Map<Long, Boolean> sampledBefore = new HashMap<>();
        for (RecordedEvent e : events) {
            switch (e.getEventType().getName()) {
                case "jdk.ExecutionSample" -> {
                    if (e.getThread("sampledThread") != null && eventLoop(e.getThread("sampledThread").getJavaName())
                            && e.getStackTrace() != null) {
                        List<RecordedFrame> frames = e.getStackTrace().getFrames();
                        loopSamples++;
                        areaSamples.merge(area(frames), 1L, Long::sum);
                        if (!frames.isEmpty()) {
                            selfSamples.merge(method(frames.get(0)), 1L, Long::sum);
                        }
                    }
                }
                case "jdk.NativeMethodSample" -> {
                    if (e.getThread("sampledThread") != null && eventLoop(e.getThread("sampledThread").getJavaName())
                            && e.getStackTrace() != null && !e.getStackTrace().getFrames().isEmpty()) {
                        nativeSamples.merge(method(e.getStackTrace().getFrames().get(0)), 1L, Long::sum);
                    }
                }
                case "jdk.ObjectAllocationSample" -> {
                    if (e.getThread() != null && eventLoop(e.getThread().getJavaName())
                            && sampledBefore.put(e.getThread().getJavaThreadId(), true) != null) {
                        long w = e.getLong("weight");
                        allocSampledBytes += w;
                        allocClass.merge(e.getClass("objectClass").getName(), w, Long::sum);
                        List<RecordedFrame> frames = e.getStackTrace() == null ? List.of() : e.getStackTrace().getFrames();
                        allocSite.merge(site(frames), w, Long::sum);
                        allocArea.merge(area(frames), w, Long::sum);
                    }
                }
                case "jdk.ObjectAllocationInNewTLAB" -> {
                    if (e.getThread() != null && eventLoop(e.getThread().getJavaName())) {
                        tlabEvents++;
                        tlabBytes += e.getLong("tlabSize");
                    }
                }
                case "jdk.ObjectAllocationOutsideTLAB" -> {
                    if (e.getThread() != null && eventLoop(e.getThread().getJavaName())) {
                        outsideTlabEvents++;
                        outsideTlabBytes += e.getLong("allocationSize");
                    }
                }
                case "jdk.ThreadAllocationStatistics" -> {
                    if (e.getThread("thread") != null && eventLoop(e.getThread("thread").getJavaName())) {
                        long tid = e.getThread("thread").getJavaThreadId();
                        firstAllocated.merge(tid, e.getLong("allocated"), Math::min);
                        lastAllocated.merge(tid, e.getLong("allocated"), Math::max);
                    }
                }
                default -> {
                }
            }
        }
        lastAllocated.forEach((tid, last) -> loopAllocatedBytes += last - firstAllocated.get(tid));
    }

    private Map<Long, long[]> threadTicks(Path file) throws IOException {
        Map<Long, long[]> m = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split("\t");
            if (f.length < 4) {
                continue; // a thread that ended while being read
            }
            long tid = Long.parseLong(f[0]);
            threadNames.put(tid, f[1]);
            m.put(tid, new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
        }
        return m;
    }

    /** The area of a stack: the first decisive frame from the top; a header map's cost goes to its caller's area. */
    static String area(List<RecordedFrame> frames) {
        boolean headers = false;
        for (RecordedFrame f : frames) {
            if (!f.isJavaFrame()) {
                continue;
            }
            String type = f.getMethod().getType().getName();
            for (String h : HEADER_MAPS) {
                if (type.startsWith(h)) {
                    headers = true;
                }
            }
            for (String[] a : AREAS) {
                if (type.startsWith(a[0])) {
                    return headers && a[1].equals("exchange logic") ? HEADER_COPY : a[1];
                }
            }
        }
        return JDK_ONLY;
    }

    /**
     * An allocation site: the first frame outside the JDK and Netty's internals (with the JDK frame it called, if
     * any) and its two callers.
     */
    private static String site(List<RecordedFrame> frames) {
        for (int i = 0; i < frames.size(); i++) {
            String type = frames.get(i).getMethod().getType().getName();
            if (!(type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.")
                    || type.startsWith("io.netty.util.internal."))) {
                StringBuilder b = new StringBuilder(method(frames.get(i))).append(':').append(frames.get(i).getLineNumber());
                if (i > 0) {
                    b.append(" (").append(method(frames.get(i - 1))).append(')');
                }
                for (int c = i + 1; c < Math.min(i + 3, frames.size()); c++) {
                    b.append(" < ").append(method(frames.get(c)));
                }
                return b.toString();
            }
        }
        return frames.isEmpty() ? "(no stack)" : method(frames.get(0));
    }

    private static String method(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }

    private void print() {
        double perReq = 1e6 / clkTck / requests; // µs of CPU per request for one tick
        System.out.printf("Requests in the recorded runs: %,d%n%n", requests);

        System.out.println("CPU per request by thread (utime + stime from /proc, µs):");
        System.out.println();
        System.out.println("| threads | user µs/req | kernel µs/req | total µs/req | share |");
        System.out.println("|---|---:|---:|---:|---:|");
        Map<String, long[]> groups = new LinkedHashMap<>();
        for (String g : List.of("event loops (vipgate-lb-*)", "accept loop", "JIT compilers", "GC and safepoints (VM Thread, GC threads)",
                "JFR (the recording itself)", "other")) {
            groups.put(g, new long[2]);
        }
        long total = 0;
        for (var e : ticks.entrySet()) {
            String name = threadNames.getOrDefault(e.getKey(), "?");
            String g = eventLoop(name) ? "event loops (vipgate-lb-*)"
                    : name.startsWith("vipgate-accept") ? "accept loop"
                    : name.matches("C[12] Compiler.*") ? "JIT compilers"
                    : name.startsWith("VM Thread") || name.startsWith("GC Thread") || name.startsWith("G1 ")
                            || name.startsWith("VM Periodic") ? "GC and safepoints (VM Thread, GC threads)"
                    : name.startsWith("JFR") ? "JFR (the recording itself)" : "other";
            long[] sum = groups.get(g);
            sum[0] += e.getValue()[0];
            sum[1] += e.getValue()[1];
            total += e.getValue()[0] + e.getValue()[1];
        }
        for (var g : groups.entrySet()) {
            long[] t = g.getValue();
            System.out.printf("| %s | %.1f | %.1f | %.1f | %.0f%% |%n", g.getKey(), t[0] * perReq, t[1] * perReq,
                    (t[0] + t[1]) * perReq, 100.0 * (t[0] + t[1]) / Math.max(total, 1));
        }
        System.out.printf("| all | | | %.1f | 100%% |%n%n", total * perReq);

        long[] loop = groups.get("event loops (vipgate-lb-*)");
        System.out.printf("Event loops' Java samples (jdk.ExecutionSample, %,d) by area; µs/req = share x the loops' user time%n", loopSamples);
        System.out.printf("(%.1f µs/req); their kernel time (%.1f µs/req: io_uring, loopback TCP incl. the peer's receive path) is not in these.%n%n",
                loop[0] * perReq, loop[1] * perReq);
        System.out.println("| area | samples | share | µs/req |");
        System.out.println("|---|---:|---:|---:|");
        areaSamples.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).forEach(e ->
                System.out.printf("| %s | %d | %.1f%% | %.2f |%n", e.getKey(), e.getValue(), 100.0 * e.getValue() / loopSamples,
                        loop[0] * perReq * e.getValue() / loopSamples));
        System.out.println();

        System.out.println("Hottest methods of the event loops (self, top frame):");
        System.out.println();
        top(selfSamples, 25, loopSamples, "samples", v -> v);
        if (!nativeSamples.isEmpty()) {
            long n = nativeSamples.values().stream().mapToLong(Long::longValue).sum();
            System.out.println("Event loops in native code (jdk.NativeMethodSample, taken whether or not the thread runs):");
            System.out.println();
            top(nativeSamples, 5, n, "samples", v -> v);
        }

        System.out.printf("Allocation by the event loops: %,.0f bytes/request (jdk.ThreadAllocationStatistics), sampled %,.0f bytes/request%n",
                (double) loopAllocatedBytes / requests, (double) allocSampledBytes / requests);
        System.out.printf("(jdk.ObjectAllocationSample weights); new TLABs: %,d (%,.0f bytes/request), outside TLABs: %,d (%,.0f bytes/request).%n%n",
                tlabEvents, (double) tlabBytes / requests, outsideTlabEvents, (double) outsideTlabBytes / requests);
        System.out.println("By area (sampled):");
        System.out.println();
        top(allocArea, 20, allocSampledBytes, "bytes/req", v -> v / requests);
        System.out.println("Top allocated classes (sampled):");
        System.out.println();
        top(allocClass, 15, allocSampledBytes, "bytes/req", v -> v / requests);
        System.out.println("Top allocation sites (first frame outside the JDK, sampled):");
        System.out.println();
        top(allocSite, 25, allocSampledBytes, "bytes/req", v -> v / requests);
    }

    private static void top(Map<String, Long> m, int n, long total, String unit, ToLongFunction<Long> shown) {
        System.out.println("| | " + unit + " | share |");
        System.out.println("|---|---:|---:|");
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(m.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
        for (var e : sorted.subList(0, Math.min(n, sorted.size()))) {
            System.out.printf("| `%s` | %,d | %.1f%% |%n", e.getKey(), shown.applyAsLong(e.getValue()), 100.0 * e.getValue() / Math.max(total, 1));
        }
        System.out.println();
    }
}
