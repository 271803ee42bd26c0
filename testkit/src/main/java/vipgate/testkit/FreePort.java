package vipgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/**
 * Ephemeral loopback ports for tests. A port found here is free at the moment it is returned; another
 * process could still take it before the test binds it, which on loopback in a test run is rare enough.
 */
public final class FreePort {
    private FreePort() {
    }

    /** A TCP port free on 127.0.0.1, chosen by the kernel. */
    public static int tcp() {
        return tcp(InetAddress.getLoopbackAddress());
    }

    /** A TCP port free on the given local address (127.0.0.1 or ::1). */
    public static int tcp(InetAddress address) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(address, 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + address, e);
        }
    }

    /** A loopback port on which nothing listens: connecting to it is refused at once. */
    public static int refusing() {
        return tcp();
    }

    /** Whether something accepts TCP connections on 127.0.0.1:port right now. */
    public static boolean accepts(int port) {
        return accepts(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    public static boolean accepts(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Polls until the port accepts connections; false when the deadline passed first. */
    public static boolean awaitAccepting(int port, Duration timeout) {
        return Await.until(timeout, () -> accepts(port));
    }

    /** Polls until the port refuses connections; false when the deadline passed first. */
    public static boolean awaitRefusing(int port, Duration timeout) {
        return Await.until(timeout, () -> !accepts(port));
    }
}
