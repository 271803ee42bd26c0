package vipgate.lb.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's request decoder with the checks a front-line proxy needs against request smuggling. Netty already
 * refuses Content-Length with Transfer-Encoding, differing duplicate Content-Length in HTTP/1.1, bad chunk sizes
 * and a final coding other than chunked; it silently unfolds obs-fold continuation lines, which two hops can read
 * differently, so this decoder refuses them (RFC 9112 5.2 allows rejecting with 400), and it keeps the first of
 * several Content-Length lines of an HTTP/1.0 request, which this decoder refuses too.
 *
 * <p>At the start of each message it waits for the whole header block before letting Netty parse, and scans it
 * for a line that begins with a space or tab and for a second Content-Length line. A refused message becomes a
 * {@link Rejected} and everything after it is discarded: the connection is answered 400 and closed. The request
 * line must end in {@code HTTP/} digit {@code .} digit, upper case as nginx insists ({@code http/1.1} is refused).
 *
 * <p>Header fields whose name has a character other than a letter, a digit or '-' are dropped, as nginx does
 * ({@code ignore_invalid_headers on}); '_' is allowed only when configured ({@code underscores_in_headers}), so
 * {@code Transfer_Encoding} never reaches a server that might read it as Transfer-Encoding.
 */
public final class StrictRequestDecoder extends HttpRequestDecoder {
    /** A request that must be refused; the reason is for the log. */
    public record Rejected(String reason) {
    }

    private final int maxHeaderBlock;
    private final boolean underscoresInHeaders;
    private boolean atMessageStart = true;
    private boolean rejected;

    public StrictRequestDecoder(HttpDecoderConfig config, boolean underscoresInHeaders) {
        super(config);
        this.maxHeaderBlock = config.getMaxInitialLineLength() + config.getMaxHeaderSize() + 4;
        this.underscoresInHeaders = underscoresInHeaders;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (rejected) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        if (atMessageStart) {
            int verdict = scanHeaderBlock(buffer);
            if (verdict == INCOMPLETE && buffer.readableBytes() <= maxHeaderBlock) {
                return;
            }
            if (verdict == FOLDED || verdict == REPEATED_LENGTH || verdict == BAD_VERSION) {
                rejected = true;
                buffer.skipBytes(buffer.readableBytes());
                out.add(new Rejected(verdict == FOLDED ? "obsolete line folding in request headers"
                        : verdict == REPEATED_LENGTH ? "more than one Content-Length header"
                        : "malformed HTTP version in the request line"));
                return;
            }
        }
        int before = out.size();
        super.decode(ctx, buffer, out);
        for (int i = before; i < out.size(); i++) {
            if (out.get(i) instanceof HttpRequest request) {
                dropInvalidNames(request.headers());
            }
        }
        if (out.size() > before) {
            atMessageStart = out.get(out.size() - 1) instanceof LastHttpContent;
        }
    }

    private void dropInvalidNames(HttpHeaders headers) {
        List<String> invalid = null;
        for (String name : headers.names()) {
            if (!validName(name)) {
                if (invalid == null) {
                    invalid = new ArrayList<>();
                }
                invalid.add(name);
            }
        }
        if (invalid != null) {
            invalid.forEach(headers::remove);
        }
    }

    private boolean validName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || (c == '_' && underscoresInHeaders);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static final int INCOMPLETE = 0;
    private static final int CLEAN = 1;
    private static final int FOLDED = 2;
    /**
     * Several Content-Length lines. Netty refuses them in HTTP/1.1 but, for HTTP/1.0, keeps the first value, while
     * another parser may keep the last: refused in every version, as nginx does.
     */
    private static final int REPEATED_LENGTH = 3;
    /** The request line does not end in {@code HTTP/d.d} (case-sensitive). */
    private static final int BAD_VERSION = 4;
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);

    /** Looks at the bytes of one header block (after any leading empty lines) without consuming them. */
    static int scanHeaderBlock(ByteBuf buffer) {
        int i = buffer.readerIndex();
        int end = buffer.writerIndex();
        while (i < end && (buffer.getByte(i) == '\r' || buffer.getByte(i) == '\n')) {
            i++;
        }
        boolean firstLine = true;
        int lengths = 0;
        while (i < end) {
            int lineEnd = buffer.indexOf(i, end, (byte) '\n');
            if (lineEnd < 0) {
                return INCOMPLETE;
            }
            int contentEnd = lineEnd > i && buffer.getByte(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
            if (contentEnd == i) {
                return CLEAN;
            }
            byte first = buffer.getByte(i);
            if (!firstLine && (first == ' ' || first == '\t')) {
                return FOLDED;
            }
            if (firstLine && !endsWithVersion(buffer, i, contentEnd)) {
                return BAD_VERSION;
            }
            if (!firstLine && startsWithIgnoreCase(buffer, i, contentEnd, CONTENT_LENGTH) && ++lengths > 1) {
                return REPEATED_LENGTH;
            }
            firstLine = false;
            i = lineEnd + 1;
        }
        return INCOMPLETE;
    }

    /** Whether the line ends in " HTTP/" digit "." digit. */
    private static boolean endsWithVersion(ByteBuf buffer, int from, int to) {
        int start = to - VERSION_LENGTH;
        if (start <= from || buffer.getByte(start - 1) != ' ') {
            return false;
        }
        for (int k = 0; k < VERSION_LENGTH; k++) {
            byte b = buffer.getByte(start + k);
            byte expected = VERSION_PATTERN[k];
            if (expected == 'd' ? b < '0' || b > '9' : b != expected) {
                return false;
            }
        }
        return true;
    }

    private static final byte[] VERSION_PATTERN = "HTTP/d.d".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION_LENGTH = VERSION_PATTERN.length;

    private static boolean startsWithIgnoreCase(ByteBuf buffer, int from, int to, byte[] lowerCasePrefix) {
        if (to - from < lowerCasePrefix.length) {
            return false;
        }
        for (int k = 0; k < lowerCasePrefix.length; k++) {
            byte b = buffer.getByte(from + k);
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lowerCasePrefix[k]) {
                return false;
            }
        }
        return true;
    }
}
