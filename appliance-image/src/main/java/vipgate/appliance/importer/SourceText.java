package vipgate.appliance.importer;

import java.util.Map;

/**
 * Undoes the damage configurations pick up on their way through blog posts and chat: CRLF line ends, full-width
 * and non-breaking spaces, curly quotes, full-width braces and semicolons, zero-width characters, and
 * {@code // comments} after a value (neither keepalived nor nginx has them). Every repair is reported with its
 * line, so the operator sees what was guessed.
 */
public final class SourceText {
    private static final Map<Character, Character> LOOKALIKES = Map.ofEntries(
            Map.entry('\u3000', ' '), Map.entry('\u00a0', ' '), Map.entry('\u2002', ' '), Map.entry('\u2003', ' '),
            Map.entry('\u2009', ' '), Map.entry('\u201c', '"'), Map.entry('\u201d', '"'), Map.entry('\u201e', '"'),
            Map.entry('\u2018', '\''), Map.entry('\u2019', '\''), Map.entry('\uff5b', '{'), Map.entry('\uff5d', '}'),
            Map.entry('\uff1b', ';'), Map.entry('\uff1a', ':'), Map.entry('\uff0c', ','), Map.entry('\uff03', '#'),
            Map.entry('\uff01', '!'));

    private SourceText() {
    }

    /** The text of {@code file} with the damage undone, each repair in {@code report}. */
    public static String repair(String text, String file, Report report) {
        if (text.indexOf('\r') >= 0) {
            report.repaired(file, 1, "Windows (CRLF) line ends");
            text = text.replace("\r\n", "\n").replace('\r', '\n');
        }
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < lines.length; i++) {
            out.append(repairLine(lines[i], file, i + 1, report));
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static String repairLine(String line, String file, int number, Report report) {
        StringBuilder out = new StringBuilder(line.length());
        boolean lookalike = false;
        boolean invisible = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            Character ascii = LOOKALIKES.get(c);
            if (ascii != null) {
                out.append(ascii.charValue());
                lookalike = true;
            } else if (c == '\u200b' || c == '\ufeff' || c == '\u200c' || c == '\u200d') {
                invisible = true;
            } else {
                out.append(c);
            }
        }
        if (lookalike) {
            report.repaired(file, number, "full-width or typographic characters (spaces, quotes, braces) made plain ASCII");
        }
        if (invisible) {
            report.repaired(file, number, "invisible zero-width characters removed");
        }
        int comment = slashComment(out);
        if (comment >= 0) {
            report.repaired(file, number, "'" + out.substring(comment).strip() + "' is not a comment in this format; removed");
            out.setLength(comment);
        }
        return out.toString();
    }

    /**
     * Where a {@code //} comment starts, outside quotes: at the line's start, after blank space or a brace, or glued
     * to a value when comment text in another script follows ({@code eth0//网卡}); never in a URL's {@code ://}.
     * -1 if none.
     */
    private static int slashComment(CharSequence line) {
        char quote = 0;
        for (int i = 0; i + 1 < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '/' && line.charAt(i + 1) == '/' && (i == 0 || startsComment(line, i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsComment(CharSequence line, int slashes) {
        char before = line.charAt(slashes - 1);
        if (Character.isWhitespace(before) || before == '{' || before == '}') {
            return true;
        }
        int next = slashes + 2;
        while (next < line.length() && line.charAt(next) == ' ') {
            next++;
        }
        return before != ':' && next < line.length() && line.charAt(next) > 0x7f;
    }
}
