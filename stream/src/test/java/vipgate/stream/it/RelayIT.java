package vipgate.stream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NoLeaks;
import vipgate.transport.Transport;

/**
 * The byte relay on real sockets, on each transport the engine offers (their half-close and back-pressure paths
 * differ; epoll is refused, see reference.conf): a FIN is
 * passed on and the reply after it still arrives, and a gigabyte each way at once arrives intact with the proxy's
 * direct memory bounded.
 */
@ExtendWith(NoLeaks.class)
class RelayIT {
    private static final int BLOCK = 64 * 1024;

    private static String config(Transport transport, int serverPort) {
        return "transport = " + transport.name().toLowerCase().replace('_', '-') + "\n"
                + "upstreams.app.servers = [ { address = \"127.0.0.1:" + serverPort + "\" } ]\n"
                + "servers = [ { listen = \"LISTEN\", proxy-pass = app } ]";
    }

    /** One-connection servers run on their own threads. */
    private static final class Backend implements AutoCloseable {
        final ServerSocket socket;
        final ExecutorService threads = Executors.newCachedThreadPool();

        Backend() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            threads.shutdownNow();
            assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"AUTO", "EPOLL"}, mode = EnumSource.Mode.EXCLUDE)
    @Timeout(60)
    void aClientThatShutsItsOutputStillGetsTheWholeReply(Transport transport) throws Exception {
        Backend backend = null;
        StreamUnderTest stream = null;
        try {
            backend = new Backend();
            ServerSocket listening = backend.socket;
            // reads the whole request, and only after its FIN answers with 4 MiB
            Future<Long> served = backend.threads.submit(() -> {
                try (Socket s = listening.accept()) {
                    long got = s.getInputStream().transferTo(OutputStream.nullOutputStream());
                    OutputStream out = s.getOutputStream();
                    out.write(("got " + got + " bytes\n").getBytes(StandardCharsets.US_ASCII));
                    writePattern(out, 4L << 20, new CRC32C());
                    return got;
                }
            });
            stream = StreamUnderTest.start(config(transport, backend.port()));
            try (Socket client = new Socket()) {
                client.connect(stream.address(), 5000);
                client.setSoTimeout(20_000);
                writePattern(client.getOutputStream(), 1L << 20, new CRC32C());
                client.shutdownOutput();
                InputStream in = client.getInputStream();
                String head = new String(in.readNBytes(("got " + (1 << 20) + " bytes\n").length()), StandardCharsets.US_ASCII);
                assertThat(head).isEqualTo("got 1048576 bytes\n");
                CRC32C expected = new CRC32C();
                writePattern(OutputStream.nullOutputStream(), 4L << 20, expected);
                CRC32C got = new CRC32C();
                assertThat(readAll(in, got)).isEqualTo(4L << 20);
                assertThat(got.getValue()).isEqualTo(expected.getValue());
            }
            assertThat(served.get(20, TimeUnit.SECONDS)).isEqualTo(1L << 20);
            StreamUnderTest s = stream;
            Await.require(Duration.ofSeconds(5), "the session to end", () -> s.engine.sessions() == 0);
        } finally {
            Cleanup.close(stream, backend);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"AUTO", "EPOLL"}, mode = EnumSource.Mode.EXCLUDE)
    @Timeout(60)
    void socatHalfClosesAndReadsTheReply(Transport transport) throws Exception {
        Backend backend = null;
        StreamUnderTest stream = null;
        try {
            backend = new Backend();
            ServerSocket listening = backend.socket;
            backend.threads.submit(() -> {
                try (Socket s = listening.accept()) {
                    long got = s.getInputStream().transferTo(OutputStream.nullOutputStream());
                    s.getOutputStream().write(("got " + got + " bytes\n").getBytes(StandardCharsets.US_ASCII));
                }
                return null;
            });
            stream = StreamUnderTest.start(config(transport, backend.port()));
            // socat shuts its TCP output at stdin's EOF and waits up to -t seconds for the other direction
            Process socat = new ProcessBuilder("socat", "-t", "10", "-", "TCP:127.0.0.1:" + stream.port)
                    .redirectErrorStream(true).start();
            try (OutputStream stdin = socat.getOutputStream()) {
                stdin.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            String out = new String(socat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(socat.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(out).isEqualTo("got 6 bytes\n");
            assertThat(socat.exitValue()).isZero();
        } finally {
            Cleanup.close(stream, backend);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"AUTO", "EPOLL"}, mode = EnumSource.Mode.EXCLUDE)
    @Timeout(300)
    void aGigabyteEachWayAtOnceArrivesIntactInBoundedMemory(Transport transport) throws Exception {
        long size = 1L << 30;
        Backend backend = null;
        StreamUnderTest stream = null;
        ExecutorService client = Executors.newFixedThreadPool(2);
        try {
            backend = new Backend();
            ServerSocket listening = backend.socket;
            ExecutorService threads = backend.threads;
            // the server sends its gigabyte while it reads the client's
            Future<long[]> served = backend.threads.submit(() -> {
                try (Socket s = listening.accept()) {
                    Future<Long> sent = threads.submit(() -> {
                        CRC32C crc = new CRC32C();
                        writePattern(s.getOutputStream(), size, crc);
                        s.shutdownOutput();
                        return crc.getValue();
                    });
                    CRC32C got = new CRC32C();
                    long n = readAll(s.getInputStream(), got);
                    return new long[] {n, got.getValue(), sent.get()};
                }
            });
            stream = StreamUnderTest.start(config(transport, backend.port()));
            AtomicLong maxDirect = new AtomicLong();
            AtomicBoolean running = new AtomicBoolean(true);
            CompletableFuture<Void> sampler = CompletableFuture.runAsync(() -> {
                while (running.get()) {
                    maxDirect.accumulateAndGet(usedDirectMemory(), Math::max);
                    sleepQuietly();
                }
            });
            long[] sentAndReceived;
            try (Socket s = new Socket()) {
                s.connect(stream.address(), 5000);
                s.setSoTimeout(60_000);
                Future<Long> sent = client.submit(() -> {
                    CRC32C crc = new CRC32C();
                    writePattern(s.getOutputStream(), size, crc);
                    s.shutdownOutput();
                    return crc.getValue();
                });
                CRC32C got = new CRC32C();
                long n = readAll(s.getInputStream(), got);
                sentAndReceived = new long[] {sent.get(), n, got.getValue()};
            } finally {
                running.set(false);
                sampler.join();
            }
            long[] server = served.get(60, TimeUnit.SECONDS);
            assertThat(server[0]).as("bytes the server received").isEqualTo(size);
            assertThat(server[1]).as("checksum of the upload").isEqualTo(sentAndReceived[0]);
            assertThat(sentAndReceived[1]).as("bytes the client received").isEqualTo(size);
            assertThat(sentAndReceived[2]).as("checksum of the download").isEqualTo(server[2]);
            // two connections' worth of flow control, not a gigabyte: the reads pause while a side is full
            assertThat(maxDirect.get()).as("most direct memory Netty's allocator held").isLessThan(16L << 20);
        } finally {
            client.shutdownNow();
            Cleanup.close(stream, backend);
        }
    }

    private static long usedDirectMemory() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Writes {@code size} bytes of a pattern whose every 64 KiB block differs (its index in its first bytes), so a
     * lost, repeated or reordered block changes the checksum.
     */
    private static void writePattern(OutputStream out, long size, CRC32C crc) {
        byte[] block = new byte[BLOCK];
        for (int i = 0; i < BLOCK; i++) {
            block[i] = (byte) (i * 31 + 7);
        }
        try {
            for (long off = 0, index = 0; off < size; off += BLOCK, index++) {
                for (int b = 0; b < 8; b++) {
                    block[b] = (byte) (index >>> (8 * b));
                }
                int n = (int) Math.min(BLOCK, size - off);
                crc.update(block, 0, n);
                out.write(block, 0, n);
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long readAll(InputStream in, CRC32C crc) throws IOException {
        byte[] buf = new byte[BLOCK];
        long total = 0;
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            crc.update(buf, 0, n);
            total += n;
        }
        return total;
    }
}
