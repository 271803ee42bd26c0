package vipgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real keepalived (Debian 12's 2.2.7) as a VRRP peer inside a test namespace, with its own pid files so several
 * can run at once. The config is keepalived's own syntax, exactly as operators write it.
 */
public final class Keepalived implements AutoCloseable {
    public static final Path KEEPALIVED = Path.of("/usr/sbin/keepalived");

    private final NetNs ns;
    private final Path dir;
    private final Path log;
    private Process process;

    private Keepalived(NetNs ns, Path dir) {
        this.ns = ns;
        this.dir = dir;
        this.log = dir.resolve("keepalived.log");
    }

    /**
     * A keepalived.conf with one {@code vrrp_instance VI_1} on eth0, VRID 51, as the seed articles write it.
     *
     * @param advertInterval keepalived's advert_int ("1", or "0.1" with version 3)
     * @param passwordPass PASS authentication with password 1111 (version 2 only)
     * @param extra more instance lines, e.g. unicast_src_ip / unicast_peer; "" for none
     * @param vipCidr the virtual address, e.g. "10.77.0.100/24"
     */
    public static String instanceConfig(String routerId, int version, String state, int priority, String advertInterval,
            boolean passwordPass, String extra, String vipCidr) {
        return """
                global_defs {
                    router_id %s
                    vrrp_version %d
                    script_user root
                }
                vrrp_instance VI_1 {
                    state %s
                    interface eth0
                    virtual_router_id 51
                    priority %d
                    advert_int %s
                    %s
                    %s
                    virtual_ipaddress {
                        %s
                    }
                }
                """.formatted(routerId, version, state, priority, advertInterval,
                passwordPass && version == 2 ? "authentication {\n        auth_type PASS\n        auth_pass 1111\n    }" : "",
                extra, vipCidr);
    }

    public static Keepalived start(NetNs ns, String config) {
        if (!Files.isExecutable(KEEPALIVED)) {
            throw new IllegalStateException(KEEPALIVED + " is missing: the VRRP interop tests run real keepalived; "
                    + "install it with `apt-get install keepalived`");
        }
        try {
            Path dir = Files.createTempDirectory("vipgate-keepalived-");
            Files.writeString(dir.resolve("keepalived.conf"), config);
            Keepalived k = new Keepalived(ns, dir);
            k.start();
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts it (again) with the same config. */
    public void start() {
        try {
            process = new ProcessBuilder("ip", "netns", "exec", ns.name(), KEEPALIVED.toString(), "--dont-fork", "--log-console",
                    "--log-detail", "--no-syslog", "--vrrp", "--dont-respawn", "--use-file=" + dir.resolve("keepalived.conf"),
                    "--pid=" + dir.resolve("k.pid"), "--vrrp_pid=" + dir.resolve("v.pid"), "--checkers_pid=" + dir.resolve("c.pid"),
                    "--bfd_pid=" + dir.resolve("b.pid"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start keepalived", e);
        }
    }

    /** SIGTERM: keepalived sends a priority-0 advert and removes its VIPs before it exits. */
    public void stop() {
        signalAll("TERM");
        await();
    }

    /** SIGKILL to every keepalived process: the box died; its VIPs stay where they were. */
    public void kill() {
        signalAll("KILL");
        await();
    }

    private void signalAll(String signal) {
        for (String pidFile : List.of("v.pid", "k.pid")) {
            Path p = dir.resolve(pidFile);
            try {
                if (Files.exists(p)) {
                    String pid = Files.readString(p).strip();
                    new ProcessBuilder("kill", "-" + signal, pid).redirectErrorStream(true).start().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void await() {
        if (process == null) {
            return;
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // the VRRP child may outlive the parent on SIGKILL of the parent only; make sure nothing is left
        Await.until(Duration.ofSeconds(5), () -> !alive("v.pid"));
    }

    private boolean alive(String pidFile) {
        try {
            Path p = dir.resolve(pidFile);
            if (!Files.exists(p)) {
                return false;
            }
            return ProcessHandle.of(Long.parseLong(Files.readString(p).strip())).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        signalAll("KILL");
        if (process != null) {
            process.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // temp files only
        }
    }
}
