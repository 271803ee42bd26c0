package vipgate.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A lexical pass over HOCON text before the library parses it, for what the library cannot say with a line: how
 * deeply objects and arrays nest (the library's recursive parser overflows the stack on a few thousand levels), and
 * where each {@code include} statement is (its includer is told only the name). It also accepts vipgate's
 * {@code include optional(...)}, which HOCON lacks, by blanking the word and its parenthesis: the library then sees
 * a plain include, and line numbers stay as written.
 */
final class HoconScan {
    /** Nesting that no configuration needs; real files stay under 10 levels. */
    static final int MAX_DEPTH = 64;
    private static final String KEY_END = "{}[]:=,+#\"";

    enum Kind { NAME, FILE, CLASSPATH, URL }

    /** One {@code include} statement: its target, how it was written, and where. */
    record Include(String name, Kind kind, boolean optional, int line, int depth) {
    }

    private final String where;
    private final int baseDepth;
    private final String text;
    /** The text with {@code optional(...)} blanked, made on the first one. */
    private StringBuilder rewritten;
    private final List<Include> includes = new ArrayList<>();
    private int pos;
    private int line = 1;

    private HoconScan(String text, String where, int baseDepth) {
        this.text = text;
        this.where = where;
        this.baseDepth = baseDepth;
    }

    /**
     * @param where the file name problems are reported at
     * @param baseDepth the nesting depth of the include statement that brought this text in (0 for a top file)
     * @throws ConfigException at the line where nesting exceeds {@link #MAX_DEPTH}
     */
    static HoconScan scan(String text, String where, int baseDepth) {
        HoconScan s = new HoconScan(text, where, baseDepth);
        s.run();
        return s;
    }

    /** The text for the library: as given, except that {@code optional(...)} reads as a plain include. */
    String text() {
        return rewritten == null ? text : rewritten.toString();
    }

    List<Include> includes() {
        return includes;
    }

    private void run() {
        int depth = 0;
        boolean keyStart = true;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                line++;
                pos++;
                keyStart = true;
            } else if (c == '#' || (c == '/' && at("//"))) {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == '"') {
                quoted();
                keyStart = false;
            } else if (c == '{' || c == '[') {
                depth++;
                checkDepth(depth);
                pos++;
                keyStart = c == '{';
            } else if (c == '}' || c == ']') {
                depth--;
                pos++;
                keyStart = false;
            } else if (c == ',') {
                pos++;
                keyStart = true;
            } else if (Character.isWhitespace(c) || c == '\uFEFF') {
                pos++;
            } else if (keyStart && at("include") && pos + 7 < text.length() && Character.isWhitespace(text.charAt(pos + 7))) {
                include(depth);
                keyStart = false;
            } else if (keyStart) {
                // a dotted key nests as deep as braces do: a.b.c = 1 is a { b { c = 1 } }
                checkDepth(depth + key());
                keyStart = false;
            } else {
                pos++;
            }
        }
    }

    private void checkDepth(int depth) {
        if (baseDepth + depth > MAX_DEPTH) {
            throw new ConfigException(List.of(new ConfigProblem(where + ":" + line, "objects and arrays nested more than "
                    + MAX_DEPTH + " levels deep; vipgate configurations need far fewer (is a closing } or ] missing?)")));
        }
    }

    /** Skips an unquoted key; returns how many levels its dots add. */
    private int key() {
        int dots = 0;
        while (pos < text.length() && KEY_END.indexOf(text.charAt(pos)) < 0 && !Character.isWhitespace(text.charAt(pos))
                && !at("//")) {
            dots += text.charAt(pos) == '.' ? 1 : 0;
            pos++;
        }
        return dots;
    }

    /** At {@code include}: records the statement if it is well formed; the library reports one that is not. */
    private void include(int depth) {
        int statementLine = line;
        pos += "include".length();
        spaces();
        int optionalAt = -1;
        int parens = 0;
        if (at("required(")) {
            pos += "required(".length();
            parens++;
        } else if (at("optional(")) {
            optionalAt = pos;
            pos += "optional(".length();
        }
        spaces();
        Kind kind = Kind.NAME;
        for (Kind k : new Kind[] {Kind.FILE, Kind.CLASSPATH, Kind.URL}) {
            String open = k.name().toLowerCase() + "(";
            if (at(open)) {
                kind = k;
                pos += open.length();
                parens++;
                spaces();
                break;
            }
        }
        if (pos >= text.length() || text.charAt(pos) != '"' || at("\"\"\"")) {
            return;
        }
        String name = quoted();
        for (int i = 0; i < parens; i++) {
            spaces();
            if (pos < text.length() && text.charAt(pos) == ')') {
                pos++;
            }
        }
        if (optionalAt >= 0) {
            spaces();
            if (pos >= text.length() || text.charAt(pos) != ')') {
                return; // malformed: left as written, so the library reports it
            }
            blank(optionalAt, optionalAt + "optional(".length());
            blank(pos, pos + 1);
            pos++;
        }
        includes.add(new Include(name, kind, optionalAt >= 0, statementLine, baseDepth + depth));
    }

    /** Skips a quoted or triple-quoted string, counting its lines; returns its value (escapes decoded). */
    private String quoted() {
        if (at("\"\"\"")) {
            int end = text.indexOf("\"\"\"", pos + 3);
            end = end < 0 ? text.length() : end + 3;
            while (end < text.length() && text.charAt(end) == '"') {
                end++;
            }
            String raw = text.substring(pos + 3, Math.max(pos + 3, end - 3));
            line += (int) raw.chars().filter(ch -> ch == '\n').count();
            pos = end;
            return raw;
        }
        StringBuilder value = new StringBuilder();
        pos++;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                break;
            }
            if (c == '\n') {
                break; // unterminated: the library reports it
            }
            if (c == '\\' && pos + 1 < text.length()) {
                pos = escape(value);
            } else {
                value.append(c);
                pos++;
            }
        }
        return value.toString();
    }

    private int escape(StringBuilder value) {
        char e = text.charAt(pos + 1);
        switch (e) {
            case 'n' -> value.append('\n');
            case 't' -> value.append('\t');
            case 'r' -> value.append('\r');
            case 'b' -> value.append('\b');
            case 'f' -> value.append('\f');
            case 'u' -> {
                if (pos + 6 <= text.length()) {
                    try {
                        value.append((char) Integer.parseInt(text.substring(pos + 2, pos + 6), 16));
                        return pos + 6;
                    } catch (NumberFormatException ignored) {
                        // the library reports the bad escape
                    }
                }
            }
            default -> value.append(e);
        }
        return pos + 2;
    }

    private boolean at(String s) {
        return text.startsWith(s, pos);
    }

    private void spaces() {
        while (pos < text.length() && text.charAt(pos) != '\n' && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private void blank(int from, int to) {
        if (rewritten == null) {
            rewritten = new StringBuilder(text);
        }
        for (int i = from; i < to; i++) {
            rewritten.setCharAt(i, ' ');
        }
    }
}
