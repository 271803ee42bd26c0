package vipgate.appliance.importer.keepalived;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import vipgate.appliance.importer.Directive;
import vipgate.appliance.importer.Report;
import vipgate.appliance.importer.SourceText;

/**
 * Reads keepalived.conf into {@link Directive}s the way keepalived does: a line is a directive (its first word the
 * name, the rest arguments), a line ending in {@code {} opens a block that {@code }} closes, {@code !} and
 * {@code #} start comments, quotes group words, {@code include GLOB} reads other files in place. Like keepalived it
 * is lenient: a stray brace or an unclosed block is a finding, never an exception, so any input gives a result.
 */
public final class KeepalivedParser {
    /** keepalived refuses deeper include chains too; it also ends include loops. */
    private static final int MAX_INCLUDE_DEPTH = 8;

    private final Report report;

    public KeepalivedParser(Report report) {
        this.report = report;
    }

    /** The file's directives, includes read in place; the text is repaired first (see {@link SourceText}). */
    public List<Directive> parse(Path file) throws IOException {
        return parse(file, 0);
    }

    private List<Directive> parse(Path file, int depth) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString(), file.toAbsolutePath().getParent(), depth);
    }

    /** {@code text} as if read from {@code name}, repaired first; includes are found relative to {@code dir}. */
    public List<Directive> parse(String text, String name, Path dir) {
        return parse(text, name, dir, 0);
    }

    private List<Directive> parse(String damaged, String name, Path dir, int depth) {
        String text = SourceText.repair(damaged, name, report);
        Deque<Open> open = new ArrayDeque<>();
        open.push(new Open(null, new ArrayList<>()));
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            int lineNumber = n + 1;
            List<String> words = new ArrayList<>();
            for (Token t : tokens(lines[n], name, lineNumber)) {
                if (t.brace() == '{') {
                    Directive head = words.isEmpty() ? lastOf(open.peek()) : statement(words, name, lineNumber);
                    words.clear();
                    if (head == null) {
                        head = new Directive("{", List.of(), List.of(), true, name, lineNumber);
                        report.notMapped(head, "a block without a name; its content is read but not used");
                    }
                    open.push(new Open(head, new ArrayList<>()));
                } else if (t.brace() == '}') {
                    flush(words, open.peek(), name, lineNumber, dir, depth);
                    if (open.size() == 1) {
                        report.notMapped(new Directive("}", List.of(), List.of(), false, name, lineNumber),
                                "closes no block; ignored");
                    } else {
                        close(open);
                    }
                } else {
                    words.add(t.text());
                }
            }
            flush(words, open.peek(), name, lineNumber, dir, depth);
        }
        while (open.size() > 1) {
            report.notMapped(open.peek().head, "the block is never closed; it ends at the end of " + name);
            close(open);
        }
        return List.copyOf(open.peek().children);
    }

    /** A block being read: its head (null at top level) and the children so far. */
    private record Open(Directive head, List<Directive> children) {
    }

    /** A word, or a brace ({@code text} empty). */
    private record Token(String text, char brace) {
    }

    private static void close(Deque<Open> open) {
        Open done = open.pop();
        Directive h = done.head;
        open.peek().children.add(new Directive(h.name(), h.args(), done.children, true, h.file(), h.line()));
    }

    /** A brace alone on its line opens the directive just before it (the Allman style some configs use). */
    private static Directive lastOf(Open block) {
        List<Directive> c = block.children;
        if (c.isEmpty() || c.get(c.size() - 1).block()) {
            return null;
        }
        return c.remove(c.size() - 1);
    }

    private static Directive statement(List<String> words, String file, int line) {
        return new Directive(words.get(0), words.subList(1, words.size()), List.of(), false, file, line);
    }

    private void flush(List<String> words, Open block, String file, int line, Path dir, int depth) {
        if (words.isEmpty()) {
            return;
        }
        Directive d = statement(words, file, line);
        words.clear();
        if (d.name().equals("include")) {
            block.children.addAll(include(d, dir, depth));
        } else {
            block.children.add(d);
        }
    }

    private List<Directive> include(Directive d, Path dir, int depth) {
        if (d.args().size() != 1) {
            report.notMapped(d, "write one file or glob pattern, e.g. include /etc/keepalived/conf.d/*.conf");
            return List.of();
        }
        if (depth >= MAX_INCLUDE_DEPTH) {
            report.notMapped(d, "includes nested deeper than " + MAX_INCLUDE_DEPTH + " (a loop?); not read");
            return List.of();
        }
        Set<Path> files = new TreeSet<>();
        try {
            Path pattern = Path.of(d.args().get(0));
            expand(pattern.isAbsolute() ? pattern.getRoot() : dir, pattern.isAbsolute() ? pattern.getRoot().relativize(pattern)
                    : pattern, files);
        } catch (IOException | RuntimeException e) {
            report.notMapped(d, "cannot list '" + d.args().get(0) + "': " + e.getMessage());
            return List.of();
        }
        if (files.isEmpty()) {
            report.notMapped(d, "no file matches '" + d.args().get(0) + "'; what it held is missing from the import");
        }
        List<Directive> out = new ArrayList<>();
        for (Path f : files) {
            try {
                out.addAll(parse(f, depth + 1));
            } catch (IOException e) {
                report.notMapped(d, "cannot read " + f + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** The files under {@code base} matching {@code rest}, one glob per path segment (as glob(3) expands them). */
    private static void expand(Path base, Path rest, Set<Path> found) throws IOException {
        String segment = rest.getName(0).toString();
        Path remaining = rest.getNameCount() > 1 ? rest.subpath(1, rest.getNameCount()) : null;
        List<Path> matches = new ArrayList<>();
        if (segment.chars().noneMatch(c -> c == '*' || c == '?' || c == '[' || c == '{')) {
            Path p = base.resolve(segment);
            if (Files.exists(p)) {
                matches.add(p);
            }
        } else if (Files.isDirectory(base)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(base, segment)) {
                entries.forEach(matches::add);
            }
        }
        for (Path m : matches) {
            if (remaining == null) {
                if (Files.isRegularFile(m)) {
                    found.add(m.normalize());
                }
            } else if (Files.isDirectory(m)) {
                expand(m, remaining, found);
            }
        }
    }

    /** One line's words and braces; a comment ends the line, an unclosed quote runs to its end (as in keepalived). */
    private List<Token> tokens(String line, String file, int number) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '!' || c == '#') {
                break;
            } else if (c == '{' || c == '}') {
                out.add(new Token("", c));
                i++;
            } else {
                StringBuilder word = new StringBuilder();
                while (i < line.length() && !Character.isWhitespace(line.charAt(i)) && line.charAt(i) != '{'
                        && line.charAt(i) != '}') {
                    char w = line.charAt(i);
                    if (w == '"' || w == '\'') {
                        int end = line.indexOf(w, i + 1);
                        if (end < 0) {
                            report.repaired(file, number, "unclosed " + w + " quote; closed at the end of the line");
                            end = line.length();
                        }
                        word.append(line, i + 1, end);
                        i = Math.min(end + 1, line.length());
                    } else {
                        word.append(w);
                        i++;
                    }
                }
                out.add(new Token(word.toString(), (char) 0));
            }
        }
        return out;
    }
}
