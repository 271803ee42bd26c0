package vipgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away network namespace ({@code ip netns add vg-<random>}) for tests that touch interfaces, addresses
 * or raw sockets without touching the host's. Loopback is up; add veth pairs with {@link #veth} and a bridge with
 * {@link #bridge}. {@link #close} deletes the namespace, and with it every interface inside; a JVM shutdown hook
 * deletes namespaces a test forgot, so none outlive the test run.
 *
 * <pre>{@code
 * NetNs.requireRoot();
 * try (NetNs a = NetNs.create(); NetNs b = NetNs.create()) {
 *     NetNs.veth(a, "va", b, "vb");
 *     a.ip("addr", "add", "10.200.0.1/24", "dev", "va");
 *     b.exec("ping", "-c1", "10.200.0.1");
 * }
 * }</pre>
 *
 * Java code runs in a namespace only on a thread that called {@code setns(2)} on {@link #path()}; sockets opened
 * there stay in the namespace whichever thread uses them later.
 */
public final class NetNs implements AutoCloseable {
    private static final long COMMAND_TIMEOUT_SECONDS = 30;
    private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(NetNs::delete), "netns-cleanup"));
    }

    private final String name;

    private NetNs(String name) {
        this.name = name;
    }

    /** Fails with a clear message when not root: the network-namespace tests need it (CI runs them as root). */
    public static void requireRoot() {
        String uid;
        try {
            uid = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                    .map(l -> l.split("\\s+")[2]).findFirst().orElse("?");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!uid.equals("0")) {
            throw new IllegalStateException("these integration tests create network namespaces, interfaces and raw "
                    + "sockets and need root (effective uid is " + uid + "); run `mvn verify` as root, as CI does");
        }
    }

    /** Creates {@code vg-<8 hex digits>} with loopback up. */
    public static NetNs create() {
        String name = "vg-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        run("ip", "netns", "add", name);
        LIVE.add(name);
        NetNs ns = new NetNs(name);
        try {
            ns.ip("link", "set", "lo", "up");
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** A veth pair with end {@code nameA} in {@code a} and {@code nameB} in {@code b}, both up. */
    public static void veth(NetNs a, String nameA, NetNs b, String nameB) {
        a.ip("link", "add", nameA, "type", "veth", "peer", "name", nameB, "netns", b.name);
        a.ip("link", "set", nameA, "up");
        b.ip("link", "set", nameB, "up");
    }

    /** A bridge {@code name} in this namespace, up, with interfaces {@code members} (already here) attached. */
    public void bridge(String name, String... members) {
        ip("link", "add", name, "type", "bridge");
        for (String member : members) {
            ip("link", "set", member, "master", name);
        }
        ip("link", "set", name, "up");
    }

    public String name() {
        return name;
    }

    /** {@code /run/netns/<name>}: open it and {@code setns(fd, CLONE_NEWNET)} to enter the namespace. */
    public Path path() {
        return Path.of("/run/netns", name);
    }

    /** Runs {@code ip -n <name> args...} and returns its output; throws with the output when it fails. */
    public String ip(String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    /** Runs {@code command} inside the namespace ({@code ip netns exec}) and returns its output. */
    public String exec(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return run(full.toArray(String[]::new));
    }

    /** Deletes the namespace and everything in it. Idempotent. */
    @Override
    public void close() {
        if (LIVE.remove(name)) {
            delete(name);
        }
    }

    private static void delete(String name) {
        try {
            run("ip", "netns", "del", name);
        } catch (RuntimeException e) {
            // Already gone is fine; anything else is reported but must not hide the test's own failure.
            if (Files.exists(Path.of("/run/netns", name))) {
                System.err.println("NetNs: could not delete namespace " + name + ": " + e.getMessage());
            }
        }
    }

    /** Runs a command, returning stdout+stderr; throws with them on a nonzero exit or after 30 s. */
    public static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in "
                        + COMMAND_TIMEOUT_SECONDS + " s");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue() + ": "
                        + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }

    @Override
    public String toString() {
        return "NetNs{" + name + "}";
    }
}
