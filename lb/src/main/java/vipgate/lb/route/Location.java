package vipgate.lb.route;

import java.util.List;
import vipgate.lb.http.AccessRules;
import vipgate.lb.http.HeaderRewrite;
import vipgate.lb.http.Template;
import vipgate.lb.limit.Limits;

/**
 * A compiled location: how it matches, its rewrites and return (nginx's rewrite module, run in that order), where it
 * proxies (an upstream, "" for none, and nginx's proxy_pass URI part, empty for none), its request limits and allow/deny
 * rules (none: the server's, as nginx inherits them) and how headers change.
 */
public record Location(LocationPath path, List<Rewrite> rewrites, Return returns, Limits limits,
        AccessRules access, String upstream, Template passUri, HeaderRewrite requestHeaders, HeaderRewrite responseHeaders) {

    private static final Template NO_URI = Template.parse("");

    public Location {
        rewrites = List.copyOf(rewrites);
    }

    /** A location proxying requests, without rewrites: the common case. */
    public static Location proxy(LocationPath path, String upstream, HeaderRewrite requestHeaders,
            HeaderRewrite responseHeaders) {
        return new Location(path, List.of(), null, Limits.NONE, AccessRules.NONE, upstream, NO_URI, requestHeaders, responseHeaders);
    }

    /**
     * nginx redirects a request for "/dir" to "/dir/" when the location "/dir/" proxies (and no location is "/dir"
     * itself).
     */
    boolean autoRedirects() {
        return !upstream.isEmpty() && !path.kind().isRegex() && path.text().length() > 1 && path.text().endsWith("/");
    }
}
