package vipgate.lb.route;

import vipgate.lb.http.Template;

/**
 * nginx's {@code rewrite regex replacement [flag]}: a replacement starting with http://, https:// or $scheme is a
 * redirect (302, or 301 with {@code permanent}) as are the {@code redirect} and {@code permanent} flags; any other
 * changes the URI, then {@code last} searches the locations again, {@code break} stays in the current one, and no
 * flag goes on with the next directive (and searches again at the end). A replacement ending with '?' drops the
 * request's arguments; otherwise they are kept (appended after the replacement's own).
 */
public record Rewrite(NginxRegex regex, Template replacement, Flag flag, boolean redirect, boolean addArgs) {

    /** The flag after the replacement. */
    public enum Flag { NONE, LAST, BREAK, REDIRECT, PERMANENT }

    public static Rewrite of(NginxRegex regex, String replacement, Flag flag) {
        boolean absolute = replacement.startsWith("http://") || replacement.startsWith("https://")
                || replacement.startsWith("$scheme");
        boolean addArgs = !replacement.endsWith("?");
        String text = addArgs ? replacement : replacement.substring(0, replacement.length() - 1);
        return new Rewrite(regex, Template.parse(text, regex.names().keySet()), flag,
                absolute || flag == Flag.REDIRECT || flag == Flag.PERMANENT, addArgs);
    }

    /** The redirect status: 301 for {@code permanent}, else 302. */
    public int redirectStatus() {
        return flag == Flag.PERMANENT ? 301 : 302;
    }
}
