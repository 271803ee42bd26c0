package vipgate.lb.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The bodies of responses the proxy makes itself: nginx's page layout (operators' monitoring greps for it),
 * or a custom HTML file per status loaded once when the config is applied.
 */
public final class ErrorPages {
    public static final String SERVER = "vipgate";
    public static final ErrorPages DEFAULT = new ErrorPages(Map.of());

    private final Map<Integer, byte[]> custom;

    private ErrorPages(Map<Integer, byte[]> custom) {
        this.custom = custom;
    }

    public static ErrorPages load(Map<Integer, Path> files) {
        if (files.isEmpty()) {
            return DEFAULT;
        }
        Map<Integer, byte[]> pages = new HashMap<>();
        files.forEach((status, file) -> {
            try {
                pages.put(status, Files.readAllBytes(file));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read error page " + file, e);
            }
        });
        return new ErrorPages(Map.copyOf(pages));
    }

    public FullHttpResponse response(ByteBufAllocator alloc, HttpResponseStatus status, boolean headRequest) {
        byte[] body = custom.getOrDefault(status.code(), null);
        return page(alloc, status, body != null ? body : builtIn(status), HttpHeaderValues.TEXT_HTML, headRequest);
    }

    /** A text/plain answer of the proxy's own, e.g. nginx's {@code return 200 "ok"}. */
    public static FullHttpResponse text(ByteBufAllocator alloc, HttpResponseStatus status, String text, boolean headRequest) {
        return page(alloc, status, text.getBytes(StandardCharsets.UTF_8), HttpHeaderValues.TEXT_PLAIN, headRequest);
    }

    private static FullHttpResponse page(ByteBufAllocator alloc, HttpResponseStatus status, byte[] body,
            CharSequence contentType, boolean headRequest) {
        ByteBuf content = headRequest ? alloc.buffer(0) : alloc.buffer(body.length).writeBytes(body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.SERVER, SERVER)
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    static byte[] builtIn(HttpResponseStatus status) {
        String title = status.code() + " " + status.reasonPhrase();
        return ("<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title
                + "</h1></center>\r\n<hr><center>" + SERVER + "</center>\r\n</body>\r\n</html>\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
