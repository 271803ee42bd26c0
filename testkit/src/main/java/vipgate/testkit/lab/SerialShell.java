package vipgate.testkit.lab;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The harness's command channel into a guest: a root shell the guest runs on its second serial port
 * ({@code vipgate-lab-shell@ttyS1}, raw and without echo), which qemu exposes as a unix socket on the host.
 *
 * <p>Protocol: each command travels base64-encoded (no quoting or line-length trouble), runs as a script with
 * stdin from /dev/null and stderr merged into stdout, and is followed by {@code printf '\n@@VG@@ <id> <status>\n'};
 * its output is everything before that marker. Commands run one at a time. Everything the guest sends is also
 * appended to a transcript file, for the post-mortem of a failed test.
 */
final class SerialShell implements AutoCloseable {
    private static final String MARK = "@@VG@@";
    private static final Pattern DONE = Pattern.compile("\n" + MARK + " (\\d+) (\\d+)\n");

    private final SocketChannel channel;
    private final OutputStream transcript;
    private final StringBuilder received = new StringBuilder();
    private final Thread reader;
    private long nextId = 1;
    private boolean closed;

    /** Connects to qemu's socket (it exists once qemu has started; {@code awaitSocket} waits for that). */
    SerialShell(Path socket, Path transcriptFile) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        transcript = Files.newOutputStream(transcriptFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        reader = new Thread(this::readLoop, "serial-shell-" + socket.getParent().getFileName());
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try {
            while (channel.read(buf.clear()) >= 0) {
                buf.flip();
                byte[] bytes = new byte[buf.remaining()];
                buf.get(bytes);
                transcript.write(bytes);
                transcript.flush();
                synchronized (received) {
                    // ISO-8859-1 maps every byte to one char: offsets stay byte offsets, nothing is lost
                    received.append(new String(bytes, StandardCharsets.ISO_8859_1));
                    received.notifyAll();
                }
            }
        } catch (IOException e) {
            // qemu went away (power-off) or we closed the channel
        } finally {
            synchronized (received) {
                closed = true;
                received.notifyAll();
            }
        }
    }

    /**
     * Waits until the guest's shell answers (it starts late in boot): probes it every second and then
     * synchronises, discarding whatever earlier probes and boot noise left in the stream.
     */
    synchronized void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long id = nextId++;
            // no quotes: probes sent before the shell runs reach it cut or mangled (the tty is flushed when the
            // shell's unit starts), and a leftover quote would make sh swallow every later line as one open string
            send("echo; echo " + MARK + " " + id + " 0\n");
            if (awaitMarker(id, Math.min(1_000_000_000L, deadline - System.nanoTime())) != null) {
                break;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("the guest's lab shell did not answer within " + timeout.toSeconds() + " s");
            }
        }
    }

    /** Runs {@code script} (sh syntax) in the guest; returns its exit status and output. */
    synchronized Guest.Result run(String script, Duration timeout) {
        long id = nextId++;
        String encoded = Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
        send("echo " + encoded + " | base64 -d >/tmp/.vg-cmd; sh /tmp/.vg-cmd </dev/null 2>&1; printf '\\n" + MARK + " "
                + id + " %d\\n' $?\n");
        Guest.Result result = awaitMarker(id, timeout.toNanos());
        if (result == null) {
            throw new AssertionError("command did not finish within " + timeout.toMillis() + " ms"
                    + (closed ? " (the guest is gone)" : "") + ": " + script);
        }
        return result;
    }

    private void send(String line) {
        try {
            ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the guest's lab shell is gone", e);
        }
    }

    /** The output before marker {@code id}, consumed from the stream; null when it did not come in time. */
    private Guest.Result awaitMarker(long id, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (received) {
            while (true) {
                Matcher m = DONE.matcher(received);
                while (m.find()) {
                    if (Long.parseLong(m.group(1)) == id) {
                        String output = received.substring(0, m.start());
                        int status = Integer.parseInt(m.group(2));
                        received.delete(0, m.end());   // the matcher reads the builder: nothing of it after this
                        return new Guest.Result(status,
                                new String(output.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return null;
                }
                try {
                    received.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for the guest", e);
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
            reader.join(2000);
            transcript.close();
        } catch (IOException e) {
            // closing anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
