package vipgate.appliance.importer.nginx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import vipgate.appliance.importer.Directive;
import vipgate.appliance.importer.Report;
import vipgate.appliance.importer.SourceText;

/**
 * nginx.conf syntax as nginx's own reader ({@code ngx_conf_read_token}) takes it: words separated by blanks,
 * {@code ;} ends a directive, {@code name args { ... }} is a block, {@code #} at a word's start comments to the
 * line's end, single or double quotes with backslash escapes, {@code ${var}} inside a word. Anything else is a
 * {@link SyntaxError} at its file:line, never another exception.
 */
public final class NginxParser {
    /** A text nginx itself would refuse, at the line where it goes wrong. */
    public static final class SyntaxError extends IOException {
        public SyntaxError(String file, int line, String message) {
            super(file + ":" + line + ": " + message);
        }
    }

    private final String text;
    private final String file;
    private int pos;
    private int line = 1;

    private NginxParser(String text, String file) {
        this.text = text;
        this.file = file;
    }

    /** The directives of one text, includes left as they are. */
    public static List<Directive> parse(String text, String file) throws SyntaxError {
        NginxParser p = new NginxParser(text, file);
        return p.block(null, 0);
    }

    /**
     * The directives of {@code file} (repaired with {@link SourceText#repair}) with every {@code include}
     * replaced by the directives of the files it names. A relative include is resolved like nginx does, against
     * the directory of the main configuration (nginx's conf prefix); an include that names no file is reported
     * and left out.
     */
    public static List<Directive> read(Path file, Report report) throws IOException {
        Path main = file.toAbsolutePath().normalize();
        return read(main, main.getParent(), report, new ArrayDeque<>());
    }

    private static List<Directive> read(Path file, Path prefix, Report report, Deque<Path> including) throws IOException {
        String name = file.toString();
        String text = SourceText.repair(Files.readString(file, StandardCharsets.UTF_8), name, report);
        including.push(file);
        List<Directive> out = expand(parse(text, name), prefix, report, including);
        including.pop();
        return out;
    }

    private static List<Directive> expand(List<Directive> directives, Path prefix, Report report, Deque<Path> including)
            throws IOException {
        List<Directive> out = new ArrayList<>();
        for (Directive d : directives) {
            if (d.name().equals("include") && !d.block()) {
                out.addAll(include(d, prefix, report, including));
            } else if (d.block()) {
                out.add(new Directive(d.name(), d.args(), expand(d.children(), prefix, report, including), true,
                        d.file(), d.line()));
            } else {
                out.add(d);
            }
        }
        return out;
    }

    private static List<Directive> include(Directive d, Path prefix, Report report, Deque<Path> including)
            throws IOException {
        if (d.args().size() != 1) {
            throw new SyntaxError(d.file(), d.line(), "include takes one file or pattern, got " + d.args().size());
        }
        List<Path> files = matches(prefix.resolve(d.args().get(0)).normalize());
        if (files.isEmpty()) {
            report.notMapped(d, "no file matches " + d.args().get(0)
                    + " on this machine; whatever it holds is not imported (import it on the nginx box, or import that file too)");
            return List.of();
        }
        List<Directive> out = new ArrayList<>();
        for (Path f : files) {
            if (including.contains(f)) {
                throw new SyntaxError(d.file(), d.line(), "include " + f + " includes itself (cycle)");
            }
            out.addAll(read(f, prefix, report, including));
        }
        return out;
    }

    /** The regular files a pattern names, sorted as nginx's glob() returns them; the pattern itself if no glob. */
    private static List<Path> matches(Path pattern) throws IOException {
        Path base = pattern.getRoot();
        int depth = 0;
        for (Path part : pattern) {
            if (depth > 0 || part.toString().matches(".*[*?\\[{].*")) {
                depth++;
            } else {
                base = base.resolve(part);
            }
        }
        if (depth == 0) {
            return Files.isRegularFile(pattern) ? List.of(pattern) : List.of();
        }
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern.toString().replace("\\", "\\\\"));
        try (Stream<Path> found = Files.find(base, depth, (p, attrs) -> attrs.isRegularFile() && matcher.matches(p))) {
            return found.sorted().toList();
        }
    }

    /** Directives up to the brace closing the block {@code opened} (at line {@code openedAt}), or to the end. */
    private List<Directive> block(String opened, int openedAt) throws SyntaxError {
        List<Directive> out = new ArrayList<>();
        List<String> words = new ArrayList<>();
        int start = line;
        while (true) {
            skipBlanksAndComments();
            if (pos >= text.length()) {
                if (!words.isEmpty()) {
                    throw error(start, "unexpected end of file after '" + words.get(0) + "', expecting ';' or '}'");
                }
                if (opened != null) {
                    throw error(openedAt, "unexpected end of file: '" + opened + " {' is never closed (missing '}')");
                }
                return out;
            }
            char c = text.charAt(pos);
            if (c == ';') {
                pos++;
                if (words.isEmpty()) {
                    throw error(line, "unexpected ';'");
                }
                out.add(directive(words, List.of(), false, start));
                words = new ArrayList<>();
            } else if (c == '{') {
                pos++;
                if (words.isEmpty()) {
                    throw error(line, "unexpected '{' (a block needs a name, e.g. 'server {')");
                }
                int blockLine = start;
                List<String> head = words;
                words = new ArrayList<>();
                if (head.get(0).endsWith("_by_lua_block")) {
                    // OpenResty's Lua code is no nginx syntax: kept whole, as the block's last argument
                    head.add(lua(head.get(0), blockLine));
                    out.add(directive(head, List.of(), true, blockLine));
                } else {
                    out.add(directive(head, block(head.get(0), blockLine), true, blockLine));
                }
            } else if (c == '}') {
                if (!words.isEmpty()) {
                    throw error(line, "unexpected '}' after '" + words.get(0) + "' (missing ';'?)");
                }
                if (opened == null) {
                    throw error(line, "unexpected '}' (no block to close)");
                }
                pos++;
                return out;
            } else {
                if (words.isEmpty()) {
                    start = line;
                }
                words.add(c == '"' || c == '\'' ? quoted(c) : word());
            }
        }
    }

    /**
     * The Lua code up to the brace closing {@code opened} (at line {@code openedAt}), the brace consumed. Like
     * lua-nginx-module's own reader, braces inside Lua strings and comments do not count.
     */
    private String lua(String opened, int openedAt) throws SyntaxError {
        int from = pos;
        int depth = 1;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"' || c == '\'') {
                luaString(c);
            } else if (text.startsWith("--", pos)) {
                pos += 2;
                if (!luaLongBracket()) {
                    while (pos < text.length() && text.charAt(pos) != '\n') {
                        pos++;
                    }
                }
            } else if (c == '[' && luaLongBracket()) {
                continue;
            } else {
                if (c == '{') {
                    depth++;
                } else if (c == '}' && --depth == 0) {
                    pos++;
                    return text.substring(from, pos - 1);
                }
                step();
            }
        }
        throw error(openedAt, "unexpected end of file: '" + opened + " {' is never closed (missing '}')");
    }

    /** Skips a Lua '...' or "..." string with its backslash escapes. */
    private void luaString(char quote) {
        step();
        while (pos < text.length() && text.charAt(pos) != quote && text.charAt(pos) != '\n') {
            if (text.charAt(pos) == '\\') {
                step();
            }
            if (pos < text.length()) {
                step();
            }
        }
        if (pos < text.length() && text.charAt(pos) == quote) {
            pos++;
        }
    }

    /** Skips a Lua long string or comment body ({@code [[...]]}, {@code [==[...]==]}) if one starts here. */
    private boolean luaLongBracket() {
        int level = 0;
        while (pos + 1 + level < text.length() && text.charAt(pos + 1 + level) == '=') {
            level++;
        }
        if (pos + 1 + level >= text.length() || text.charAt(pos) != '[' || text.charAt(pos + 1 + level) != '[') {
            return false;
        }
        String close = "]" + "=".repeat(level) + "]";
        int end = text.indexOf(close, pos);
        int stop = end < 0 ? text.length() : end + close.length();
        while (pos < stop) {
            step();
        }
        return true;
    }

    /** One character on, counting lines. */
    private void step() {
        if (text.charAt(pos) == '\n') {
            line++;
        }
        pos++;
    }

    private Directive directive(List<String> words, List<Directive> children, boolean block, int at) {
        return new Directive(words.get(0), words.subList(1, words.size()), children, block, file, at);
    }

    private void skipBlanksAndComments() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (Character.isWhitespace(c)) {
                if (c == '\n') {
                    line++;
                }
                pos++;
            } else {
                return;
            }
        }
    }

    private String quoted(char quote) throws SyntaxError {
        int from = line;
        pos++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error(from, "unclosed " + quote + " quote");
            }
            char c = text.charAt(pos);
            if (c == quote) {
                pos++;
                break;
            }
            if (c == '\\' && pos + 1 < text.length()) {
                escape(out);
                continue;
            }
            if (c == '\n') {
                line++;
            }
            out.append(c);
            pos++;
        }
        if (pos < text.length()) {
            char next = text.charAt(pos);
            if (!Character.isWhitespace(next) && next != ';' && next != '{' && next != '}') {
                throw error(line, "unexpected '" + next + "' right after a quoted string (a blank, ';' or '{' must follow)");
            }
        }
        return out.toString();
    }

    private String word() throws SyntaxError {
        StringBuilder out = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isWhitespace(c) || c == ';' || c == '{' || c == '}') {
                break;
            }
            if (c == '\\' && pos + 1 < text.length()) {
                escape(out);
            } else if (c == '$' && pos + 1 < text.length() && text.charAt(pos + 1) == '{') {
                // ${name} keeps its braces: they delimit a variable, not a block
                int close = text.indexOf('}', pos);
                int eol = text.indexOf('\n', pos);
                if (close < 0 || (eol >= 0 && eol < close)) {
                    throw error(line, "unclosed '${' in a variable");
                }
                out.append(text, pos, close + 1);
                pos = close + 1;
            } else {
                out.append(c);
                pos++;
            }
        }
        return out.toString();
    }

    /**
     * nginx's escapes: \" \' \\ are the character, \t \r \n the control; before anything else the backslash stays,
     * and either way the next character is never special (\; does not end a word).
     */
    private void escape(StringBuilder out) {
        char next = text.charAt(pos + 1);
        switch (next) {
            case '"', '\'', '\\' -> out.append(next);
            case 't' -> out.append('\t');
            case 'r' -> out.append('\r');
            case 'n' -> out.append('\n');
            default -> {
                out.append('\\').append(next);
                if (next == '\n') {
                    line++;
                }
            }
        }
        pos += 2;
    }

    private SyntaxError error(int at, String message) {
        return new SyntaxError(file, at, message);
    }
}
