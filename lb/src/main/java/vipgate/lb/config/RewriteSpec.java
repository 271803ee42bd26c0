package vipgate.lb.config;

import vipgate.lb.route.Rewrite;

/** nginx's {@code rewrite regex replacement [flag]} as configured. */
public record RewriteSpec(String regex, String replacement, Rewrite.Flag flag) {
}
