package vipgate.lb.route;

import java.util.Map;

/**
 * What one successful regex match captured: {@code $1}..{@code $N} and named groups, as nginx keeps the captures of
 * the last matching location or rewrite regex. Immutable.
 */
public final class Captures {
    private final String input;
    /** Start and end offset of each group, group 0 first; -1 for a group that took no part in the match. */
    private final int[] bounds;
    private final Map<String, Integer> names;

    Captures(String input, int[] bounds, Map<String, Integer> names) {
        this.input = input;
        this.bounds = bounds;
        this.names = names;
    }

    /** Group {@code n} ($0 is the whole match), or null when there is no such group or it matched nothing. */
    public String group(int n) {
        if (n < 0 || 2 * n >= bounds.length || bounds[2 * n] < 0) {
            return null;
        }
        return input.substring(bounds[2 * n], bounds[2 * n + 1]);
    }

    /** A named group, or null. */
    public String group(String name) {
        Integer n = names.get(name);
        return n == null ? null : group(n);
    }
}
