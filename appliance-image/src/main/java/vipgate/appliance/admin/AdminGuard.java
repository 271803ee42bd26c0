package vipgate.appliance.admin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import vipgate.lb.http.RequestTarget;

/**
 * What a request must show before the admin API acts on it, against a web page in the operator's browser as much as
 * against the network: a {@code Host} that names this API (a page on a name that an attacker re-pointed at this box,
 * DNS rebinding, shows its own name), no foreign {@code Origin}, the bearer token when one is set, and for anything
 * that changes state a header no page can send across origins without a CORS preflight, which this API never grants.
 */
final class AdminGuard {
    /** The header a state-changing request needs when no token is set (the bearer token is such a header itself). */
    static final String CSRF_HEADER = "X-Vipgate-Admin";
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    /** A refused request: the status and the reason given in the body. */
    record Refusal(HttpResponseStatus status, String reason) {
    }

    private final Set<String> names = new HashSet<>();
    private final byte[] token;

    AdminGuard(AdminConfig config) {
        names.add("localhost");
        names.add(config.listen().host().toLowerCase(Locale.ROOT));
        config.serverNames().forEach(n -> names.add(n.toLowerCase(Locale.ROOT)));
        token = config.token().getBytes(StandardCharsets.UTF_8);
    }

    /** Why {@code req} is refused, or null when it may go on. */
    Refusal check(HttpRequest req) {
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host == null && !req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "an HTTP/1.1 request needs a Host header\n");
        }
        if (host != null && !knownHost(RequestTarget.normaliseHost(host))) {
            return new Refusal(HttpResponseStatus.FORBIDDEN, "Host '" + host + "' is not a name of this admin API; use its"
                    + " address, localhost, or add the name to vipgate.admin.server-names\n");
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && (host == null || !sameOrigin(origin, host))) {
            return new Refusal(HttpResponseStatus.FORBIDDEN, "requests from web pages of another origin (" + origin
                    + ") are refused\n");
        }
        if (token.length > 0 && !bearer(req.headers().get(HttpHeaderNames.AUTHORIZATION, ""))) {
            return new Refusal(HttpResponseStatus.UNAUTHORIZED, "missing or wrong bearer token\n");
        }
        boolean safe = req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD);
        if (!safe && token.length == 0 && req.headers().get(CSRF_HEADER, "").isEmpty()) {
            return new Refusal(HttpResponseStatus.FORBIDDEN, req.method() + " needs the header '" + CSRF_HEADER
                    + ": 1' (which a web page cannot send to another site), e.g. curl -X POST -H '" + CSRF_HEADER
                    + ": 1' http://" + host + "/reload\n");
        }
        return null;
    }

    /** "Bearer TOKEN", the scheme in any case (RFC 9110 11.1), compared in constant time. */
    private boolean bearer(String authorization) {
        int space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).equalsIgnoreCase("Bearer")) {
            return false;
        }
        return MessageDigest.isEqual(authorization.substring(space).strip().getBytes(StandardCharsets.UTF_8), token);
    }

    /**
     * An IP literal is always this box's (a rebinding attack needs a name the attacker controls); a name must be
     * localhost, the listen host or one of the configured names. {@code name} is as the proxy reads a Host: lower
     * case, no port, no trailing dot, null when implausible.
     */
    private boolean knownHost(String name) {
        return name != null && (name.startsWith("[") && name.endsWith("]") || IPV4.matcher(name).matches() || names.contains(name));
    }

    /** The Origin a page served by this API itself would send: http, this Host, this port. */
    private static boolean sameOrigin(String origin, String host) {
        try {
            URI o = new URI(origin.strip());
            URI self = new URI("http://" + host.strip());
            return "http".equalsIgnoreCase(o.getScheme()) && o.getHost() != null && self.getHost() != null
                    && o.getHost().equalsIgnoreCase(self.getHost()) && port(o) == port(self)
                    && o.getRawPath().isEmpty() && o.getRawQuery() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static int port(URI uri) {
        return uri.getPort() < 0 ? 80 : uri.getPort();
    }
}
