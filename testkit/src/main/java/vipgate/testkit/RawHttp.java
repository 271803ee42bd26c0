package vipgate.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately small HTTP/1.1 client over a plain socket, for tests that must control every byte (request
 * smuggling, pipelining, Expect: 100-continue) or must not be helped by a client library's own retries.
 * It never retries and never follows anything; it frames responses exactly by RFC 9112.
 */
public final class RawHttp implements Closeable {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:port; reads time out after 10 s. */
    public static RawHttp connect(int port) {
        return connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), DEFAULT_TIMEOUT);
    }

    public static RawHttp connect(InetSocketAddress address, Duration readTimeout) {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(address, (int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
            return new RawHttp(s);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing more to do
            }
            throw new UncheckedIOException("cannot connect to " + address, e);
        }
    }

    /** Speaks over a socket already connected (e.g. a TLS one); reads time out after 10 s. */
    public static RawHttp over(Socket connected) {
        try {
            connected.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
            return new RawHttp(connected);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use " + connected, e);
        }
    }

    public Socket socket() {
        return socket;
    }

    public RawHttp readTimeout(Duration timeout) {
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Sends text as ISO-8859-1 bytes, exactly as given (write {@code \r\n} yourself). */
    public RawHttp send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends {@code GET path} with the given Host and reads the response. */
    public Response get(String path, String host) throws IOException {
        send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        return read();
    }

    /** Reads one response (an interim 1xx response is returned on its own). */
    public Response read() throws IOException {
        return read(false);
    }

    /** Reads one response; {@code headRequest} when it answers a HEAD, which has no body whatever it says. */
    public Response read(boolean headRequest) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new EOFException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: '" + statusLine + "'");
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad status in '" + statusLine + "'", e);
        }
        List<Map.Entry<String, String>> headers = headerBlock();
        Response head = new Response(statusLine, parts[0], status, headers, new byte[0], List.of());
        if (status < 200 || headRequest || status == 204 || status == 304) {
            return head;
        }
        String te = head.header("Transfer-Encoding");
        if (te != null) {
            if (!te.trim().equalsIgnoreCase("chunked")) {
                throw new IOException("unexpected Transfer-Encoding: " + te);
            }
            return chunkedBody(head);
        }
        String cl = head.header("Content-Length");
        if (cl != null) {
            byte[] body = in.readNBytes(Integer.parseInt(cl.trim()));
            if (body.length != Integer.parseInt(cl.trim())) {
                throw new EOFException("connection closed after " + body.length + " of " + cl + " body bytes");
            }
            return head.withBody(body, List.of());
        }
        return head.withBody(in.readAllBytes(), List.of());
    }

    private Response chunkedBody(Response head) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<Integer> sizes = new ArrayList<>();
        while (true) {
            String sizeLine = line();
            if (sizeLine == null) {
                throw new EOFException("connection closed inside a chunked body after " + body.size() + " bytes");
            }
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            if (size == 0) {
                headerBlock(); // trailers
                return head.withBody(body.toByteArray(), sizes);
            }
            sizes.add(size);
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new EOFException("connection closed inside a chunk");
            }
            body.write(chunk);
            String end = line();
            if (end == null || !end.isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    private List<Map.Entry<String, String>> headerBlock() throws IOException {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        while (true) {
            String l = line();
            if (l == null) {
                throw new EOFException("connection closed inside a header block");
            }
            if (l.isEmpty()) {
                return headers;
            }
            int colon = l.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line '" + l + "'");
            }
            headers.add(Map.entry(l.substring(0, colon), l.substring(colon + 1).trim()));
        }
    }

    /** A line without its CRLF; null at end of stream before any byte. Insists on CRLF. */
    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (b.size() == 0) {
                    return null;
                }
                throw new EOFException("connection closed inside a line: '" + b.toString(StandardCharsets.ISO_8859_1) + "'");
            }
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                if (bytes.length == 0 || bytes[bytes.length - 1] != '\r') {
                    throw new IOException("line not terminated by CRLF: '" + b.toString(StandardCharsets.ISO_8859_1) + "'");
                }
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
            if (b.size() > 1 << 20) {
                throw new IOException("line longer than 1 MiB");
            }
        }
    }

    /**
     * Whether the peer closes the connection (FIN or reset) within {@code timeout} without sending anything
     * more. Bytes arriving instead are an error: after a final response nothing may follow.
     */
    public boolean closedWithin(Duration timeout) throws IOException {
        int old = socket.getSoTimeout();
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        try {
            int c = in.read();
            if (c >= 0) {
                byte[] more = new byte[Math.min(in.available(), 200)];
                int n = in.read(more);
                throw new IllegalStateException("expected the connection to close, got bytes: '"
                        + (char) c + new String(more, 0, Math.max(0, n), StandardCharsets.ISO_8859_1) + "'");
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(old);
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket cannot usefully fail
        }
    }

    /** A parsed response; header lookups ignore case. */
    public record Response(String statusLine, String version, int status, List<Map.Entry<String, String>> headers,
            byte[] body, List<Integer> chunkSizes) {

        Response withBody(byte[] b, List<Integer> sizes) {
            return new Response(statusLine, version, status, headers, b, List.copyOf(sizes));
        }

        /** The first value of a header, or null. */
        public String header(String name) {
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return h.getValue();
                }
            }
            return null;
        }

        public List<String> headerValues(String name) {
            List<String> out = new ArrayList<>();
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    out.add(h.getValue());
                }
            }
            return out;
        }

        public boolean hasHeader(String name) {
            return header(name) != null;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** Connection: close was sent. */
        public boolean closes() {
            String c = header("Connection");
            return c != null && c.toLowerCase(Locale.ROOT).contains("close");
        }

        @Override
        public String toString() {
            return statusLine + " " + headers + " (" + body.length + " body bytes)";
        }
    }
}
