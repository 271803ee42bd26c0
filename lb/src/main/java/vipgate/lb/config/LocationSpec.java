package vipgate.lb.config;

import java.util.List;
import java.util.Map;

/**
 * A location as configured: its path in nginx's form ({@code "/api/"}, {@code "= /health"}, {@code "^~ /static/"},
 * {@code "~* \.png$"}), its rewrites and return ("" for none), the upstream it proxies to ("" for none) with nginx's
 * proxy_pass URI part ("" for none), its request limits and allow/deny rules (none: the server's) and its header rules.
 */
public record LocationSpec(String path, List<RewriteSpec> rewrites, String returns, LimitsSpec.Applied limits,
        List<String> access, String upstream, String passUri, Map<String, String> requestHeaders,
        Map<String, String> responseHeaders) {
}
