package vipgate.lb.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The request target and Host as the proxy reads them (RFC 9112 3.2): the path it routes on, the authority of an
 * absolute-form target, the origin-form it forwards, and a normalised host name. Pure functions: a malformed
 * input gives null, never an exception.
 */
public final class RequestTarget {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private RequestTarget() {
    }

    /** Whether {@code target} can stand in a request line: no space, control byte or DEL (nor CR LF to smuggle with). */
    public static boolean isSendable(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /**
     * The path used for routing: origin-form or absolute-form, query dropped, dot segments resolved. Null (a 400)
     * for a control byte anywhere in the target, and for an absolute-form target without a host or with userinfo
     * ({@code http:///x}, {@code http://u:p@host/}), as nginx refuses them: the upstream could route on a host
     * other than the one this proxy routed on.
     */
    public static String routablePath(String uri) {
        String target = uri;
        if (!isSendable(target)) {
            return null;
        }
        if (!target.startsWith("/")) {
            if ("*".equals(target)) {
                return "*";
            }
            try {
                URI absolute = new URI(target);
                String authority = absolute.getRawAuthority();
                if (absolute.getScheme() == null || absolute.getRawPath() == null || authority == null
                        || authority.isEmpty() || authority.indexOf('@') >= 0) {
                    return null;
                }
                target = absolute.getRawPath().isEmpty() ? "/" : absolute.getRawPath();
            } catch (URISyntaxException e) {
                return null;
            }
        }
        int q = target.indexOf('?');
        String path = q >= 0 ? target.substring(0, q) : target;
        if (path.contains("/.") || path.contains("//") || path.indexOf('%') >= 0) {
            try {
                path = new URI(null, null, URI.create(path).getPath(), null).normalize().getPath();
            } catch (IllegalArgumentException | URISyntaxException e) {
                return null;
            }
            if (path == null || path.startsWith("/..") || !path.startsWith("/")) {
                return null;
            }
            path = path.replaceAll("/{2,}", "/");
        }
        return path;
    }

    /** The raw query of a target (nginx's {@code $args}): what follows the first '?', "" without one. */
    public static String query(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? "" : uri.substring(q + 1);
    }

    /**
     * A decoded path escaped for a request line as nginx's NGX_ESCAPE_URI does: control characters, space, '#',
     * '%', '?', DEL and every non-ASCII byte (of its UTF-8 form) as %XX; everything else as it is.
     */
    public static String escapeUri(String path) {
        int i = 0;
        while (i < path.length() && !escapesInUri(path.charAt(i))) {
            i++;
        }
        if (i == path.length()) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length() + 16).append(path, 0, i);
        for (byte b : path.substring(i).getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (escapesInUri((char) c)) {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    private static boolean escapesInUri(char c) {
        return c <= ' ' || c == '#' || c == '%' || c == '?' || c >= 0x7F;
    }

    /** The authority (host[:port]) of an absolute-form target, or null for any other form or an empty authority. */
    public static String absoluteFormAuthority(String uri) {
        if (uri.startsWith("/") || "*".equals(uri)) {
            return null;
        }
        try {
            String authority = new URI(uri).getRawAuthority();
            return authority == null || authority.isEmpty() ? null : authority;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** The target in origin-form (path and query) as forwarded upstream; other forms are returned unchanged. */
    public static String originForm(String uri) {
        if (absoluteFormAuthority(uri) == null) {
            return uri;
        }
        URI absolute = URI.create(uri);
        String path = absolute.getRawPath() == null || absolute.getRawPath().isEmpty() ? "/" : absolute.getRawPath();
        return absolute.getRawQuery() == null ? path : path + "?" + absolute.getRawQuery();
    }

    /**
     * Lower-cased host without port, or null when the header is not a plausible host. The port, when there is one,
     * is digits only: {@code a.test:1@b.test} would be host a.test here (and in nginx) but b.test to a server that
     * reads it as userinfo@host.
     */
    public static String normaliseHost(String raw) {
        String h = raw.trim().toLowerCase(Locale.ROOT);
        int hostEnd;
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            if (close < 0) {
                return null;
            }
            hostEnd = close + 1;
        } else {
            int colon = h.indexOf(':');
            hostEnd = colon >= 0 ? colon : h.length();
        }
        if (hostEnd < h.length() && (h.charAt(hostEnd) != ':' || !digitsOnly(h, hostEnd + 1))) {
            return null;
        }
        h = h.substring(0, hostEnd);
        if (h.startsWith("[")) {
            return h;
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c <= ' ' || c == '/' || c == '\\' || c == '@') {
                return null;
            }
        }
        return h;
    }

    private static boolean digitsOnly(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
