package vipgate.lb.config;

import java.util.Map;

/** A location: a URI prefix (or exact path) routed to an upstream, with header rewriting. */
public record LocationSpec(String path, boolean exact, String upstream, Map<String, String> requestHeaders,
        Map<String, String> responseHeaders) {
}
