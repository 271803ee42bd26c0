package vipgate.lb.route;

import vipgate.lb.http.HeaderRewrite;

/** A compiled location: path match plus where it sends requests and how headers change. */
public record Location(String path, boolean exact, String upstream, HeaderRewrite requestHeaders,
        HeaderRewrite responseHeaders) {

    boolean matches(String requestPath) {
        return exact ? requestPath.equals(path) : requestPath.startsWith(path);
    }
}
