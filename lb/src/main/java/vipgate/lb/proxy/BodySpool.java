package vipgate.lb.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;

/**
 * A body read faster than the other side takes it: a response from the server ahead of a slow client (nginx
 * proxy_buffering), or a request from a slow client before the server is asked (nginx proxy_request_buffering). Up to
 * a memory limit in buffers, beyond it in a temporary file (nginx proxy_temp_path, proxy_max_temp_file_size), handed
 * out in order.
 * The file is unlinked as soon as it is created, so nothing is left behind whatever happens to the process.
 * Confined to the exchange's event loop.
 */
final class BodySpool {
    /** What one read from the file hands on at most. */
    private static final int FILE_CHUNK = 64 * 1024;

    private final long memoryLimit;
    private final long fileLimit;
    private final Path dir;
    private final ArrayDeque<ByteBuf> memory = new ArrayDeque<>();
    private long memoryBytes;
    private FileChannel file;
    private long written;
    private long read;
    /** The end of the response (with its trailers), handed out after every byte. */
    private LastHttpContent last;
    private boolean spilled;

    BodySpool(long memoryLimit, long fileLimit, Path dir) {
        this.memoryLimit = memoryLimit;
        this.fileLimit = fileLimit;
        this.dir = dir;
    }

    /** Takes {@code content} (and its reference). */
    void add(HttpContent content) {
        try {
            ByteBuf bytes = content.content();
            int n = bytes.readableBytes();
            // order: once bytes wait in the file, later ones go behind them
            // without a file (max-temp-file = 0) memory takes what was read beyond its limit: reading stops there
            if (n > 0 && read == written && (memoryBytes + n <= memoryLimit || fileLimit == 0)) {
                memory.add(bytes.retain());
                memoryBytes += n;
            } else if (n > 0) {
                spill(bytes);
            }
            if (content instanceof LastHttpContent end) {
                last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, end.trailingHeaders().copy());
            }
            spilled |= file != null;
        } finally {
            content.release();
        }
    }

    private void spill(ByteBuf bytes) {
        try {
            if (file == null) {
                Path path = Files.createTempFile(dir, "vipgate-response-", ".tmp");
                file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                Files.delete(path);
            }
            while (bytes.isReadable()) {
                written += bytes.readBytes(file, written, bytes.readableBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot buffer a response in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Whether the file reached its limit: then the server is read only as fast as the client takes. */
    boolean full() {
        return fileLimit == 0 ? memoryBytes >= memoryLimit : written - read >= fileLimit;
    }

    /** Whether any of the body went to the file: then it cannot be taken back out as buffers. */
    boolean spilled() {
        return spilled;
    }

    boolean isEmpty() {
        return memory.isEmpty() && read == written && last == null;
    }

    /** The next piece for the client, or null when nothing waits. */
    HttpContent next(ByteBufAllocator alloc) {
        ByteBuf b = memory.poll();
        if (b != null) {
            memoryBytes -= b.readableBytes();
            return new DefaultHttpContent(b);
        }
        if (read < written) {
            int n = (int) Math.min(FILE_CHUNK, written - read);
            ByteBuf chunk = alloc.buffer(n);
            try {
                while (chunk.readableBytes() < n) {
                    int r = chunk.writeBytes(file, read, n - chunk.readableBytes());
                    if (r < 0) {
                        throw new IOException("the file ended early");
                    }
                    read += r;
                }
            } catch (IOException e) {
                chunk.release();
                throw new UncheckedIOException("cannot read a buffered response back: " + e.getMessage(), e);
            }
            if (read == written) {
                // drained: the next bytes may use memory again
                read = 0;
                written = 0;
            }
            return new DefaultHttpContent(chunk);
        }
        LastHttpContent end = last;
        last = null;
        return end;
    }

    void release() {
        memory.forEach(ByteBuf::release);
        memory.clear();
        memoryBytes = 0;
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // unlinked already: the space is freed with the descriptor
            }
            file = null;
        }
    }
}
