package vipgate.appliance.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: it parses what a scrape reads
 * (HELP, TYPE, samples with escaped label values, Go float values, optional timestamps) and refuses, with the
 * line, everything Prometheus' parser or {@code promtool check metrics} refuses or warns about:
 * <ul>
 *   <li>metric and label name syntax, reserved {@code __} label names, a label given twice, bad escapes;</li>
 *   <li>a sample without a TYPE before it, a family whose lines are interleaved with another's or that comes
 *       back later, HELP or TYPE twice or after the family's samples, a family without HELP;</li>
 *   <li>the same series (name and label set) twice;</li>
 *   <li>a counter whose name does not end in {@code _total}, or with a negative or NaN value;</li>
 *   <li>a histogram series without {@code le="+Inf"}, {@code _sum} or {@code _count}, buckets that are not
 *       cumulative, {@code +Inf} bucket unequal to {@code _count}; a summary without {@code quantile};</li>
 *   <li>a last line without its line feed.</li>
 * </ul>
 */
public final class PrometheusExposition {
    public enum Type { COUNTER, GAUGE, HISTOGRAM, SUMMARY, UNTYPED }

    /** One sample line: its full name (with a histogram's {@code _bucket}/{@code _sum}/{@code _count} suffix). */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    public record Family(String name, Type type, String help, List<Sample> samples) {
    }

    /** What the format or a convention forbids, with the 1-based line it was found at. */
    public static final class FormatException extends IllegalArgumentException {
        FormatException(int line, String message) {
            super("line " + line + ": " + message);
        }
    }

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    /** Go's strconv.ParseFloat in decimal (what the clients write), plus its Inf/NaN spellings. */
    private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern SPECIAL = Pattern.compile("(?i)[+-]?(inf|infinity)|nan");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d{1,19}");

    private final Map<String, Family> families;

    private PrometheusExposition(Map<String, Family> families) {
        this.families = families;
    }

    /** Parses and validates a whole page; throws {@link FormatException} at the first problem. */
    public static PrometheusExposition parse(String text) {
        return new Parser().parse(text);
    }

    public Map<String, Family> families() {
        return Collections.unmodifiableMap(families);
    }

    public Family family(String name) {
        Family f = families.get(name);
        if (f == null) {
            throw new AssertionError("no metric family " + name + "; the page has " + families.keySet());
        }
        return f;
    }

    /** Every sample named {@code sampleName} (e.g. {@code x_bucket}), of whichever family it belongs to. */
    public List<Sample> samples(String sampleName) {
        return families.values().stream().flatMap(f -> f.samples().stream()).filter(s -> s.name().equals(sampleName)).toList();
    }

    /** The value of the one sample with exactly these labels ({@code "upstream", "web", "class", "2xx"}). */
    public double value(String sampleName, String... labelNamesAndValues) {
        Map<String, String> want = new TreeMap<>();
        for (int i = 0; i < labelNamesAndValues.length; i += 2) {
            want.put(labelNamesAndValues[i], labelNamesAndValues[i + 1]);
        }
        List<Sample> all = samples(sampleName);
        return all.stream().filter(s -> new TreeMap<>(s.labels()).equals(want)).findFirst().map(Sample::value)
                .orElseThrow(() -> new AssertionError("no sample " + sampleName + want + "; there are "
                        + all.stream().map(s -> s.labels().toString()).collect(Collectors.joining(", "))));
    }

    /** The sum over every sample named {@code sampleName} whose labels include these. */
    public double sum(String sampleName, String... labelNamesAndValues) {
        return samples(sampleName).stream().filter(s -> {
            for (int i = 0; i < labelNamesAndValues.length; i += 2) {
                if (!labelNamesAndValues[i + 1].equals(s.labels().get(labelNamesAndValues[i]))) {
                    return false;
                }
            }
            return true;
        }).mapToDouble(Sample::value).sum();
    }

    private static final class FamilyBuilder {
        final String name;
        final int line;
        Type type;
        String help;
        final List<Sample> samples = new ArrayList<>();
        final Set<List<Object>> series = new HashSet<>();

        FamilyBuilder(String name, int line) {
            this.name = name;
            this.line = line;
        }

        /** Whether a sample of this name is one of this family's (with the suffixes its type has). */
        boolean owns(String sampleName) {
            if (sampleName.equals(name)) {
                return type != Type.HISTOGRAM;
            }
            List<String> suffixes = switch (type == null ? Type.UNTYPED : type) {
                case HISTOGRAM -> List.of("_bucket", "_sum", "_count");
                case SUMMARY -> List.of("_sum", "_count");
                default -> List.of();
            };
            return suffixes.stream().anyMatch(s -> sampleName.equals(name + s));
        }
    }

    private static final class Parser {
        private final Map<String, FamilyBuilder> families = new LinkedHashMap<>();
        private FamilyBuilder current;
        private int lineNo;

        PrometheusExposition parse(String text) {
            if (!text.isEmpty() && !text.endsWith("\n")) {
                throw new FormatException((int) text.lines().count(), "the last line must end with a line feed");
            }
            for (String line : text.split("\n", -1)) {
                lineNo++;
                if (line.isEmpty()) {
                    continue;
                }
                if (line.startsWith("#")) {
                    comment(line);
                } else {
                    sample(new Cursor(line, lineNo));
                }
            }
            Map<String, Family> out = new LinkedHashMap<>();
            for (FamilyBuilder f : families.values()) {
                validate(f);
                out.put(f.name, new Family(f.name, f.type, f.help, List.copyOf(f.samples)));
            }
            return new PrometheusExposition(out);
        }

        private void comment(String line) {
            Cursor c = new Cursor(line, lineNo);
            c.expect('#');
            c.skipBlanks();
            String keyword = c.token();
            if (!keyword.equals("HELP") && !keyword.equals("TYPE")) {
                return; // a plain comment
            }
            c.skipBlanks();
            String name = c.token();
            if (!METRIC_NAME.matcher(name).matches()) {
                throw error("invalid metric name '" + name + "' in " + keyword);
            }
            FamilyBuilder f = enter(name);
            if (!f.samples.isEmpty()) {
                throw error(keyword + " of " + name + " after its samples");
            }
            if (keyword.equals("HELP")) {
                if (f.help != null) {
                    throw error("second HELP for " + name);
                }
                f.help = c.atEnd() ? "" : c.help();
            } else {
                if (f.type != null) {
                    throw error("second TYPE for " + name);
                }
                c.skipBlanks();
                String type = c.token();
                c.skipBlanks();
                if (!c.atEnd()) {
                    throw error("text after the type of " + name);
                }
                f.type = switch (type) {
                    case "counter" -> Type.COUNTER;
                    case "gauge" -> Type.GAUGE;
                    case "histogram" -> Type.HISTOGRAM;
                    case "summary" -> Type.SUMMARY;
                    case "untyped" -> Type.UNTYPED;
                    default -> throw error("unknown type '" + type + "' for " + name);
                };
                checkNameClash(f);
            }
        }

        /** The family a HELP or TYPE line names: the current one, or a new one (never one that ended before). */
        private FamilyBuilder enter(String name) {
            if (current != null && current.name.equals(name)) {
                return current;
            }
            if (families.containsKey(name)) {
                throw error("metric family " + name + " appears again after other families (its lines must be one group)");
            }
            current = new FamilyBuilder(name, lineNo);
            families.put(name, current);
            return current;
        }

        /** A histogram x owns the names x_bucket, x_sum and x_count; no other family may be called so. */
        private void checkNameClash(FamilyBuilder f) {
            for (FamilyBuilder other : families.values()) {
                if (other != f && other.type != null && (other.owns(f.name) || f.owns(other.name))) {
                    throw error("metric family " + f.name + " clashes with the samples of " + other.name);
                }
            }
        }

        private void sample(Cursor c) {
            String name = c.token();
            if (!METRIC_NAME.matcher(name).matches()) {
                throw error("invalid metric name '" + name + "'");
            }
            Map<String, String> labels = c.peek() == '{' ? labels(c) : Map.of();
            c.skipBlanks();
            double value = number(c.token(), "value of " + name);
            c.skipBlanks();
            if (!c.atEnd()) {
                String ts = c.token();
                if (!TIMESTAMP.matcher(ts).matches()) {
                    throw error("invalid timestamp '" + ts + "'");
                }
                c.skipBlanks();
                if (!c.atEnd()) {
                    throw error("text after the timestamp");
                }
            }
            FamilyBuilder f = current;
            if (f == null || !f.owns(name)) {
                FamilyBuilder earlier = families.values().stream().filter(b -> b.owns(name)).findFirst().orElse(null);
                throw error(earlier != null
                        ? "sample " + name + " of family " + earlier.name + " after another family began (interleaved families)"
                        : "sample " + name + " has no TYPE line before it");
            }
            if (f.type == null) {
                throw error("sample " + name + " before the TYPE of its family " + f.name);
            }
            if (!f.series.add(List.of(name, new TreeMap<>(labels)))) {
                throw error("duplicate series " + name + labels);
            }
            if (f.type == Type.HISTOGRAM && name.endsWith("_bucket")) {
                String le = labels.get("le");
                if (le == null) {
                    throw error(name + " without an le label");
                }
                number(le, "le of " + name);
            } else if (labels.containsKey("le") && f.type == Type.HISTOGRAM) {
                throw error(name + " must not have an le label");
            }
            if (f.type == Type.SUMMARY) {
                boolean quantileSample = name.equals(f.name);
                if (quantileSample != labels.containsKey("quantile")) {
                    throw error(quantileSample ? name + " without a quantile label" : name + " must not have a quantile label");
                }
                if (quantileSample) {
                    double q = number(labels.get("quantile"), "quantile of " + name);
                    if (!(q >= 0 && q <= 1)) {
                        throw error("quantile " + q + " of " + name + " outside [0, 1]");
                    }
                }
            }
            f.samples.add(new Sample(name, Collections.unmodifiableMap(labels), value));
        }

        private Map<String, String> labels(Cursor c) {
            Map<String, String> labels = new LinkedHashMap<>();
            c.expect('{');
            c.skipBlanks();
            while (c.peek() != '}') {
                String label = c.labelName();
                if (!LABEL_NAME.matcher(label).matches()) {
                    throw error("invalid label name '" + label + "'");
                }
                if (label.startsWith("__")) {
                    throw error("label name " + label + " is reserved (starts with __)");
                }
                c.skipBlanks();
                c.expect('=');
                c.skipBlanks();
                String value = c.labelValue();
                if (labels.put(label, value) != null) {
                    throw error("label " + label + " given twice");
                }
                c.skipBlanks();
                if (c.peek() == ',') {
                    c.expect(',');
                    c.skipBlanks();
                } else if (c.peek() != '}') {
                    throw error("expected ',' or '}' after label " + label);
                }
            }
            c.expect('}');
            return labels;
        }

        private double number(String text, String what) {
            if (FLOAT.matcher(text).matches()) {
                return Double.parseDouble(text);
            }
            if (SPECIAL.matcher(text).matches()) {
                String t = text.toLowerCase(java.util.Locale.ROOT);
                return t.equals("nan") ? Double.NaN : t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            throw error("invalid number '" + text + "' as " + what);
        }

        private void validate(FamilyBuilder f) {
            lineNo = f.line;
            if (f.type == null) {
                throw error("metric family " + f.name + " has HELP but no TYPE");
            }
            if (f.help == null) {
                throw error("metric family " + f.name + " has no HELP");
            }
            switch (f.type) {
                case COUNTER -> {
                    if (!f.name.endsWith("_total")) {
                        throw error("counter " + f.name + " should end with _total");
                    }
                    for (Sample s : f.samples) {
                        if (Double.isNaN(s.value()) || s.value() < 0) {
                            throw error("counter " + f.name + s.labels() + " is " + s.value());
                        }
                    }
                }
                case HISTOGRAM -> histogram(f);
                case SUMMARY -> summary(f);
                default -> {
                }
            }
        }

        private void histogram(FamilyBuilder f) {
            Map<Map<String, String>, TreeMap<Double, Double>> buckets = new LinkedHashMap<>();
            Map<Map<String, String>, Double> sums = new LinkedHashMap<>();
            Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
            for (Sample s : f.samples) {
                Map<String, String> labels = new TreeMap<>(s.labels());
                if (s.name().endsWith("_bucket")) {
                    double le = number(labels.remove("le"), "le");
                    buckets.computeIfAbsent(labels, l -> new TreeMap<>()).put(le, s.value());
                } else if (s.name().endsWith("_sum")) {
                    sums.put(labels, s.value());
                } else {
                    counts.put(labels, s.value());
                }
            }
            Set<Map<String, String>> series = new LinkedHashSet<>(buckets.keySet());
            series.addAll(sums.keySet());
            series.addAll(counts.keySet());
            for (Map<String, String> labels : series) {
                String which = f.name + labels;
                TreeMap<Double, Double> b = buckets.get(labels);
                if (b == null || !b.containsKey(Double.POSITIVE_INFINITY)) {
                    throw error("histogram " + which + " has no le=\"+Inf\" bucket");
                }
                if (!sums.containsKey(labels)) {
                    throw error("histogram " + which + " has no _sum");
                }
                Double count = counts.get(labels);
                if (count == null) {
                    throw error("histogram " + which + " has no _count");
                }
                double previous = 0;
                for (Map.Entry<Double, Double> e : b.entrySet()) {
                    double v = e.getValue();
                    if (Double.isNaN(v) || v < previous || v != Math.rint(v)) {
                        throw error("histogram " + which + " bucket le=" + e.getKey() + " is " + v
                                + " after " + previous + ": buckets must be cumulative whole counts");
                    }
                    previous = v;
                }
                if (b.get(Double.POSITIVE_INFINITY).doubleValue() != count) {
                    throw error("histogram " + which + " has +Inf bucket " + b.get(Double.POSITIVE_INFINITY) + " but _count " + count);
                }
            }
        }

        private void summary(FamilyBuilder f) {
            Set<Map<String, String>> series = new HashSet<>();
            Set<Map<String, String>> sums = new HashSet<>();
            Set<Map<String, String>> counts = new HashSet<>();
            for (Sample s : f.samples) {
                Map<String, String> labels = new TreeMap<>(s.labels());
                labels.remove("quantile");
                (s.name().endsWith("_sum") && !s.name().equals(f.name) ? sums
                        : s.name().endsWith("_count") && !s.name().equals(f.name) ? counts : series).add(labels);
            }
            series.addAll(sums);
            series.addAll(counts);
            for (Map<String, String> labels : series) {
                if (!sums.contains(labels) || !counts.contains(labels)) {
                    throw error("summary " + f.name + labels + " needs both _sum and _count");
                }
            }
        }

        private FormatException error(String message) {
            return new FormatException(lineNo, message);
        }
    }

    /** Reading one line. */
    private static final class Cursor {
        private final String line;
        private final int lineNo;
        private int pos;

        Cursor(String line, int lineNo) {
            this.line = line;
            this.lineNo = lineNo;
        }

        boolean atEnd() {
            return pos >= line.length();
        }

        char peek() {
            return atEnd() ? '\0' : line.charAt(pos);
        }

        void expect(char c) {
            if (peek() != c) {
                throw new FormatException(lineNo, "expected '" + c + "' at column " + (pos + 1) + " of: " + line);
            }
            pos++;
        }

        void skipBlanks() {
            while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
                pos++;
            }
        }

        void requireBlank() {
            if (peek() != ' ' && peek() != '\t') {
                throw new FormatException(lineNo, "expected a blank at column " + (pos + 1) + " of: " + line);
            }
        }

        /** Up to the next blank, brace or end of line. */
        String token() {
            int start = pos;
            while (!atEnd() && peek() != ' ' && peek() != '\t' && peek() != '{') {
                pos++;
            }
            return line.substring(start, pos);
        }

        String labelName() {
            int start = pos;
            while (!atEnd() && peek() != '=' && peek() != ' ' && peek() != '\t' && peek() != ',' && peek() != '}') {
                pos++;
            }
            return line.substring(start, pos);
        }

        /** A quoted label value: escapes \\, \" and \n, nothing else. */
        String labelValue() {
            expect('"');
            StringBuilder v = new StringBuilder();
            while (true) {
                if (atEnd()) {
                    throw new FormatException(lineNo, "unterminated label value in: " + line);
                }
                char c = line.charAt(pos++);
                if (c == '"') {
                    return v.toString();
                }
                if (c == '\\') {
                    v.append(escape("\\\"n"));
                } else {
                    v.append(c);
                }
            }
        }

        /** The rest of a HELP line after one blank: escapes \\ and \n only. */
        String help() {
            requireBlank();
            pos++;
            StringBuilder v = new StringBuilder();
            while (!atEnd()) {
                char c = line.charAt(pos++);
                v.append(c == '\\' ? escape("\\n") : c);
            }
            return v.toString();
        }

        private char escape(String allowed) {
            char e = atEnd() ? '\0' : line.charAt(pos++);
            if (allowed.indexOf(e) < 0) {
                throw new FormatException(lineNo, "invalid escape sequence '\\" + e + "' in: " + line);
            }
            return e == 'n' ? '\n' : e;
        }
    }
}
