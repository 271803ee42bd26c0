package vipgate.appliance.importer.keepalived;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import vipgate.appliance.importer.Directive;
import vipgate.appliance.importer.Hocon;
import vipgate.appliance.importer.Report;

/** Reads the value of a keepalived directive; what it cannot read is told to the report and left out. */
final class Values {
    private final Report report;

    Values(Report report) {
        this.report = report;
    }

    /** The single argument; words after it are reported (keepalived reads only the first). */
    Optional<String> one(Directive d) {
        if (d.args().isEmpty()) {
            report.notMapped(d, "needs a value; left out");
            return Optional.empty();
        }
        if (d.args().size() > 1) {
            report.notMapped(d, "extra words ignored: " + String.join(" ", d.args().subList(1, d.args().size())));
        }
        return Optional.of(d.args().get(0));
    }

    Optional<Integer> integer(Directive d) {
        return one(d).flatMap(v -> {
            try {
                return Optional.of(Integer.parseInt(v));
            } catch (NumberFormatException e) {
                report.notMapped(d, "'" + v + "' is not a whole number; left out");
                return Optional.empty();
            }
        });
    }

    /** keepalived's seconds (decimals allowed) as a HOCON duration: {@code 5s}, or {@code 500ms} for a fraction. */
    Optional<Hocon.Raw> seconds(Directive d) {
        return one(d).flatMap(v -> {
            try {
                BigDecimal s = new BigDecimal(v);
                if (s.signum() < 0) {
                    throw new NumberFormatException();
                }
                BigDecimal millis = s.movePointRight(3);
                if (millis.stripTrailingZeros().scale() > 0) {
                    report.notMapped(d, "'" + v + "': vipgate counts in milliseconds; the fraction below is dropped");
                }
                return Optional.of(s.stripTrailingZeros().scale() <= 0 ? new Hocon.Raw(s.toBigInteger() + "s")
                        : new Hocon.Raw(millis.toBigInteger() + "ms"));
            } catch (NumberFormatException e) {
                report.notMapped(d, "'" + v + "' is not a number of seconds; left out");
                return Optional.empty();
            }
        });
    }

    /** keepalived's boolean: no argument means true (e.g. {@code smtp_alert}), else true/yes/on or false/no/off. */
    boolean flag(Directive d) {
        String v = d.arg().orElse("true").toLowerCase(Locale.ROOT);
        return !(v.equals("false") || v.equals("no") || v.equals("off") || v.equals("0"));
    }

    /**
     * A command line as keepalived runs it: every argument, a quoted one split again at its spaces unless they sit
     * inside inner quotes; written as a list so nothing depends on vipgate splitting it the same way.
     */
    static List<String> command(Directive d) {
        List<String> words = new ArrayList<>();
        for (String arg : d.args()) {
            words.addAll(words(arg));
        }
        return words;
    }

    /** Every word of a block that lists one or more per line ({@code notification_email}, a sync group's {@code group}). */
    static List<String> listed(Directive block) {
        List<String> words = new ArrayList<>();
        for (Directive line : block.children()) {
            words.add(line.name());
            words.addAll(line.args());
        }
        return words;
    }

    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (char c : text.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            out.add(word.toString());
        }
        return out;
    }
}
