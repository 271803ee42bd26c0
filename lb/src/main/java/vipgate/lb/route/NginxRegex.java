package vipgate.lb.route;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A regular expression of an nginx config (PCRE syntax) compiled for {@code java.util.regex}, matching exactly what
 * PCRE would or refused: PCRE's named groups ({@code (?P<n>..)}, {@code (?<n>..)}, {@code (?'n'..)}) become numbered
 * ones with a name table (Java's group names cannot hold '_'), POSIX classes ({@code [[:digit:]]}) are translated, a
 * '[' or '&' inside a class is made literal (Java reads them as class union and intersection), and constructs Java
 * lacks or reads differently ({@code \K}, recursion, branch reset, verbs, the {@code U}/{@code x} flags) are an
 * IllegalArgumentException saying which. {@code .} and {@code $} see only '\n' as a line end, as PCRE does.
 *
 * <p>A match reads at most {@link #MATCH_BUDGET} characters of its input: a pattern that backtracks
 * catastrophically ({@code (a+)+$} on "aaaa...b") stops there with {@link BudgetExceeded} instead of stalling the
 * event loop (PCRE stops at its match limit the same way; nginx then answers 500).
 */
public final class NginxRegex {
    /** Characters one match may read: a few milliseconds of one core, thousands of times a typical URI match. */
    public static final int MATCH_BUDGET = 1_000_000;

    private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(
            Map.entry("alpha", "\\p{Alpha}"), Map.entry("digit", "0-9"), Map.entry("alnum", "\\p{Alnum}"),
            Map.entry("upper", "\\p{Upper}"), Map.entry("lower", "\\p{Lower}"), Map.entry("space", "\\s\\x0B"),
            Map.entry("punct", "\\p{Punct}"), Map.entry("xdigit", "0-9A-Fa-f"), Map.entry("word", "\\w"),
            Map.entry("blank", " \\t"), Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("print", "\\p{Print}"),
            Map.entry("graph", "\\p{Graph}"));

    private final String source;
    private final Pattern pattern;
    private final Map<String, Integer> names;
    private final AtomicBoolean exceeded = new AtomicBoolean();

    private NginxRegex(String source, Pattern pattern, Map<String, Integer> names) {
        this.source = source;
        this.pattern = pattern;
        this.names = Map.copyOf(names);
    }

    /** Thrown when a match read more than {@link #MATCH_BUDGET} characters. */
    public static final class BudgetExceeded extends RuntimeException {
        private final boolean first;

        BudgetExceeded(String regex, boolean first) {
            super("the regex " + regex + " read more than " + MATCH_BUDGET + " characters of one input", null, false, false);
            this.first = first;
        }

        /** Whether this regex stopped at its budget for the first time (worth a warning; a flood of them is not). */
        public boolean first() {
            return first;
        }
    }

    /** Compiles {@code pcre}; {@code caseless} for nginx's {@code ~*}. */
    public static NginxRegex compile(String pcre, boolean caseless) {
        Map<String, Integer> names = new HashMap<>();
        String java = translate(pcre, names);
        int flags = Pattern.UNIX_LINES | (caseless ? Pattern.CASE_INSENSITIVE : 0);
        try {
            return new NginxRegex(pcre, Pattern.compile(java, flags), names);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regex " + pcre + ": " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
        }
    }

    /** The named groups: name to group number. */
    public Map<String, Integer> names() {
        return names;
    }

    public int groupCount() {
        return pattern.matcher("").groupCount();
    }

    /** The captures of a match anywhere in {@code input} (nginx regexes are unanchored), or null. */
    public Captures match(String input) {
        Matcher m = pattern.matcher(new Budgeted(input, this));
        if (!m.find()) {
            return null;
        }
        int[] bounds = new int[(m.groupCount() + 1) * 2];
        for (int g = 0; g <= m.groupCount(); g++) {
            bounds[2 * g] = m.start(g);
            bounds[2 * g + 1] = m.end(g);
        }
        return new Captures(input, bounds, names);
    }

    @Override
    public String toString() {
        return source;
    }

    private static String translate(String pcre, Map<String, Integer> names) {
        StringBuilder out = new StringBuilder(pcre.length() + 8);
        int groups = 0;
        boolean inClass = false;
        int i = 0;
        while (i < pcre.length()) {
            char c = pcre.charAt(i);
            if (c == '\\') {
                if (i + 1 >= pcre.length()) {
                    throw refuse(pcre, "it ends with a lone backslash");
                }
                char e = pcre.charAt(i + 1);
                if (e == 'Q') {
                    int end = pcre.indexOf("\\E", i + 2);
                    int stop = end < 0 ? pcre.length() : end + 2;
                    out.append(Pattern.quote(pcre.substring(i + 2, end < 0 ? pcre.length() : end)));
                    i = stop;
                    continue;
                }
                if (!inClass && e == 'k') {
                    i = backReference(pcre, i + 2, names, out);
                    continue;
                }
                if ("KNCgG".indexOf(e) >= 0) {
                    throw refuse(pcre, "\\" + e + " means something else (or nothing) in Java");
                }
                out.append(c).append(e);
                i += 2;
                continue;
            }
            if (inClass) {
                if (c == ']') {
                    inClass = false;
                    out.append(c);
                } else if (c == '[' && pcre.startsWith("[:", i)) {
                    int end = pcre.indexOf(":]", i + 2);
                    String name = end < 0 ? null : pcre.substring(i + 2, end);
                    String javaClass = name == null ? null : POSIX_CLASSES.get(name.startsWith("^") ? name.substring(1) : name);
                    if (javaClass == null || name.startsWith("^")) {
                        throw refuse(pcre, "the POSIX class " + (name == null ? "[:" : "[:" + name + ":]") + " is not supported");
                    }
                    out.append(javaClass);
                    i = end + 2;
                    continue;
                } else if (c == '[' || c == '&') {
                    out.append('\\').append(c);
                } else {
                    out.append(c);
                }
                i++;
                continue;
            }
            if (c == '[') {
                inClass = true;
                out.append(c);
                i++;
                if (i < pcre.length() && pcre.charAt(i) == '^') {
                    out.append('^');
                    i++;
                }
                if (i < pcre.length() && pcre.charAt(i) == ']') {
                    // a ']' first in a class is a literal in PCRE
                    out.append("\\]");
                    i++;
                }
                continue;
            }
            if (c == '(') {
                if (pcre.startsWith("(*", i)) {
                    throw refuse(pcre, "PCRE verbs (*...) are not supported");
                }
                if (!pcre.startsWith("(?", i)) {
                    groups++;
                    out.append('(');
                    i++;
                    continue;
                }
                String name = null;
                int after = -1;
                if (pcre.startsWith("(?P<", i) || pcre.startsWith("(?'", i)
                        || (pcre.startsWith("(?<", i) && i + 3 < pcre.length() && pcre.charAt(i + 3) != '=' && pcre.charAt(i + 3) != '!')) {
                    int start = pcre.charAt(i + 2) == 'P' ? i + 4 : i + 3;
                    char close = pcre.charAt(start - 1) == '\'' ? '\'' : '>';
                    int end = pcre.indexOf(close, start);
                    if (end < 0) {
                        throw refuse(pcre, "a group name is not closed");
                    }
                    name = pcre.substring(start, end);
                    after = end + 1;
                }
                if (name != null) {
                    if (!name.matches("[A-Za-z_][A-Za-z0-9_]{0,31}")) {
                        throw refuse(pcre, "'" + name + "' is not a group name (letters, digits, '_')");
                    }
                    groups++;
                    if (names.putIfAbsent(name, groups) != null) {
                        throw refuse(pcre, "the group name '" + name + "' is used twice");
                    }
                    out.append('(');
                    i = after;
                    continue;
                }
                if (pcre.startsWith("(?P=", i)) {
                    int end = pcre.indexOf(')', i);
                    i = appendBackReference(pcre, pcre.substring(i + 4, end < 0 ? pcre.length() : end), names, out, end + 1);
                    continue;
                }
                if (pcre.startsWith("(?#", i)) {
                    int end = pcre.indexOf(')', i);
                    if (end < 0) {
                        throw refuse(pcre, "a (?# comment is not closed");
                    }
                    i = end + 1;
                    continue;
                }
                char kind = i + 2 < pcre.length() ? pcre.charAt(i + 2) : ')';
                if (":=!>".indexOf(kind) >= 0 || (kind == '<' && i + 3 < pcre.length())) {
                    out.append("(?").append(kind);
                    i += 3;
                    continue;
                }
                int j = i + 2;
                while (j < pcre.length() && "imsx-".indexOf(pcre.charAt(j)) >= 0) {
                    j++;
                }
                if (j == i + 2 || j >= pcre.length() || (pcre.charAt(j) != ')' && pcre.charAt(j) != ':')) {
                    throw refuse(pcre, "the group (?" + kind + " is not supported (recursion, branch reset, flags other than imsx)");
                }
                if (pcre.substring(i + 2, j).indexOf('x') >= 0) {
                    throw refuse(pcre, "the x flag is not supported (Java's free-spacing mode also drops spaces inside [...])");
                }
                out.append(pcre, i, j + 1);
                i = j + 1;
                continue;
            }
            out.append(c);
            i++;
        }
        if (inClass) {
            throw refuse(pcre, "a [ class is not closed");
        }
        return out.toString();
    }

    private static int backReference(String pcre, int from, Map<String, Integer> names, StringBuilder out) {
        if (from >= pcre.length() || "<'{".indexOf(pcre.charAt(from)) < 0) {
            throw refuse(pcre, "\\k needs a name in <>, '' or {}");
        }
        char close = switch (pcre.charAt(from)) {
            case '<' -> '>';
            case '{' -> '}';
            default -> '\'';
        };
        int end = pcre.indexOf(close, from + 1);
        if (end < 0) {
            throw refuse(pcre, "a \\k name is not closed");
        }
        return appendBackReference(pcre, pcre.substring(from + 1, end), names, out, end + 1);
    }

    private static int appendBackReference(String pcre, String name, Map<String, Integer> names, StringBuilder out, int next) {
        Integer group = names.get(name);
        if (group == null) {
            throw refuse(pcre, "the back reference names '" + name + "', which no earlier group defines");
        }
        // (?:\N) so that a digit after it is not read as part of the group number
        out.append("(?:\\").append(group).append(')');
        return next;
    }

    private static IllegalArgumentException refuse(String pcre, String why) {
        return new IllegalArgumentException("the regex " + pcre + " cannot be used as nginx would: " + why);
    }

    /** The input as the matcher reads it, counting the characters read. */
    private static final class Budgeted implements CharSequence {
        private final String text;
        private final NginxRegex regex;
        private int left = MATCH_BUDGET;

        Budgeted(String text, NginxRegex regex) {
            this.text = text;
            this.regex = regex;
        }

        @Override
        public char charAt(int index) {
            if (--left < 0) {
                throw new BudgetExceeded(regex.source, regex.exceeded.compareAndSet(false, true));
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
