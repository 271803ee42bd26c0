package vipgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real nginx playing one upstream web node, as in the appliance's test bed: its own prefix directory (config,
 * logs, pid, temp dirs, static files) under a temp dir, one master and one worker, listening on 127.0.0.1 only.
 *
 * <pre>{@code
 * try (NginxWebNode node = NginxWebNode.builder().body("HTTP WEB NODE 01\n").start()) {
 *     ... node.port() ...
 *     node.stop();   // SIGKILL master and worker: a dead box, not a graceful shutdown
 *     node.start();  // the same node again, same port
 * }
 * }</pre>
 *
 * Every node answers {@code GET /} (and any path no other location matches) with 200 and its body, serves
 * the files given to {@link Builder#file} under {@code /files/}, and may carry extra {@code location} blocks.
 */
public final class NginxWebNode implements AutoCloseable {
    public static final Path NGINX = Path.of("/usr/sbin/nginx");
    /** Echoes what the proxy forwarded: X-Real-IP, X-Forwarded-For, Host and Connection, separated by '|'. */
    public static final String ECHO_HEADERS_LOCATION =
            "location = /headers { return 200 \"$http_x_real_ip|$http_x_forwarded_for|$http_host|$http_connection\\n\"; }";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Path prefix;
    private final boolean ownsPrefix;
    private final int port;
    /** The network namespace nginx runs in (on its own address there), or null for the test's loopback. */
    private final String namespace;
    private Process master;
    private Thread cleanupHook;

    /** The loopback address it listens on when in the test's namespace: 127.0.0.1, or another of 127.0.0.0/8. */
    private final String loopback;

    private NginxWebNode(Path prefix, boolean ownsPrefix, int port, String namespace, String loopback) {
        this.prefix = prefix;
        this.ownsPrefix = ownsPrefix;
        this.port = port;
        this.namespace = namespace;
        this.loopback = loopback;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A node on a free port answering every request with {@code body}. */
    public static NginxWebNode start(String body) {
        return builder().body(body).start();
    }

    /** Fails (with the package to install) when nginx is not on this machine. */
    public static void requireNginx() {
        if (!Files.isExecutable(NGINX)) {
            throw new IllegalStateException(NGINX + " is missing: these tests run real nginx web nodes; "
                    + "install it with `apt-get install nginx-light` (or nginx)");
        }
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port} (or the other loopback address it was given), as written in an upstream's server list. */
    public String address() {
        return loopback + ":" + port;
    }

    public URI uri(String path) {
        return URI.create("http://" + loopback + ":" + port + path);
    }

    private InetSocketAddress socketAddress() {
        return new InetSocketAddress(loopback, port);
    }

    public Path prefix() {
        return prefix;
    }

    public synchronized boolean isRunning() {
        return master != null && master.isAlive();
    }

    /**
     * Starts nginx (again) on the node's port and waits until the port accepts connections.
     *
     * @throws IllegalStateException with nginx's error log when it exits or does not listen in time
     */
    public synchronized NginxWebNode start() {
        if (isRunning()) {
            return this;
        }
        Path errorLog = prefix.resolve("logs/error.log");
        Path pidFile = prefix.resolve("logs/nginx.pid");
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>();
        if (namespace != null) {
            command.addAll(List.of("ip", "netns", "exec", namespace));
        }
        command.addAll(List.of(NGINX.toString(), "-e", errorLog.toString(), "-p", prefix + "/", "-c", "nginx.conf"));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(prefix.resolve("logs/console.log").toFile()));
        try {
            master = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + NGINX, e);
        }
        if (cleanupHook == null) {
            cleanupHook = new Thread(this::killTree, "nginx-web-node-" + port + "-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanupHook);
        }
        Process started = master;
        // nginx writes its pid file only once every listening socket is bound, so a port that accepts
        // because something else holds it is not taken for nginx's
        boolean listening = Await.until(START_TIMEOUT,
                () -> !started.isAlive() || (pidIn(pidFile) == started.pid() && (namespace != null || FreePort.accepts(socketAddress()))));
        if (!started.isAlive() || !listening) {
            killTree();
            throw new IllegalStateException("nginx web node on port " + port + (listening ? " exited" : " did not listen within "
                    + START_TIMEOUT.toSeconds() + "s") + "; " + logs());
        }
        return this;
    }

    private static long pidIn(Path pidFile) {
        try {
            return Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * SIGKILLs the master and its worker, as if the box died (no graceful close, established connections are
     * reset by the kernel), and waits until the port refuses connections.
     */
    public synchronized void stop() {
        killTree();
        if (!Await.until(STOP_TIMEOUT, () -> !FreePort.accepts(socketAddress()))) {
            throw new IllegalStateException("port " + port + " still accepts connections after nginx was killed");
        }
    }

    private synchronized void killTree() {
        Process p = master;
        if (p == null) {
            return;
        }
        // Collect the workers first: once the master is gone they are reparented and no longer its descendants.
        // The master dies first so it cannot respawn a worker killed before it.
        List<ProcessHandle> workers = p.descendants().toList();
        p.destroyForcibly();
        workers.forEach(ProcessHandle::destroyForcibly);
        try {
            p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            for (ProcessHandle w : workers) {
                w.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // a worker reparented to an init that does not reap stays a zombie; its sockets are closed anyway
        }
        master = null;
    }

    /** Stops nginx and deletes the prefix directory when the node created it. */
    @Override
    public synchronized void close() {
        killTree();
        if (cleanupHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanupHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
            cleanupHook = null;
        }
        if (ownsPrefix) {
            deleteTree(prefix);
        }
    }

    /** Lines in the access log (one per request nginx answered), or 0 when the node was built without one. */
    public long accessLogLines() {
        Path log = prefix.resolve("logs/access.log");
        if (!Files.exists(log)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * TCP connections established to the node right now, as {@code ss} sees them (e.g. to await nginx closing idle
     * keep-alive connections).
     */
    public int establishedConnections() {
        try {
            Process p = new ProcessBuilder("ss", "-Htn", "state", "established", "( sport = :" + port + " )")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("ss failed: " + out);
            }
            return (int) out.lines().filter(l -> !l.isBlank()).count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run ss (package iproute2)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** nginx's error log and console output, for failure messages. */
    public String logs() {
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("logs/error.log", "logs/console.log")) {
            Path f = prefix.resolve(name);
            try {
                if (Files.exists(f)) {
                    sb.append(name).append(":\n").append(Files.readString(f, StandardCharsets.ISO_8859_1));
                }
            } catch (IOException e) {
                sb.append(name).append(": unreadable: ").append(e.getMessage());
            }
        }
        return sb.length() == 0 ? "(no logs in " + prefix + ")" : sb.toString();
    }

    @Override
    public String toString() {
        return "nginx web node " + address();
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temp dir left behind is not worth failing a test for
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }

    /** Quotes a string for an nginx config ("..." with \ and " escaped). */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** How the node is set up; {@link #start()} writes the prefix and launches nginx. */
    public static final class Builder {
        private Path parent;
        private int port;
        private String namespace;
        private String listenHost = "127.0.0.1";
        private String loopback = "127.0.0.1";
        private String body = "HTTP WEB NODE 01\n";
        private final List<String> locations = new ArrayList<>();
        private final List<String> httpBlocks = new ArrayList<>();
        private final Map<String, byte[]> files = new LinkedHashMap<>();
        private boolean accessLog;
        private int keepaliveTimeoutSeconds = 65;
        private int keepaliveRequests = 100_000;
        private List<String> ssl;
        private boolean proxyProtocol;

        /** Directory under which the prefix is created; a fresh temp dir (deleted on close) when unset. */
        public Builder under(Path parent) {
            this.parent = parent;
            return this;
        }

        /**
         * Runs nginx inside a network namespace, listening on {@code host} there (an address of that namespace), as
         * a web server box of a test topology.
         */
        public Builder inNamespace(NetNs ns, String host) {
            this.namespace = ns.name();
            this.listenHost = host;
            return this;
        }

        /**
         * Listens on another loopback address, e.g. 127.0.0.2: a second box on the same port as a node on 127.0.0.1,
         * without a namespace.
         */
        public Builder loopback(String address) {
            this.loopback = address;
            this.listenHost = address;
            return this;
        }

        /** The port to listen on; a free one when unset. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The body of {@code GET /}; nginx variables ($host...) are expanded. */
        public Builder body(String body) {
            this.body = body;
            return this;
        }

        /** An extra {@code location ... { ... }} block inside the server. */
        public Builder location(String block) {
            locations.add(block);
            return this;
        }

        /** Extra text in the {@code http} block beside the node's server, e.g. the upstreams and servers of a site under test. */
        public Builder http(String text) {
            httpBlocks.add(text);
            return this;
        }

        /** Adds {@link #ECHO_HEADERS_LOCATION} ({@code GET /headers}). */
        public Builder echoHeaders() {
            return location(ECHO_HEADERS_LOCATION);
        }

        /** A static file served at {@code /files/NAME} (e.g. for large downloads). */
        public Builder file(String name, byte[] content) {
            if (name.contains("..") || name.startsWith("/")) {
                throw new IllegalArgumentException("file name must be relative: " + name);
            }
            files.put(name, content.clone());
            return this;
        }

        /** Logs every request to logs/access.log (see {@link #accessLogLines()}); off by default. */
        public Builder accessLog(boolean on) {
            this.accessLog = on;
            return this;
        }

        /** nginx keepalive_timeout, 65s by default. */
        public Builder keepaliveTimeoutSeconds(int seconds) {
            this.keepaliveTimeoutSeconds = seconds;
            return this;
        }

        /** nginx keepalive_requests: after this many requests nginx answers with Connection: close. */
        public Builder keepaliveRequests(int requests) {
            this.keepaliveRequests = requests;
            return this;
        }

        /** Serves HTTPS: {@code listen ... ssl} and these directives, e.g. "ssl_certificate /x.crt;", in its server. */
        public Builder ssl(String... directives) {
            this.ssl = List.of(directives);
            return this;
        }

        /** {@code listen ... proxy_protocol}: every connection must start with a PROXY protocol header. */
        public Builder proxyProtocol() {
            this.proxyProtocol = true;
            return this;
        }

        /** Writes the prefix directory and starts nginx; the node is closed again when it fails to start. */
        public NginxWebNode start() {
            requireNginx();
            int p = port > 0 ? port : FreePort.tcp();
            Path prefix;
            boolean owns = parent == null;
            try {
                prefix = owns ? Files.createTempDirectory("vipgate-nginx-" + p + "-")
                        : Files.createDirectories(parent.resolve("nginx-" + p));
                for (String dir : List.of("logs", "html/files", "tmp")) {
                    Files.createDirectories(prefix.resolve(dir));
                }
                for (Map.Entry<String, byte[]> f : files.entrySet()) {
                    Path target = prefix.resolve("html/files").resolve(f.getKey());
                    Files.createDirectories(target.getParent());
                    Files.write(target, f.getValue());
                }
                Files.writeString(prefix.resolve("nginx.conf"), config(prefix, p), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare an nginx prefix for port " + p, e);
            }
            NginxWebNode node = new NginxWebNode(prefix, owns, p, namespace, loopback);
            try {
                return node.start();
            } catch (RuntimeException e) {
                node.close();
                throw e;
            }
        }

        private String config(Path prefix, int p) {
            StringBuilder c = new StringBuilder();
            c.append("daemon off;\n");
            c.append("master_process on;\n");
            c.append("worker_processes 1;\n");
            if ("root".equals(System.getProperty("user.name"))) {
                c.append("user root;\n");
            }
            c.append("error_log ").append(prefix.resolve("logs/error.log")).append(" warn;\n");
            c.append("pid ").append(prefix.resolve("logs/nginx.pid")).append(";\n");
            c.append("events { worker_connections 1024; }\n");
            c.append("http {\n");
            c.append("  default_type text/plain;\n");
            c.append(accessLog ? "  access_log " + prefix.resolve("logs/access.log") + ";\n" : "  access_log off;\n");
            c.append("  keepalive_timeout ").append(keepaliveTimeoutSeconds).append(";\n");
            c.append("  keepalive_requests ").append(keepaliveRequests).append(";\n");
            for (String temp : tempPathDirectives()) {
                Path dir = prefix.resolve("tmp").resolve(temp.replace("_temp_path", ""));
                c.append("  ").append(temp).append(' ').append(dir).append(";\n");
            }
            c.append("  server {\n");
            c.append("    listen ").append(listenHost).append(':').append(p).append(ssl != null ? " ssl" : "")
                    .append(proxyProtocol ? " proxy_protocol" : "").append(";\n");
            if (ssl != null) {
                ssl.forEach(d -> c.append("    ").append(d).append('\n'));
            }
            c.append("    root ").append(prefix.resolve("html")).append(";\n");
            c.append("    location / { return 200 ").append(quote(body)).append("; }\n");
            c.append("    location /files/ { }\n");
            for (String l : locations) {
                c.append("    ").append(l).append('\n');
            }
            c.append("  }\n");
            for (String h : httpBlocks) {
                c.append(h).append('\n');
            }
            c.append("}\n");
            return c.toString();
        }
    }

    /** Temp-path directives of the modules this nginx has, so a non-root run never touches /var/lib/nginx. */
    private static List<String> tempPathDirectives() {
        String configure = configureArguments();
        List<String> out = new ArrayList<>(List.of("client_body_temp_path"));
        for (String module : List.of("proxy", "fastcgi", "uwsgi", "scgi")) {
            if (!configure.contains("--without-http_" + module + "_module")) {
                out.add(module + "_temp_path");
            }
        }
        return out;
    }

    private static volatile String configureArguments;

    private static String configureArguments() {
        String known = configureArguments;
        if (known != null) {
            return known;
        }
        try {
            Process p = new ProcessBuilder(NGINX.toString(), "-V").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            configureArguments = out;
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + NGINX + " -V", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
