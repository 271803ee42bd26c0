package vipgate.testkit.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The appliance image the VM lab boots, built (or found in the cache) by {@code appliance-image/image/build}: the
 * cached base (kernel, initramfs, base disk without the jar) and the final disk of this build (the base plus the
 * jar in partition 4). The build script is the one documented command; tests call it too, so a clean machine
 * builds the image from nothing and a warm one pays almost nothing.
 *
 * @param baseDir the cache directory of the base: {@code vmlinuz}, {@code initrd.img}, {@code base.raw}
 * @param outDir where the final disk was written: {@code vipgate.raw} (and {@code .qcow2})
 */
public record ApplianceImage(Path baseDir, Path outDir) {
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(15);
    private static ApplianceImage built;

    /**
     * Runs {@code buildScript --jar jar --out outDir --print-base-dir} once per JVM (the script's progress goes to
     * this process's stderr) and returns the result.
     */
    public static synchronized ApplianceImage build(Path buildScript, Path jar, Path outDir) {
        if (built != null && built.outDir.equals(outDir)) {
            return built;
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the lab runs the jar of the current build (mvn package)");
        }
        List<String> command = List.of(buildScript.toString(), "--jar", jar.toString(), "--out", outDir.toString(),
                "--print-base-dir");
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(buildScript + " did not finish within " + BUILD_TIMEOUT.toMinutes() + " min");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue()
                        + " (its messages are above)");
            }
            String[] lines = out.split("\n");
            built = new ApplianceImage(Path.of(lines[lines.length - 1].strip()), outDir);
            return built;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + buildScript, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the image", e);
        }
    }

    public Path kernel() {
        return baseDir.resolve("vmlinuz");
    }

    public Path initrd() {
        return baseDir.resolve("initrd.img");
    }

    /** Boot, root and data partitions, no jar: what direct-boot guests boot, with the jar as a drive of its own. */
    public Path baseDisk() {
        return baseDir.resolve("base.raw");
    }

    /** The operator's disk: bootable through the BIOS, with this build's jar in partition 4. */
    public Path disk() {
        return outDir.resolve("vipgate.raw");
    }

    /**
     * A squashfs holding {@code jar} as {@code vipgate.jar}, the "app volume" a direct-boot guest mounts on
     * /usr/lib/vipgate ({@code vipgate.app=/dev/vdb}); written into {@code dir}.
     */
    public static Path appVolume(Path jar, Path dir) {
        try {
            Path content = Files.createDirectories(dir.resolve("app"));
            Files.copy(jar, content.resolve("vipgate.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Path volume = dir.resolve("app.sqfs");
            Files.deleteIfExists(volume);
            vipgate.testkit.NetNs.run("gensquashfs", "-q", "-c", "lz4", "-D", content.toString(), volume.toString());
            return volume;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
