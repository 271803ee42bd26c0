package vipgate.appliance.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import vipgate.appliance.it.SeedBox;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.Await;
import vipgate.testkit.Keepalived;
import vipgate.testkit.NetNs;
import vipgate.testkit.NginxWebNode;

/**
 * Failover benchmark (not a test; run it with {@code bench/failover}). For each pair (two vipgate boxes, or two
 * boxes of keepalived + an nginx proxy), VRRP version/advert interval (v2 1 s, v3 100 ms) and event (SIGKILL of
 * every process of the master box, or a graceful stop), it builds the seed topology in network namespaces
 * (switch bridge; boxes a 10.77.0.1 and b 10.77.0.2; nginx web nodes w1/w2 answering "HTTP WEB NODE 01/02"; client
 * c), lets {@link VipProbe} hammer the VIP from c, hits the master and reports the longest interval without a
 * successful response. Each run has a fresh topology. Event {@code handover} is {@code vipgate handover} on the master
 * (vipgate only: keepalived has no planned handover). Event {@code load} hits nothing: it runs {@code wrk -c50} through
 * the master's proxy (its own address, not the VIP) for {@code --load-s} seconds and counts the backup's takeovers
 * (VIP additions on b): each is spurious, the master never stopped advertising (issue 12.11; e.g.
 * {@code --events load --versions 3 --advert-ms 20 --load-s 300}).
 *
 * <p>Options: {@code --repeat N} (3), {@code --pairs vipgate,keepalived}, {@code --versions 2,3},
 * {@code --events kill,term[,handover,load]}, {@code --advert-ms 100} (v3), {@code --load-s 300}, {@code --pace-us 1000},
 * {@code --timeout-ms 100}, {@code --keep-logs DIR}.
 */
public final class FailoverBench {
    static final String VIP = "10.77.0.100";
    private static final Duration CONVERGE = Duration.ofSeconds(20);
    private static final Pattern NUM = Pattern.compile("\"(\\w+)\":(-?[0-9.]+|true|false)");

    /** Everything that must die on exit, Ctrl-C included. */
    private static final List<AutoCloseable> LIVE = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(FailoverBench::closeAll, "failover-bench-cleanup"));
    }

    /** @param advertMs v3's advert interval (v2 always 1 s) */
    record Combo(String pair, int version, String event, int advertMs) {
        String advert() {
            return version == 2 ? "1s" : advertMs + "ms";
        }

        String keepalivedAdvert() {
            return version == 2 ? "1" : String.format(Locale.ROOT, "%.2f", advertMs / 1000.0);
        }
    }

    /** Event {@code load}: how often the backup took the VIP while the master was alive and loaded. */
    record LoadResult(Combo combo, int takeovers, double requestsPerSecond, int seconds) {
    }

    record Result(Combo combo, double gapMs, long failed, long timedOut, double recoveredMs, boolean recovered, boolean vipOnBackup,
            String note) {
    }

    private final Path work;
    private final int paceMicros;
    private final int timeoutMs;
    private final Path keepLogs;
    private final int loadSeconds;

    private FailoverBench(Path work, int paceMicros, int timeoutMs, Path keepLogs, int loadSeconds) {
        this.work = work;
        this.paceMicros = paceMicros;
        this.timeoutMs = timeoutMs;
        this.keepLogs = keepLogs;
        this.loadSeconds = loadSeconds;
    }

    public static void main(String[] args) throws Exception {
        int repeat = 3;
        List<String> pairs = List.of("vipgate", "keepalived");
        List<Integer> versions = List.of(2, 3);
        List<String> events = List.of("kill", "term");
        int pace = 1000;
        int timeout = 100;
        int advertMs = 100;
        int loadS = 300;
        Path keep = null;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--repeat" -> { repeat = Integer.parseInt(v); i++; }
                case "--pairs" -> { pairs = List.of(v.split(",")); i++; }
                case "--versions" -> { versions = Stream.of(v.split(",")).map(Integer::valueOf).toList(); i++; }
                case "--events" -> { events = List.of(v.split(",")); i++; }
                case "--pace-us" -> { pace = Integer.parseInt(v); i++; }
                case "--timeout-ms" -> { timeout = Integer.parseInt(v); i++; }
                case "--keep-logs" -> { keep = Path.of(v); i++; }
                case "--advert-ms" -> { advertMs = Integer.parseInt(v); i++; }
                case "--load-s" -> { loadS = Integer.parseInt(v); i++; }
                default -> {
                    System.err.println("unknown option " + args[i] + "; see bench/failover --help");
                    System.exit(64);
                }
            }
        }
        try {
            NetNs.requireRoot();
        } catch (IllegalStateException e) {
            System.err.println("FailoverBench needs root (network namespaces, veths, raw VRRP sockets); run it as root.");
            System.exit(77);
        }
        NginxWebNode.requireNginx();
        if (!Files.isExecutable(Keepalived.KEEPALIVED) && pairs.contains("keepalived")) {
            System.err.println(Keepalived.KEEPALIVED + " missing: apt-get install keepalived");
            System.exit(69);
        }
        ApplianceProcess.jar(); // fails early when the jar is not built

        Path work = Files.createTempDirectory("vipgate-failover-bench-");
        FailoverBench bench = new FailoverBench(work, pace, timeout, keep, loadS);
        List<Result> results = new ArrayList<>();
        List<LoadResult> loads = new ArrayList<>();
        try {
            for (String event : events) {
                for (int version : versions) {
                    for (String pair : pairs) {
                        if (event.equals("handover") && !pair.equals("vipgate")) {
                            continue;
                        }
                        Combo combo = new Combo(pair, version, event, advertMs);
                        for (int r = 1; r <= repeat; r++) {
                            System.err.printf(Locale.ROOT, "== %s v%d advert %s %s, run %d/%d%n", pair, version, combo.advert(),
                                    event, r, repeat);
                            if (event.equals("load")) {
                                LoadResult load = bench.load(combo, r);
                                System.err.printf(Locale.ROOT, "   %d takeovers by the backup in %d s, %.0f req/s through the master%n",
                                        load.takeovers, load.seconds, load.requestsPerSecond);
                                loads.add(load);
                                continue;
                            }
                            Result result = bench.run(combo, r);
                            System.err.printf(Locale.ROOT, "   gap %.1f ms, failed %d (%d timed out), recovered after %.1f ms%s%s%n",
                                    result.gapMs, result.failed, result.timedOut, result.recoveredMs, result.vipOnBackup ? "" : " (VIP NOT on b!)",
                                    result.note.isEmpty() ? "" : " " + result.note);
                            results.add(result);
                        }
                    }
                }
            }
        } finally {
            closeAll();
            deleteTree(work);
        }
        if (!results.isEmpty()) {
            System.out.println(report(results, repeat, pace, timeout));
        }
        if (!loads.isEmpty()) {
            System.out.println(loadReport(loads));
        }
        System.exit(0);
    }

    /**
     * One run on a fresh topology, for tests: e.g. {@code once("vipgate", 3, "handover", 800)}. Needs root, nginx and
     * the built jar; cleans up after itself.
     */
    public static Result once(String pair, int version, String event, int timeoutMs) throws Exception {
        Path work = Files.createTempDirectory("vipgate-failover-");
        try {
            return new FailoverBench(work, 1000, timeoutMs, null, 0).run(new Combo(pair, version, event, 100), 1);
        } finally {
            deleteTree(work);
        }
    }

    // ---------------------------------------------------------------- one run

    /** The seed topology with both boxes running, a master: a, backup: b, client: c. */
    private record Topology(NetNs a, NetNs b, NetNs c, Box master, Box backup, Path dir) {
    }

    private Topology topology(Combo combo, int rep, List<AutoCloseable> mine) throws IOException {
        List<NetNs> hosts = new ArrayList<>();
        Path dir = Files.createDirectories(work.resolve(combo.pair + "-v" + combo.version + "-" + combo.event + "-" + rep));
        NetNs sw = host(hosts, mine, null, null);
        NetNs a = host(hosts, mine, sw, "10.77.0.1");
        NetNs b = host(hosts, mine, sw, "10.77.0.2");
        NetNs w1 = host(hosts, mine, sw, "10.77.0.11");
        NetNs w2 = host(hosts, mine, sw, "10.77.0.12");
        NetNs c = host(hosts, mine, sw, "10.77.0.50");
        sw.bridge("br0", "p1", "p2", "p3", "p4", "p5");
        track(mine, NginxWebNode.builder().inNamespace(w1, "10.77.0.11").port(80).body("HTTP WEB NODE 01\n").start());
        track(mine, NginxWebNode.builder().inNamespace(w2, "10.77.0.12").port(80).body("HTTP WEB NODE 02\n").start());
        Box master = startBox(combo, a, "master", 100, dir, mine);
        await("VIP on a", () -> vipOn(a));
        Box backup = startBox(combo, b, "backup", 99, dir, mine);
        return new Topology(a, b, c, master, backup, dir);
    }

    /** Event {@code load}: wrk through the master's own address while b's VIP additions are counted. */
    private LoadResult load(Combo combo, int rep) throws Exception {
        List<AutoCloseable> mine = new ArrayList<>();
        try {
            Topology t = topology(combo, rep, mine);
            t.master.awaitWarm();
            t.backup.awaitWarm();
            Thread.sleep(3000);
            if (!vipOn(t.a) || vipOn(t.b)) {
                throw new IllegalStateException("not steady before the load: VIP on a " + vipOn(t.a) + ", on b " + vipOn(t.b));
            }
            Process monitor = new ProcessBuilder("ip", "netns", "exec", t.b.name(), "ip", "-o", "monitor", "address")
                    .redirectErrorStream(true).start();
            mine.add(monitor::destroyForcibly);
            int[] takeovers = {0};
            Thread counter = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.US_ASCII))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.contains(" " + VIP + "/") && !line.startsWith("Deleted")) {
                            synchronized (takeovers) {
                                takeovers[0]++;
                            }
                        }
                    }
                } catch (IOException e) {
                    // the monitor ended with the run
                }
            }, "vip-monitor");
            counter.setDaemon(true);
            counter.start();
            // NetNs.exec gives a command 30 s: the load runs for minutes
            Process load = new ProcessBuilder("ip", "netns", "exec", t.c.name(), "wrk", "-t2", "-c50", "-d" + loadSeconds + "s",
                    "http://10.77.0.1/").redirectErrorStream(true).start();
            mine.add(load::destroyForcibly);
            String wrk = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            load.waitFor(30, TimeUnit.SECONDS);
            Matcher rps = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(wrk);
            double perSecond = rps.find() ? Double.parseDouble(rps.group(1)) : -1;
            Thread.sleep(500);
            if (keepLogs != null) {
                t.master.keepLog(keepLogs.resolve(t.dir.getFileName() + "-a.log"));
                t.backup.keepLog(keepLogs.resolve(t.dir.getFileName() + "-b.log"));
            }
            synchronized (takeovers) {
                return new LoadResult(combo, takeovers[0], perSecond, loadSeconds);
            }
        } finally {
            closeMine(mine);
        }
    }

    private Result run(Combo combo, int rep) throws Exception {
        List<AutoCloseable> mine = new ArrayList<>();
        Process probe = null;
        try {
            Topology t = topology(combo, rep, mine);
            NetNs a = t.a;
            NetNs b = t.b;
            NetNs c = t.c;
            Box master = t.master;
            Box backup = t.backup;
            Path dir = t.dir;

            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", c.name(),
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC", "-Xmx64m",
                    "-cp", System.getProperty("java.class.path"), VipProbe.class.getName(), VIP, "80",
                    Integer.toString(timeoutMs), Integer.toString(paceMicros), "2000", "10000"));
            probe = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Process p = probe;
            mine.add(p::destroyForcibly);
            BufferedReader out = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.US_ASCII));
            String first = readLine(out, Duration.ofSeconds(30));
            if (!"READY".equals(first)) {
                throw new IllegalStateException("the probe did not get a response through the VIP: " + first);
            }
            // steady state: the probe is warm and the backup has seen several adverts; both proxies are warm (on a
            // busy box the JIT warm-up of a just-started proxy takes seconds, and is not what is measured here)
            master.awaitWarm();
            backup.awaitWarm();
            Thread.sleep(combo.version == 2 ? 4000 : 3000);
            if (!vipOn(a) || vipOn(b)) {
                throw new IllegalStateException("not steady before the event: VIP on a " + vipOn(a) + ", on b " + vipOn(b));
            }

            // the probe learns t0 before the hit, so every interval that ends after it counts
            Writer toProbe = new OutputStreamWriter(probe.getOutputStream(), StandardCharsets.US_ASCII);
            long t0 = System.currentTimeMillis();
            toProbe.write("EVENT " + t0 + "\n");
            toProbe.flush();
            String note = hit(combo, master, a);

            String json = readLine(out, Duration.ofSeconds(40));
            if (json == null || !json.startsWith("{\"gapMs\"")) {
                throw new IllegalStateException("the probe's report is missing: " + json);
            }
            Map<String, String> r = parse(json);
            boolean onB = vipOn(b);
            if (keepLogs != null) {
                master.keepLog(keepLogs.resolve(dir.getFileName() + "-a.log"));
                backup.keepLog(keepLogs.resolve(dir.getFileName() + "-b.log"));
            }
            return new Result(combo, Double.parseDouble(r.get("gapMs")), Long.parseLong(r.get("failed")),
                    Long.parseLong(r.get("timedOut")), Double.parseDouble(r.get("recoveredMs")), Boolean.parseBoolean(r.get("recovered")), onB,
                    note + (Boolean.parseBoolean(r.get("recovered")) ? "" : " NOT RECOVERED"));
        } finally {
            closeMine(mine);
        }
    }

    private static void closeMine(List<AutoCloseable> mine) {
        Collections.reverse(mine);
        for (AutoCloseable m : mine) {
            try {
                m.close();
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
            LIVE.remove(m);
        }
    }

    /** The event at time t0; returns a note for the report. */
    private String hit(Combo combo, Box master, NetNs a) throws Exception {
        if (combo.event.equals("kill")) {
            // every process of the master box at once: the JVM, or keepalived (parent + VRRP child) and nginx
            // (master + worker)
            List<String> pids = List.of(NetNs.run("ip", "netns", "pids", a.name()).strip().split("\\s+"));
            List<String> kill = new ArrayList<>(List.of("kill", "-KILL"));
            kill.addAll(pids);
            NetNs.run(kill.toArray(String[]::new));
            return "";
        }
        if (combo.event.equals("handover")) {
            master.handover();
            return "";
        }
        master.gracefulStop();
        return "";
    }

    // ---------------------------------------------------------------- boxes

    private interface Box {
        void gracefulStop() throws Exception;

        /** A planned handover to the backup; this box keeps running. */
        void handover() throws Exception;

        /** Waits until the box's proxy is warmed up. */
        void awaitWarm();

        void keepLog(Path target) throws IOException;
    }

    private Box startBox(Combo combo, NetNs ns, String state, int priority, Path dir, List<AutoCloseable> mine)
            throws IOException {
        return combo.pair.equals("vipgate") ? vipgateBox(combo, ns, state, priority, dir, mine)
                : keepalivedBox(combo, ns, state, priority, dir, mine);
    }

    /** As SeedScenariosIT's box(): lb + vrrp in one JVM, tracking its own lb. */
    private Box vipgateBox(Combo combo, NetNs ns, String state, int priority, Path dir, List<AutoCloseable> mine)
            throws IOException {
        int admin = 9400;
        Path conf = dir.resolve("vipgate-" + state + ".conf");
        Files.writeString(conf, SeedBox.config(ns.name(), admin, combo.version, combo.advert(), state, priority,
                "{ address = \"10.77.0.11:80\" }, { address = \"10.77.0.12:80\" }", VIP));
        // -Dbench.jvm-args="-Xlog:safepoint" and the like, for looking into a run (with --keep-logs)
        String[] jvmArgs = System.getProperty("bench.jvm-args", "").isBlank() ? new String[0]
                : System.getProperty("bench.jvm-args").trim().split("\\s+");
        ApplianceProcess p = ApplianceProcess.builder(ApplianceProcess.jar()).inNamespace(ns).adminPort(admin).jvmArgs(jvmArgs)
                .args("run", "-c", conf.toString()).start();
        track(mine, p);
        p.awaitHealthy(Duration.ofSeconds(30));
        return new Box() {
            @Override
            public void gracefulStop() {
                p.terminate();
            }

            @Override
            public void awaitWarm() {
                // a warm-up cut short (its 2 s per request ran out on a saturated box) is done too: it says so, and why
                Await.require(Duration.ofMinutes(5), "proxy warm-up on " + ns.name(),
                        () -> p.log().contains("proxy warmed up") || p.log().contains("proxy warm-up skipped"));
                p.log().lines().filter(l -> l.contains("proxy warm-up skipped")).forEach(l -> System.err.println("   " + ns.name() + ": " + l));
            }

            @Override
            public void handover() {
                try (ApplianceProcess cli = ApplianceProcess.builder(ApplianceProcess.jar()).inNamespace(ns)
                        .args("handover", "--admin", "127.0.0.1:" + admin).start()) {
                    if (cli.awaitExit(Duration.ofSeconds(60)) != 0) {
                        throw new IllegalStateException("vipgate handover failed: " + cli.log());
                    }
                }
            }

            @Override
            public void keepLog(Path target) throws IOException {
                Files.createDirectories(target.getParent());
                Files.writeString(target, p.log());
            }
        };
    }

    /** keepalived (same VRID, VIP, priorities, version, interval) + nginx proxying to w1 and w2. */
    private Box keepalivedBox(Combo combo, NetNs ns, String state, int priority, Path dir, List<AutoCloseable> mine)
            throws IOException {
        NginxProxy nginx = track(mine, NginxProxy.start(ns, dir.resolve("nginx-" + ns.name())));
        Keepalived k = track(mine, Keepalived.start(ns, Keepalived.instanceConfig(ns.name(), combo.version,
                state.toUpperCase(Locale.ROOT), priority, combo.keepalivedAdvert(), true, "", VIP + "/24")));
        return new Box() {
            @Override
            public void gracefulStop() {
                k.stop(); // SIGTERM: priority-0 advert, VIP removed
                nginx.quit();
            }

            @Override
            public void handover() {
                throw new UnsupportedOperationException("keepalived has no planned handover");
            }

            @Override
            public void awaitWarm() {
                // nginx needs no warm-up
            }

            @Override
            public void keepLog(Path target) throws IOException {
                Files.createDirectories(target.getParent());
                Files.writeString(target, k.log());
            }
        };
    }

    /** nginx as the load balancer of a keepalived box: upstream w1 + w2, listen 0.0.0.0:80. */
    static final class NginxProxy implements AutoCloseable {
        private final Process master;

        private NginxProxy(Process master) {
            this.master = master;
        }

        static NginxProxy start(NetNs ns, Path prefix) throws IOException {
            for (String d : List.of("logs", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi")) {
                Files.createDirectories(prefix.resolve(d));
            }
            String conf = """
                    daemon off;
                    master_process on;
                    worker_processes 1;
                    user root;
                    error_log %1$s/logs/error.log warn;
                    pid %1$s/logs/nginx.pid;
                    events { worker_connections 4096; }
                    http {
                      access_log off;
                      client_body_temp_path %1$s/tmp/body;
                      proxy_temp_path %1$s/tmp/proxy;
                      fastcgi_temp_path %1$s/tmp/fastcgi;
                      uwsgi_temp_path %1$s/tmp/uwsgi;
                      scgi_temp_path %1$s/tmp/scgi;
                      upstream web {
                        server 10.77.0.11:80;
                        server 10.77.0.12:80;
                      }
                      server {
                        listen 0.0.0.0:80;
                        location / { proxy_pass http://web; }
                      }
                    }
                    """.formatted(prefix);
            Files.writeString(prefix.resolve("nginx.conf"), conf);
            Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(), NginxWebNode.NGINX.toString(), "-e",
                    prefix.resolve("logs/error.log").toString(), "-p", prefix + "/", "-c", "nginx.conf")
                    .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/console.log").toFile()).start();
            NginxProxy proxy = new NginxProxy(p);
            boolean up = Await.until(Duration.ofSeconds(15), () -> !p.isAlive() || ns.exec("ss", "-Htln", "sport = :80")
                    .contains(":80"));
            if (!up || !p.isAlive()) {
                proxy.close();
                throw new IllegalStateException("nginx proxy did not start: "
                        + Files.readString(prefix.resolve("logs/error.log")));
            }
            return proxy;
        }

        /** SIGQUIT: nginx's graceful shutdown. */
        void quit() {
            try {
                new ProcessBuilder("kill", "-QUIT", Long.toString(master.pid())).start().waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            List<ProcessHandle> workers = master.descendants().toList();
            master.destroyForcibly();
            workers.forEach(ProcessHandle::destroyForcibly);
            try {
                master.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static NetNs host(List<NetNs> hosts, List<AutoCloseable> mine, NetNs sw, String address) {
        NetNs ns = track(mine, NetNs.create());
        hosts.add(ns);
        if (sw != null) {
            NetNs.veth(ns, "eth0", sw, "p" + (hosts.size() - 1));
            ns.ip("addr", "add", address + "/24", "dev", "eth0");
        }
        return ns;
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> mine, T thing) {
        mine.add(thing);
        LIVE.add(thing);
        return thing;
    }

    private static void closeAll() {
        List<AutoCloseable> all = new ArrayList<>(LIVE);
        Collections.reverse(all);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort on the way out
            }
            LIVE.remove(c);
        }
    }

    private static boolean vipOn(NetNs ns) {
        return ns.ip("-4", "addr", "show", "dev", "eth0").contains(VIP + "/");
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        Await.require(CONVERGE, what, condition);
    }

    /** A line from the probe, or null at EOF; fails after {@code timeout}. */
    private static String readLine(BufferedReader in, Duration timeout) throws Exception {
        String[] line = {null};
        Exception[] error = {null};
        Thread t = new Thread(() -> {
            try {
                line[0] = in.readLine();
            } catch (IOException e) {
                error[0] = e;
            }
        }, "probe-reader");
        t.setDaemon(true);
        t.start();
        t.join(timeout.toMillis());
        if (t.isAlive()) {
            throw new IllegalStateException("no line from the probe within " + timeout.toSeconds() + " s");
        }
        if (error[0] != null) {
            throw error[0];
        }
        return line[0];
    }

    private static Map<String, String> parse(String json) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher matcher = NUM.matcher(json);
        while (matcher.find()) {
            m.put(matcher.group(1), matcher.group(2));
        }
        return m;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temp files only
        }
    }

    // ---------------------------------------------------------------- report

    static String loadReport(List<LoadResult> loads) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%nSpurious takeovers: VIP additions on the backup while the "
                + "master ran and advertised, under wrk -t2 -c50 through the master's proxy%n%n"));
        sb.append("| pair       | vrrp             | seconds | takeovers | req/s    |\n");
        sb.append("|------------|------------------|---------|-----------|----------|\n");
        for (LoadResult l : loads) {
            sb.append(String.format(Locale.ROOT, "| %-10s | v%d advert %-6s | %7d | %9d | %8.0f |%n", l.combo.pair, l.combo.version,
                    l.combo.advert(), l.seconds, l.takeovers, l.requestsPerSecond));
        }
        return sb.toString();
    }

    private static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static String report(List<Result> results, int repeat, int pace, int timeout) {
        Map<Combo, List<Result>> by = new LinkedHashMap<>();
        for (Result r : results) {
            by.computeIfAbsent(r.combo, k -> new ArrayList<>()).add(r);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nFailover gap = longest interval without a successful GET through the VIP "
                + "(probe: new connection per request, <= 1 request / %d us, %d ms connect/read timeout); %d run(s) each%n%n",
                pace, timeout, repeat));
        sb.append(String.format(Locale.ROOT, "| %-10s | %-15s | %-5s | %4s | %10s | %10s | %10s | %10s | %s |%n", "pair",
                "vrrp", "event", "runs", "gap med ms", "gap max ms", "fail med", "fail max", "notes"));
        sb.append("|------------|-----------------|-------|------|------------|------------|------------|------------|-------|\n");
        for (Map.Entry<Combo, List<Result>> e : by.entrySet()) {
            Combo c = e.getKey();
            List<Result> rs = e.getValue();
            List<Double> gaps = rs.stream().map(Result::gapMs).toList();
            List<Double> fails = rs.stream().map(r -> (double) r.failed).toList();
            String notes = rs.stream().filter(r -> !r.note.isBlank() || !r.vipOnBackup)
                    .map(r -> r.note.strip() + (r.vipOnBackup ? "" : " VIP-not-on-b")).distinct()
                    .reduce((x, y) -> x + "; " + y).orElse("");
            sb.append(String.format(Locale.ROOT, "| %-10s | v%d advert %-5s | %-5s | %4d | %10.1f | %10.1f | %10.0f | %10.0f | %s |%n",
                    c.pair, c.version, c.advert(), c.event, rs.size(), median(gaps), Collections.max(gaps), median(fails),
                    Collections.max(fails), notes));
        }
        sb.append(String.format(Locale.ROOT, "%n| %-15s | %-5s | %18s | %18s | %15s |%n", "vrrp", "event", "vipgate med gap",
                "keepalived med gap", "ratio vg/ka"));
        sb.append("|-----------------|-------|--------------------|--------------------|-----------------|\n");
        for (Combo c : by.keySet()) {
            if (!c.pair.equals("vipgate")) {
                continue;
            }
            List<Result> ka = by.get(new Combo("keepalived", c.version, c.event, c.advertMs));
            if (ka == null) {
                continue;
            }
            double v = median(by.get(c).stream().map(Result::gapMs).toList());
            double k = median(ka.stream().map(Result::gapMs).toList());
            sb.append(String.format(Locale.ROOT, "| v%d advert %-5s | %-5s | %18.1f | %18.1f | %15.2f |%n", c.version,
                    c.advert(), c.event, v, k, v / k));
        }
        return sb.toString();
    }
}
