package vipgate.lb.route;

/**
 * A location's match as nginx writes it: {@code "= /exact"}, {@code "^~ /prefix/"} (a prefix that stops the regex
 * search), {@code "~ regex"}, {@code "~* regex"} (case-insensitive) or a plain prefix {@code "/prefix/"}. Immutable.
 */
public record LocationPath(Kind kind, String text, NginxRegex regex) {

    /** nginx's location modifiers. */
    public enum Kind {
        EXACT("= "), PREFIX(""), PREFIX_NO_REGEX("^~ "), REGEX("~ "), REGEX_CASELESS("~* ");

        private final String modifier;

        Kind(String modifier) {
            this.modifier = modifier;
        }

        public boolean isRegex() {
            return this == REGEX || this == REGEX_CASELESS;
        }
    }

    /** Parses the path of a location; an IllegalArgumentException says what is wrong. */
    public static LocationPath parse(String raw) {
        String s = raw.trim();
        Kind kind = Kind.PREFIX;
        if (s.startsWith("=")) {
            kind = Kind.EXACT;
        } else if (s.startsWith("^~")) {
            kind = Kind.PREFIX_NO_REGEX;
        } else if (s.startsWith("~*")) {
            kind = Kind.REGEX_CASELESS;
        } else if (s.startsWith("~")) {
            kind = Kind.REGEX;
        }
        String text = s.substring(kind.modifier.trim().length()).trim();
        if (kind.isRegex()) {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("a regex location needs a regex after " + kind.modifier.trim()
                        + ", e.g. \"~ \\\\.php$\"");
            }
            return new LocationPath(kind, text, NginxRegex.compile(text, kind == Kind.REGEX_CASELESS));
        }
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("a location path starts with '/' (or a modifier = ^~ ~ ~*), e.g. \"/\", "
                    + "\"= /health\", \"^~ /static/\", \"~* \\\\.(png|jpg)$\"; got '" + raw + "'");
        }
        return new LocationPath(kind, text, null);
    }

    /** The path as nginx writes it after {@code location}. */
    @Override
    public String toString() {
        return kind.modifier + text;
    }
}
