package vipgate.testkit.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import vipgate.testkit.Await;

/**
 * One qemu guest of the {@link VmLab}: the appliance image under TCG (KVM hangs on these nested machines), one
 * virtio NIC on a tap of the lab's bridge, the serial console captured to {@code console.log}, and a root shell on
 * the second serial port for {@link #run}. Disks are opened with {@code snapshot=on}: the image is never written.
 * {@link #powerOff} pulls the plug (SIGKILL to qemu): no shutdown, no goodbye adverts.
 */
public final class Guest implements AutoCloseable {
    /** A command's exit status and its output (stdout and stderr together). */
    public record Result(int status, String output) {
        public boolean ok() {
            return status == 0;
        }
    }

    private static final Duration SHELL_TIMEOUT = Duration.ofSeconds(180);

    private final String name;
    private final Path dir;
    private final Process qemu;
    private final long startedNanos;
    private final Thread cleanupHook;
    private SerialShell shell;

    private Guest(String name, Path dir, Process qemu, long startedNanos) {
        this.name = name;
        this.dir = dir;
        this.qemu = qemu;
        this.startedNanos = startedNanos;
        this.cleanupHook = new Thread(qemu::destroyForcibly, "guest-" + name + "-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    public String name() {
        return name;
    }

    /** When qemu was started, on the {@link System#nanoTime} clock (for boot-to-serving measurements). */
    public long startedNanos() {
        return startedNanos;
    }

    public boolean isRunning() {
        return qemu.isAlive();
    }

    /** Waits until the guest's lab shell answers: the guest booted far enough to run vipgate-identity. */
    public Guest awaitShell() {
        return awaitShell(SHELL_TIMEOUT);
    }

    public synchronized Guest awaitShell(Duration timeout) {
        if (shell == null) {
            Path socket = dir.resolve("shell.sock");
            Await.require(Duration.ofSeconds(30), () -> "qemu's shell socket " + socket + "; " + diagnostics(),
                    () -> Files.exists(socket) || !qemu.isAlive());
            if (!qemu.isAlive()) {
                throw new AssertionError("qemu of guest " + name + " exited " + qemu.exitValue() + "; " + diagnostics());
            }
            try {
                shell = new SerialShell(socket, dir.resolve("shell.log"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot connect to " + socket, e);
            }
        }
        try {
            shell.awaitReady(timeout);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + diagnostics(), e);
        }
        return this;
    }

    /** Runs an sh script in the guest as root; returns its status and output. */
    public Result run(String script, Duration timeout) {
        SerialShell s;
        synchronized (this) {
            if (shell == null) {
                awaitShell();
            }
            s = shell;
        }
        return s.run(script, timeout);
    }

    public Result run(String script) {
        return run(script, Duration.ofSeconds(60));
    }

    /** Like {@link #run} but fails with the output when the script exits nonzero; returns the output. */
    public String sh(String script) {
        Result r = run(script);
        if (!r.ok()) {
            throw new AssertionError("in guest " + name + ": `" + script + "` exited " + r.status() + ": " + r.output());
        }
        return r.output();
    }

    /** The power cable: SIGKILL to qemu, so the guest stops between two instructions. */
    public void powerOff() {
        qemu.destroyForcibly();
        try {
            if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("qemu of guest " + name + " survived SIGKILL for 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Path consoleLog() {
        return dir.resolve("console.log");
    }

    /** The tail of the console and of qemu's own output, for failure messages. */
    public String diagnostics() {
        return "guest " + name + " console (" + consoleLog() + ") ends with:\n" + tail(consoleLog(), 40)
                + "\nqemu output:\n" + tail(dir.resolve("qemu.log"), 10);
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(" + file + " unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public synchronized void close() {
        if (shell != null) {
            shell.close();
        }
        powerOff();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook kills qemu anyway
        }
    }

    /** How a guest boots and who it is; from {@link VmLab#guest}. */
    public static final class Builder {
        private final VmLab lab;
        private final String name;
        private final Map<String, String> params = new LinkedHashMap<>();
        private Path jar;
        private boolean biosBoot;
        private int memoryMiB = 1024;
        private String mac;

        Builder(VmLab lab, String name, String mac) {
            this.lab = lab;
            this.name = name;
            this.mac = mac;
        }

        /** A {@code vipgate.*} boot parameter (see the image's /etc/vipgate/identity), e.g. node, ip, priority. */
        public Builder param(String key, String value) {
            if (value.contains(" ")) {
                throw new IllegalArgumentException("boot parameters cannot contain spaces: " + key + "=" + value);
            }
            params.put(key.startsWith("vipgate.") ? key : "vipgate." + key, value);
            return this;
        }

        /**
         * Direct boot (the default): qemu loads the image's kernel and initramfs, the base disk has no jar and
         * {@code jar} is attached as a read-only app volume ({@code /dev/vdb}), so the guest runs this build.
         */
        public Builder jar(Path jar) {
            this.jar = jar;
            return this;
        }

        /**
         * Boot the operator's disk ({@link ApplianceImage#disk()}, with its own jar) through SeaBIOS and syslinux,
         * as a VM platform would; the parameters then travel through qemu's fw_cfg.
         */
        public Builder biosBoot() {
            this.biosBoot = true;
            return this;
        }

        public Builder memoryMiB(int mib) {
            this.memoryMiB = mib;
            return this;
        }

        public Guest start() {
            return lab.start(this);
        }

        String name() {
            return name;
        }

        /** The qemu command line (run inside the lab's namespace, where the tap is). */
        List<String> command(ApplianceImage image, Path dir, String tap, Path appVolume) {
            String lab = "vipgate.lab-shell=ttyS1";
            String identity = String.join(" ", params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
            List<String> c = new ArrayList<>(List.of("qemu-system-x86_64", "-name", name, "-accel", "tcg",
                    "-m", Integer.toString(memoryMiB), "-smp", "1", "-nodefaults", "-no-user-config", "-display", "none",
                    "-no-reboot",
                    // qemu's default VGA and the iPXE option ROM slow a TCG boot down and serve no purpose here
                    "-netdev", "tap,id=net0,ifname=" + tap + ",script=no,downscript=no",
                    "-device", "virtio-net-pci,netdev=net0,mac=" + mac + ",romfile=",
                    // entropy from the host: without it the guest's CRNG needs ~50 s under TCG and the JVM waits for it
                    "-device", "virtio-rng-pci",
                    "-chardev", "file,id=console,path=" + dir.resolve("console.log"),
                    "-serial", "chardev:console",
                    "-chardev", "socket,id=shell,path=" + dir.resolve("shell.sock") + ",server=on,wait=off",
                    "-serial", "chardev:shell"));
            if (biosBoot) {
                c.addAll(List.of("-drive", "file=" + image.disk() + ",format=raw,if=virtio,snapshot=on",
                        "-fw_cfg", "name=opt/vipgate/params,string=" + (lab + " " + identity).replace(",", ",,")));
            } else {
                c.addAll(List.of("-kernel", image.kernel().toString(), "-initrd", image.initrd().toString(),
                        "-append", "console=ttyS0,115200 quiet systemd.show_status=1 vipgate.app=/dev/vdb " + lab + " " + identity,
                        "-drive", "file=" + image.baseDisk() + ",format=raw,if=virtio,snapshot=on",
                        "-drive", "file=" + appVolume + ",format=raw,if=virtio,readonly=on"));
            }
            return c;
        }

        Path jar() {
            return jar;
        }

        boolean isBiosBoot() {
            return biosBoot;
        }
    }

    static Guest launch(String name, Path dir, List<String> command) {
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve("shell.sock"));
            Files.deleteIfExists(dir.resolve("console.log"));
            Files.writeString(dir.resolve("qemu.cmdline"), String.join(" ", command) + "\n");
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("qemu.log").toFile()).start();
            p.getOutputStream().close();
            return new Guest(name, dir, p, t0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start qemu for guest " + name, e);
        }
    }
}
