package vipgate.lb.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Text with nginx variables ({@code "$remote_addr"}, {@code "${host}:8080"}), parsed once when the config is
 * loaded so each request only appends. Used raw for header values and hash keys ({@link #evaluate}), and
 * nginx-escaped for access log lines ({@link #appendLog}).
 */
public final class Template {
    private static final Map<String, Variable> VARIABLES = new HashMap<>();
    private static final String HEADER_PREFIX = "http_";
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
    sealed interface Part permits Literal, Header, Variable {
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
            String value = vars.requestHeader(name);
            if (value != null) {
                out.append(value);
            }
        }
    }

    /** Parses a template; an unknown variable is an IllegalArgumentException naming the valid ones. */
    public static Template parse(String source) {
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
            parts.add(variable(name));
            i = next;
        }
        if (literal.length() > 0) {
            parts.add(new Literal(literal.toString()));
        }
        return new Template(source, parts);
    }

    private static Part variable(String name) {
        Variable v = VARIABLES.get(name);
        if (v != null) {
            return v;
        }
        if (name.startsWith(HEADER_PREFIX) && name.length() > HEADER_PREFIX.length()) {
            return new Header(name.substring(HEADER_PREFIX.length()).replace('_', '-'));
        }
        throw new IllegalArgumentException("unknown variable $" + name + "; known: $"
                + String.join(", $", VARIABLES.keySet().stream().sorted().toList()) + ", $http_NAME");
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
