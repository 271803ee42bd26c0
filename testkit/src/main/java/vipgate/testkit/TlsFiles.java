package vipgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test certificates and keys made at test time by the real openssl (Debian package openssl), in a directory the
 * test owns: RSA keys in PKCS#1 ("RSA PRIVATE KEY", openssl genrsa -traditional), EC keys in SEC1 with their
 * curve parameters before them (openssl ecparam -genkey), and the other encodings converted from those.
 * Certificates are self-signed, valid from now for 30 days unless made expired, with the given DNS names.
 */
public final class TlsFiles {
    public static final Path OPENSSL = Path.of("/usr/bin/openssl");
    private final Path dir;

    /** A certificate and its key, as files. */
    public record Pair(Path certificate, Path key) {
    }

    private TlsFiles(Path dir) {
        this.dir = dir;
    }

    public static TlsFiles in(Path dir) {
        if (!Files.isExecutable(OPENSSL)) {
            throw new IllegalStateException(OPENSSL + " is missing: the TLS tests make their certificates with it; "
                    + "install it with `apt-get install openssl`");
        }
        return new TlsFiles(dir);
    }

    public Path dir() {
        return dir;
    }

    /** A 2048-bit RSA key (PKCS#1) and a certificate for {@code names} (the first also its common name). */
    public Pair rsa(String file, String... names) {
        Path key = dir.resolve(file + ".key");
        run("genrsa", "-traditional", "-out", key.toString(), "2048");
        return new Pair(selfSigned(file, key, names), key);
    }

    /** A P-256 EC key (SEC1, after its EC PARAMETERS block) and a certificate for {@code names}. */
    public Pair ec(String file, String... names) {
        Path key = dir.resolve(file + ".key");
        run("ecparam", "-name", "prime256v1", "-genkey", "-out", key.toString());
        return new Pair(selfSigned(file, key, names), key);
    }

    /** A new self-signed certificate (a new serial) for an existing key. */
    public Path selfSigned(String file, Path key, String... names) {
        Path cert = dir.resolve(file + ".crt");
        run("req", "-x509", "-new", "-key", key.toString(), "-sha256", "-days", "30", "-subj", "/CN=" + names[0],
                "-addext", "subjectAltName=" + sans(names), "-out", cert.toString());
        return cert;
    }

    /** A certificate for {@code key} that was valid in January 2020 only. */
    public Path expired(String file, Path key, String... names) {
        Path work = dir.resolve(file + "-ca");
        try {
            Files.createDirectories(work);
            Files.writeString(work.resolve("index.txt"), "");
            Files.writeString(work.resolve("serial"), "1000\n");
            Files.writeString(work.resolve("ca.cnf"), """
                    [ca]
                    default_ca = d
                    [d]
                    database = %1$s/index.txt
                    new_certs_dir = %1$s
                    serial = %1$s/serial
                    default_md = sha256
                    policy = p
                    unique_subject = no
                    copy_extensions = copy
                    [p]
                    commonName = supplied
                    """.formatted(work));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path csr = work.resolve("req.csr");
        run("req", "-new", "-key", key.toString(), "-subj", "/CN=" + names[0], "-addext", "subjectAltName=" + sans(names),
                "-out", csr.toString());
        Path cert = dir.resolve(file + ".crt");
        run("ca", "-batch", "-config", work.resolve("ca.cnf").toString(), "-selfsign", "-keyfile", key.toString(),
                "-in", csr.toString(), "-startdate", "20200101000000Z", "-enddate", "20200201000000Z", "-notext",
                "-out", cert.toString());
        return cert;
    }

    /** {@code key} as unencrypted PKCS#8 ("PRIVATE KEY"). */
    public Path pkcs8(Path key) {
        Path out = dir.resolve(key.getFileName() + ".p8");
        run("pkcs8", "-topk8", "-nocrypt", "-in", key.toString(), "-out", out.toString());
        return out;
    }

    /** {@code key} as PKCS#8 encrypted with AES-256-CBC under {@code passphrase} ("ENCRYPTED PRIVATE KEY"). */
    public Path encryptedPkcs8(Path key, String passphrase) {
        Path out = dir.resolve(key.getFileName() + ".enc.p8");
        run("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", key.toString(), "-passout", "pass:" + passphrase,
                "-out", out.toString());
        return out;
    }

    /** An RSA {@code key} in OpenSSL's legacy encrypted PEM (Proc-Type: 4,ENCRYPTED, AES-128-CBC). */
    public Path legacyEncrypted(Path key, String passphrase) {
        Path out = dir.resolve(key.getFileName() + ".enc.pem");
        run("rsa", "-in", key.toString(), "-aes128", "-traditional", "-passout", "pass:" + passphrase, "-out", out.toString());
        return out;
    }

    /** Writes {@code text} to {@code file} in the directory. */
    public Path write(String file, String text) {
        Path p = dir.resolve(file);
        try {
            Files.writeString(p, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** The files' contents one after the other (a CA bundle, a chain). */
    public Path concat(String file, Path... parts) {
        StringBuilder text = new StringBuilder();
        try {
            for (Path p : parts) {
                text.append(Files.readString(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return write(file, text.toString());
    }

    private static String sans(String... names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            out.add((n.matches("[0-9.]+") ? "IP:" : "DNS:") + n);
        }
        return String.join(",", out);
    }

    /** Runs openssl with {@code args} (stdin empty); fails with its output unless it exits 0. */
    public static String run(String... args) {
        List<String> command = new ArrayList<>();
        command.add(OPENSSL.toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                    Path.of("/dev/null").toFile())).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("openssl " + String.join(" ", args) + " did not finish in 30 s");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("openssl " + String.join(" ", args) + " failed (" + p.exitValue() + "):\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
