package vipgate.stream.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import vipgate.testkit.FreePort;

/**
 * A real redis-server on 127.0.0.1 and a free port, without persistence, killed (SIGKILL: a dead box) by
 * {@link #kill} or {@link #close}. {@link #command} speaks RESP to any address, e.g. vipgate's listener.
 */
final class RedisServer implements AutoCloseable {
    static final Path REDIS = Path.of("/usr/bin/redis-server");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final int port;
    private final Process process;
    private final Thread cleanupHook;

    private RedisServer(int port, Process process) {
        this.port = port;
        this.process = process;
        this.cleanupHook = new Thread(process::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    static RedisServer start() {
        if (!Files.isExecutable(REDIS)) {
            throw new IllegalStateException(REDIS + " is missing: these tests run real redis servers behind vipgate; "
                    + "install it with `apt-get install redis-server` (.ci/install-deps)");
        }
        int port = FreePort.tcp();
        Process p;
        try {
            p = new ProcessBuilder(REDIS.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no",
                    "--dir", System.getProperty("java.io.tmpdir"), "--logfile", "")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + REDIS, e);
        }
        RedisServer server = new RedisServer(port, p);
        if (!FreePort.awaitAccepting(port, START_TIMEOUT)) {
            server.close();
            throw new IllegalStateException("redis-server did not listen on " + port + " within " + START_TIMEOUT);
        }
        return server;
    }

    int port() {
        return port;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    /** Connections this server accepted so far, the one asking included (INFO stats total_connections_received). */
    long connectionsReceived() {
        String info = command(new InetSocketAddress("127.0.0.1", port), "INFO", "stats");
        for (String line : info.split("\r\n")) {
            if (line.startsWith("total_connections_received:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        throw new AssertionError("no total_connections_received in INFO stats: " + info);
    }

    /** SIGKILL, and wait until the port is free. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server on " + port + " did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        kill();
        Runtime.getRuntime().removeShutdownHook(cleanupHook);
    }

    /** One command on a new connection; the reply as text (a bulk string's payload, or a status/error line). */
    static String command(InetSocketAddress to, String... args) {
        try (Socket s = new Socket()) {
            s.connect(to, 5000);
            s.setSoTimeout(10_000);
            return command(s, args);
        } catch (IOException e) {
            throw new UncheckedIOException("redis command " + String.join(" ", args) + " to " + to, e);
        }
    }

    /** One command on an open connection. */
    static String command(Socket s, String... args) throws IOException {
        StringBuilder req = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            req.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        OutputStream out = s.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = s.getInputStream();
        String first = line(in);
        if (first.startsWith("$")) {
            int n = Integer.parseInt(first.substring(1));
            if (n < 0) {
                return null;
            }
            byte[] payload = in.readNBytes(n + 2);
            return new String(payload, 0, n, StandardCharsets.UTF_8);
        }
        return first;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed after '" + sb + "'");
            }
            if (c == '\n' && sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r') {
                sb.setLength(sb.length() - 1);
                return sb.toString();
            }
            sb.append((char) c);
        }
    }
}
