package vipgate.lb.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Text with nginx variables ({@code "$remote_addr"}, {@code "${host}:8080"}), parsed once when the config is
 * loaded so each request only appends. Used raw for header values and hash keys ({@link #evaluate}), and
 * nginx-escaped for access log lines ({@link #appendLog}).
 */
public final class Template {
    private static final Map<String, Variable> VARIABLES = new HashMap<>();
    private static final String HEADER_PREFIX = "http_";
    private static final String ARG_PREFIX = "arg_";
    private static final String COOKIE_PREFIX = "cookie_";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    static {
        for (Variable v : Variable.values()) {
            VARIABLES.put(v.nginxName(), v);
        }
    }

    private final String source;
    private final Part[] parts;
    /** Reads the wall clock only when a time variable needs it (header rewriting is on the hot path). */
    private final boolean readsClock;

    private Template(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts.toArray(new Part[0]);
        this.readsClock = parts.stream().anyMatch(p -> p instanceof Variable v && v.readsClock());
    }

    /** One piece of a template: literal text or a variable, appending its raw value. */
    sealed interface Part permits Literal, Header, Arg, Cookie, Capture, Named, Variable {
        void append(StringBuilder out, RequestVariables vars, long nowMillis);
    }

    private record Literal(String text) implements Part {
        @Override
        public void append(StringBuilder out, RequestVariables vars, long nowMillis) {
            out.append(text);
        }
    }

    /** {@code $http_user_agent}: the request header User-Agent. */
    private record Header(String name) implements Part {
        @Override
        public void append(StringBuilder out, RequestVariables vars, long nowMillis) {
            appendPresent(out, vars.requestHeader(name));
        }
    }

    /** A variable without a value (null) adds nothing. */
    private static void appendPresent(StringBuilder out, String value) {
        if (value != null) {
            out.append(value);
        }
    }

    /** {@code $arg_page}: the query argument page, raw, as nginx gives it (the first one). */
    private record Arg(String name) implements Part {
        @Override
        public void append(StringBuilder out, RequestVariables vars, long nowMillis) {
            appendPresent(out, parameter(vars.args(), '&', name));
        }
    }

    /** {@code $cookie_id}: the cookie id of the Cookie header. */
    private record Cookie(String name) implements Part {
        @Override
        public void append(StringBuilder out, RequestVariables vars, long nowMillis) {
            String header = vars.requestHeader("cookie");
            appendPresent(out, header == null ? null : parameter(header, ';', name));
        }
    }

    /** {@code $1}: a numbered group of the last regex that matched. */
    private record Capture(int group) implements Part {
        @Override
        public void append(StringBuilder out, RequestVariables vars, long nowMillis) {
            appendPresent(out, vars.capture(group));
        }
    }

    /** {@code $name}: a named group of a regex of the same location or server. */
    /** A variable the config defines: a regex's named group, or a map. */
    private record Named(String name) implements Part {
        @Override
        public void append(StringBuilder out, RequestVariables vars, long nowMillis) {
            appendPresent(out, vars.named(name));
        }
    }

    /**
     * The value of {@code name} in a list of {@code name=value} separated by {@code separator} (a query, a Cookie
     * header), or null. Names compare case-insensitively, as nginx 1.22 does (it reads variable names lower-cased).
     */
    private static String parameter(String list, char separator, String name) {
        int i = 0;
        while (i <= list.length()) {
            int end = list.indexOf(separator, i);
            if (end < 0) {
                end = list.length();
            }
            int start = i;
            while (start < end && list.charAt(start) == ' ') {
                start++;
            }
            int eq = start + name.length();
            if (eq < end && list.charAt(eq) == '=' && list.regionMatches(true, start, name, 0, name.length())) {
                return list.substring(eq + 1, end);
            }
            i = end + 1;
        }
        return null;
    }

    /** Parses a template; an unknown variable is an IllegalArgumentException naming the valid ones. */
    public static Template parse(String source) {
        return parse(source, Set.of());
    }

    /**
     * Parses a template that may also use the variables the config defines, {@code names}: the named groups of the
     * regexes before it and the maps ($1..$9 are always allowed, as in nginx).
     */
    public static Template parse(String source, Set<String> names) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c != '$') {
                literal.append(c);
                i++;
                continue;
            }
            int start;
            int end;
            int next;
            if (i + 1 < source.length() && source.charAt(i + 1) == '{') {
                start = i + 2;
                end = source.indexOf('}', start);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed ${ in '" + source + "'");
                }
                next = end + 1;
            } else if (i + 1 < source.length() && source.charAt(i + 1) >= '1' && source.charAt(i + 1) <= '9') {
                // nginx reads one digit: "$1a" is group 1 then "a"
                start = i + 1;
                end = i + 2;
                next = end;
            } else {
                start = i + 1;
                end = start;
                while (end < source.length() && (Character.isLetterOrDigit(source.charAt(end)) || source.charAt(end) == '_')) {
                    end++;
                }
                next = end;
            }
            String name = source.substring(start, end).toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                literal.append('$');
                i++;
                continue;
            }
            if (literal.length() > 0) {
                parts.add(new Literal(literal.toString()));
                literal.setLength(0);
            }
            parts.add(variable(name, names));
            i = next;
        }
        if (literal.length() > 0) {
            parts.add(new Literal(literal.toString()));
        }
        return new Template(source, parts);
    }

    /** Whether {@code $name} is one of nginx's own variables (or a $http_, $arg_, $cookie_ family), not one to define. */
    public static boolean isBuiltIn(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (VARIABLES.containsKey(n) || n.matches("[1-9]")) {
            return true;
        }
        for (String prefix : new String[] {HEADER_PREFIX, ARG_PREFIX, COOKIE_PREFIX}) {
            if (n.startsWith(prefix) && n.length() > prefix.length()) {
                return true;
            }
        }
        return false;
    }

    private static Part variable(String name, Set<String> captureNames) {
        Variable v = VARIABLES.get(name);
        if (v != null) {
            return v;
        }
        if (name.length() == 1 && name.charAt(0) >= '1' && name.charAt(0) <= '9') {
            return new Capture(name.charAt(0) - '0');
        }
        for (String defined : captureNames) {
            if (defined.equalsIgnoreCase(name)) {
                return new Named(defined);
            }
        }
        if (name.startsWith(HEADER_PREFIX) && name.length() > HEADER_PREFIX.length()) {
            return new Header(name.substring(HEADER_PREFIX.length()).replace('_', '-'));
        }
        if (name.startsWith(ARG_PREFIX) && name.length() > ARG_PREFIX.length()) {
            return new Arg(name.substring(ARG_PREFIX.length()));
        }
        if (name.startsWith(COOKIE_PREFIX) && name.length() > COOKIE_PREFIX.length()) {
            return new Cookie(name.substring(COOKIE_PREFIX.length()));
        }
        throw new IllegalArgumentException("unknown variable $" + name + "; known: $"
                + String.join(", $", VARIABLES.keySet().stream().sorted().toList())
                + ", $http_NAME, $arg_NAME, $cookie_NAME, $1..$9" + (captureNames.isEmpty() ? "" : ", $"
                + String.join(", $", captureNames.stream().sorted().toList())));
    }

    /** Whether any part is a variable: the text is not the same for every request. */
    public boolean hasVariables() {
        for (Part p : parts) {
            if (!(p instanceof Literal)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return parts.length == 0;
    }

    /** The raw value, e.g. of a header: variables without a value add nothing. */
    public String evaluate(RequestVariables vars) {
        if (parts.length == 1 && parts[0] instanceof Literal l) {
            return l.text();
        }
        long now = readsClock ? System.currentTimeMillis() : 0;
        StringBuilder out = new StringBuilder(32);
        for (Part part : parts) {
            part.append(out, vars, now);
        }
        return out.toString();
    }

    /**
     * Appends the access log form, as nginx's log module writes it: a variable without a value is "-", and in a
     * variable's value '"', '\', control characters and non-ASCII bytes become \xHH, so a client cannot forge a
     * line or a field (literal text of the format is written as it is).
     */
    public void appendLog(StringBuilder out, RequestVariables vars, long nowMillis) {
        for (Part part : parts) {
            int start = out.length();
            part.append(out, vars, nowMillis);
            if (part instanceof Literal) {
                continue;
            }
            if (out.length() == start) {
                out.append('-');
            } else {
                escapeFrom(out, start);
            }
        }
    }

    private static void escapeFrom(StringBuilder out, int start) {
        int i = start;
        while (i < out.length() && !needsEscape(out.charAt(i))) {
            i++;
        }
        if (i == out.length()) {
            return; // the usual case: nothing to escape, nothing copied
        }
        String rest = out.substring(i);
        out.setLength(i);
        for (int j = 0; j < rest.length(); j++) {
            char c = rest.charAt(j);
            if (!needsEscape(c)) {
                out.append(c);
            } else if (c <= 0xFF) {
                // header bytes arrive as ISO-8859-1 chars, so a char up to 0xFF is the byte the client sent
                appendHex(out, c);
            } else {
                int cp = rest.codePointAt(j);
                j += Character.charCount(cp) - 1;
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    appendHex(out, b & 0xFF);
                }
            }
        }
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c >= 0x7F || c == '"' || c == '\\';
    }

    private static void appendHex(StringBuilder out, int b) {
        out.append("\\x").append(HEX[b >> 4]).append(HEX[b & 0xF]);
    }

    @Override
    public String toString() {
        return source;
    }
}
