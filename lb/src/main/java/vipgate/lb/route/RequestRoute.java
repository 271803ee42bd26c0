package vipgate.lb.route;

import vipgate.lb.http.RequestTarget;
import vipgate.lb.http.RequestVariables;

/**
 * The route of one request as nginx's rewrite and find-config phases make it: its {@code $uri} and {@code $args}
 * (changed by rewrites), the captures of the last regex that matched, and the location it ends in or the answer
 * the proxy gives itself. Mutable, one per request, confined to its event loop.
 */
public final class RequestRoute {
    /** nginx's limit of URI changes and location searches ("rewrite or internal redirection cycle"). */
    static final int MAX_URI_CHANGES = 10;

    private String uri;
    private String args;
    private Captures captures;
    private Location location;
    /** A rewrite changed the URI: it is sent upstream re-escaped, no longer as the client wrote it. */
    private boolean rewritten;
    /** A rewrite with {@code break} made the URI: a proxy_pass URI part no longer replaces the location's prefix. */
    private boolean brokeOut;
    /** A location's rewrite changed the URI without {@code break}: the locations are searched again. */
    private boolean searchAgain;

    public RequestRoute(String uri, String args) {
        this.uri = uri;
        this.args = args;
    }

    public String uri() {
        return uri;
    }

    public String args() {
        return args;
    }

    public Captures captures() {
        return captures;
    }

    public Location location() {
        return location;
    }

    /**
     * Runs the server's rewrites and return, then finds the location and runs its rewrites and return, searching
     * again after a URI change, as nginx does. Returns the proxy's own answer, or null to proxy to
     * {@link #location()}. {@code vars} must read this route's URI, arguments and captures.
     *
     * @throws NginxRegex.BudgetExceeded when a regex stopped at its budget (nginx answers 500 when PCRE does)
     */
    public Answer resolve(VirtualHost host, RequestVariables vars) {
        Answer answer = runDirectives(host.rewrites(), host.returns(), vars, true);
        if (answer != null) {
            return answer;
        }
        for (int search = 0; search <= MAX_URI_CHANGES; search++) {
            VirtualHost.Found found = host.find(uri);
            if (found == null) {
                return Answer.status(404);
            }
            location = found.location();
            if (found.autoRedirect()) {
                return Answer.redirect(301, args.isEmpty() ? location.path().text() : uri + "/?" + args);
            }
            if (found.captures() != null) {
                captures = found.captures();
            }
            searchAgain = false;
            answer = runDirectives(location.rewrites(), location.returns(), vars, false);
            if (answer != null) {
                return answer;
            }
            if (!searchAgain) {
                return location.upstream().isEmpty() ? Answer.status(404) : null;
            }
        }
        return Answer.status(500);
    }

    /** Whether a rewrite changed the URI, so the one sent upstream is no longer the client's. */
    public boolean rewritten() {
        return rewritten;
    }

    /**
     * The target to send upstream in place of the client's, or null to send the client's unchanged: nginx's
     * proxy_pass rule. A URI part with variables is sent as it evaluates, in place of the whole target (nginx's
     * variable form: "proxy_pass http://app/u/$1$is_args$args"). A fixed one replaces the part of {@code $uri} the
     * location's prefix matched (all of it after a {@code break} rewrite); without one a rewritten URI is sent. Both
     * re-escaped, with {@code $args}.
     */
    public String upstreamTarget(RequestVariables vars) {
        if (location.passUri().hasVariables()) {
            return location.passUri().evaluate(vars);
        }
        String passUri = location.passUri().toString();
        if (passUri.isEmpty() && !rewritten) {
            return null;
        }
        // the URI part is the operator's, sent as written; only what came from the client is escaped
        int matched = passUri.isEmpty() || brokeOut ? 0 : Math.min(location.path().text().length(), uri.length());
        String escaped = passUri + RequestTarget.escapeUri(uri.substring(matched));
        return args.isEmpty() ? escaped : escaped + "?" + args;
    }

    /**
     * The rewrites then the return of one level. A location's rewrite that changed the URI without {@code break}
     * sets {@link #searchAgain}; at server level {@code last} and {@code break} both end the server's directives.
     */
    private Answer runDirectives(Iterable<Rewrite> rewrites, Return ret, RequestVariables vars, boolean serverLevel) {
        for (Rewrite rw : rewrites) {
            Captures c = rw.regex().match(uri);
            if (c == null) {
                continue;
            }
            captures = c;
            String result = rw.replacement().evaluate(vars);
            if (rw.redirect()) {
                String target = result;
                if (rw.addArgs() && !args.isEmpty()) {
                    target += (target.indexOf('?') >= 0 ? "&" : "?") + args;
                }
                return Answer.redirect(rw.redirectStatus(), target);
            }
            int q = result.indexOf('?');
            if (q >= 0) {
                String own = result.substring(q + 1);
                args = rw.addArgs() && !args.isEmpty() ? own + "&" + args : own;
                result = result.substring(0, q);
            } else if (!rw.addArgs()) {
                args = "";
            }
            uri = result;
            rewritten = true;
            if (serverLevel) {
                if (rw.flag() == Rewrite.Flag.LAST || rw.flag() == Rewrite.Flag.BREAK) {
                    return null;
                }
            } else if (rw.flag() == Rewrite.Flag.BREAK) {
                brokeOut = true;
                searchAgain = false;
                return null;
            } else {
                searchAgain = true;
                if (rw.flag() == Rewrite.Flag.LAST) {
                    return null;
                }
            }
        }
        if (ret == null) {
            return null;
        }
        if (ret.text() == null) {
            return Answer.status(ret.status());
        }
        String text = ret.text().evaluate(vars);
        return ret.redirects() ? Answer.redirect(ret.status(), text) : new Answer(ret.status(), text, null);
    }
}
