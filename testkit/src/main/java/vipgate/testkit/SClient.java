package vipgate.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code openssl s_client} (Debian package openssl) against a TLS port on 127.0.0.1: sends one HTTP/1.0
 * request (so the server closes after its answer, and TLS 1.3 session tickets have arrived by then) and reports what
 * was negotiated and which certificate came.
 */
public final class SClient {
    private static final Pattern SUBJECT = Pattern.compile("(?m)^subject=.*?CN ?= ?([^,\\s/]+)");
    private static final Pattern SESSION = Pattern.compile("(?m)^(New|Reused), (TLSv[0-9.]+), Cipher is (\\S+)");
    private static final Pattern PEER_SIGNATURE = Pattern.compile("(?m)^Peer signature type: (\\S+)");

    /** What one s_client run saw; {@code output} is everything it printed. */
    public record Result(int exit, String output) {
        public boolean handshook() {
            return SESSION.matcher(output).find() && !output.contains("Cipher is (NONE)");
        }

        /** The common name of the certificate the server sent. */
        public String subject() {
            Matcher m = SUBJECT.matcher(output);
            return m.find() ? m.group(1) : "";
        }

        public String protocol() {
            Matcher m = SESSION.matcher(output);
            return m.find() ? m.group(2) : "";
        }

        /** The suite in OpenSSL's spelling. */
        public String cipher() {
            Matcher m = SESSION.matcher(output);
            return m.find() ? m.group(3) : "";
        }

        public boolean reused() {
            Matcher m = SESSION.matcher(output);
            return m.find() && m.group(1).equals("Reused");
        }

        /** "ECDSA", "RSA-PSS", "RSA" */
        public String peerSignature() {
            Matcher m = PEER_SIGNATURE.matcher(output);
            return m.find() ? m.group(1) : "";
        }

        /** The serial of the certificate the server sent (s_client prints it in PEM); null when none came. */
        public BigInteger serial() {
            int begin = output.indexOf("-----BEGIN CERTIFICATE-----");
            if (begin < 0) {
                return null;
            }
            try {
                return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                        new ByteArrayInputStream(output.substring(begin).getBytes(StandardCharsets.ISO_8859_1)))).getSerialNumber();
            } catch (CertificateException e) {
                throw new AssertionError("s_client printed a certificate that does not parse: " + output, e);
            }
        }

        @Override
        public String toString() {
            return "s_client exit " + exit + ":\n" + output;
        }
    }

    private SClient() {
    }

    /** Connects to 127.0.0.1:port, asking for {@code serverName} in SNI (null: none), with extra options; GET /. */
    public static Result run(int port, String serverName, String... options) {
        return get(port, serverName, "/", options);
    }

    /** {@link #run} with the request for {@code path}. */
    public static Result get(int port, String serverName, String path, String... options) {
        List<String> command = new ArrayList<>(List.of(TlsFiles.OPENSSL.toString(), "s_client", "-connect", "127.0.0.1:" + port,
                "-ign_eof"));
        if (serverName == null) {
            command.add("-noservername");
        } else {
            command.add("-servername");
            command.add(serverName);
        }
        command.addAll(List.of(options));
        try {
            Path in = Files.createTempFile("s_client", ".in");
            Path out = Files.createTempFile("s_client", ".out");
            try {
                Files.writeString(in, "GET " + path + " HTTP/1.0\r\nHost: " + (serverName == null ? "x" : serverName) + "\r\n\r\n");
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(in.toFile())
                        .redirectOutput(out.toFile()).start();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    throw new AssertionError("s_client did not finish in 20 s: " + Files.readString(out));
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1));
            } finally {
                Files.deleteIfExists(in);
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
