package vipgate.appliance.importer.keepalived;

import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises a tracked script file that only looks after the local nginx, in the shapes the seeds and blog posts use:
 * a single check command; "exit 1 when nginx is down"; or "when nginx is down, start it, and if it still is, stop
 * keepalived". No shell is run: each line is classified, and the sequence must be one of those shapes exactly.
 */
final class NginxScript {
    /**
     * What such a script does, in words for the report, and whether keepalived's VIP moved by keepalived being stopped
     * (the script itself exits 0 whatever happens) rather than by the script's exit status and weight.
     */
    record Verdict(String what, boolean stopsKeepalived) {
    }

    private static final Pattern ASSIGN = Pattern.compile("(?<name>[A-Za-z_]\\w*)=(?<value>.*)");
    private static final Pattern SUBSTITUTION = Pattern.compile("\"?(\\$\\((?<a>.*)\\)|`(?<b>.*)`)\"?");
    private static final Pattern VARIABLE = Pattern.compile("\"?\\$\\{?(?<name>\\w+)}?\"?");
    private static final Pattern TEST = Pattern.compile("\\[\\[?\\s*(?<inner>.*?)\\s*]]?");
    private static final Pattern ZERO = Pattern.compile("(?<value>.+?)\\s+(-eq|==?)\\s+\"?0\"?");
    private static final Pattern EMPTY = Pattern.compile("-z\\s+(?<value>.+)|(?<value2>.+?)\\s+==?\\s+\"\"");
    private static final Pattern FAILED = Pattern.compile("\"?\\$\\?\"?\\s+(-ne|!=)\\s+\"?0\"?");
    private static final Pattern DEV_NULL = Pattern.compile("\\s*(&>|\\d?>>?)\\s*/dev/null(\\s*2>&1)?");
    private static final Pattern SLEEP = Pattern.compile("sleep\\s+(?<s>\\d+(\\.\\d+)?)");
    private static final Pattern START = Pattern.compile("(sudo\\s+)?(\\S+\\s+(re)?start\\s+nginx(\\.service)?"
            + "|(\\S*/)?service\\s+nginx\\s+(re)?start|(\\S*/)?nginx(\\s+(re)?start|(\\s+-[a-z]\\s+\\S+)*))");
    private static final Pattern STOP_KEEPALIVED = Pattern.compile("(sudo\\s+)?((\\S*/)?(killall|pkill)(\\s+-\\S+)*\\s+keepalived"
            + "|(\\S*/)?systemctl\\s+stop\\s+keepalived(\\.service)?|(\\S*/)?service\\s+keepalived\\s+stop|\\S*/keepalived\\s+stop)");
    private static final Pattern KEYWORD = Pattern.compile("(then|else)\\s+(?<rest>.+)");
    private static final Pattern LOG = Pattern.compile("(echo|logger|printf)\\b.*");

    /*
     * The shapes, over one letter a line: C a check whose exit status is nginx's, A a check's output kept in a
     * variable, I "if nginx is down", R a (re)start of nginx, S sleep, L logging, K keepalived stopped, 0/1 exit
     * status, E else, F fi.
     */
    private static final Pattern ONE_CHECK = Pattern.compile("C");
    private static final Pattern EXIT_STATUS = Pattern.compile("[AC]?IL*1(EL*0)?F0?");
    private static final Pattern STOP = Pattern.compile("[AC]?IL*KL*F|[AC]?I[RSLAC]*IL*KL*FL*F");

    private final Map<String, String> variables = new HashMap<>();
    private final Set<String> checkVariables = new HashSet<>();
    private final StringBuilder shape = new StringBuilder();
    private final List<String> starts = new ArrayList<>();
    private String check;
    private String checkWords;
    private String stop;
    private BigDecimal sleeps = BigDecimal.ZERO;
    private boolean lastWasCheck;

    private NginxScript() {
    }

    /**
     * @param timeout the vrrp_script's timeout in seconds (keepalived: its interval when 0), after which keepalived
     *     kills the script and counts a failure
     */
    static Optional<Verdict> recognise(String text, BigDecimal timeout) {
        NginxScript s = new NginxScript();
        for (String line : lines(text)) {
            if (!s.classify(line)) {
                return Optional.empty();
            }
        }
        return s.verdict(timeout);
    }

    private Optional<Verdict> verdict(BigDecimal timeout) {
        String letters = shape.toString();
        if (ONE_CHECK.matcher(letters).matches()) {
            return Optional.of(new Verdict("runs one command: " + checkWords, false));
        }
        if (EXIT_STATUS.matcher(letters).matches()) {
            return Optional.of(new Verdict("exits 1 when its nginx check ('" + check + "') fails, else 0", false));
        }
        if (!STOP.matcher(letters).matches()) {
            return Optional.empty();
        }
        String what = "when its nginx check ('" + check + "') fails, "
                + (starts.isEmpty() ? "" : "tries '" + String.join("', '", starts) + "' and, if nginx is still down, ")
                + "runs '" + stop + "'";
        if (sleeps.compareTo(timeout) >= 0) {
            return Optional.of(new Verdict(what + "; but its sleep of " + sleeps.toPlainString() + "s outlasts its "
                    + timeout.toPlainString() + "s timeout, so keepalived kills it before that and counts a failure: "
                    + "what moved the VIP was the script's weight", false));
        }
        return Optional.of(new Verdict(what + "; it exits 0 either way (its last command is an if without else), so "
                + "keepalived never applied its weight: the VIP moved because keepalived, stopped, sent priority 0 "
                + "and the backup took over at once", true));
    }

    /** One line's letter; false when the line is none of the known ones. */
    private boolean classify(String line) {
        String l = DEV_NULL.matcher(substitute(line)).replaceAll("").strip();
        boolean afterCheck = lastWasCheck;
        lastWasCheck = false;
        Matcher m;
        if (l.equals("then")) {
            return true;
        } else if (l.equals("fi") || l.equals("else")) {
            shape.append(l.equals("fi") ? 'F' : 'E');
        } else if (l.startsWith("if ")) {
            if (!down(l.substring(3).strip(), afterCheck)) {
                return false;
            }
            shape.append('I');
        } else if ((m = ASSIGN.matcher(l)).matches()) {
            return assign(m.group("name"), m.group("value"));
        } else if (checked(l)) {
            lastWasCheck = true;
            shape.append('C');
        } else if ((m = SLEEP.matcher(l)).matches()) {
            sleeps = sleeps.add(new BigDecimal(m.group("s")));
            shape.append('S');
        } else if (STOP_KEEPALIVED.matcher(l).matches()) {
            stop = l;
            shape.append('K');
        } else if (START.matcher(l).matches()) {
            starts.add(l);
            shape.append('R');
        } else if (LOG.matcher(l).matches()) {
            shape.append('L');
        } else if (l.matches("exit\\s+\\d+")) {
            shape.append(l.endsWith(" 0") ? '0' : '1');
        } else {
            return false;
        }
        return true;
    }

    /** {@code A=`ps -C nginx ...`} keeps a check's output; {@code PORT=80} a plain value, substituted later. */
    private boolean assign(String name, String value) {
        Optional<String> inner = substitution(value);
        if (inner.isPresent()) {
            if (!checked(inner.get())) {
                return false;
            }
            checkVariables.add(name);
            shape.append('A');
        } else if (value.contains("$") || value.contains("`")) {
            return false;
        } else {
            variables.put(name, value.replaceAll("^[\"']|[\"']$", ""));
        }
        return true;
    }

    /** A condition that holds when nginx is down; {@code lastWasCheck}: the line before was a check ({@code $?}). */
    private boolean down(String condition, boolean lastWasCheck) {
        if (condition.startsWith("! ")) {
            return checked(condition.substring(2));
        }
        Matcher test = TEST.matcher(condition);
        if (!test.matches()) {
            return false;
        }
        String inner = test.group("inner");
        if (FAILED.matcher(inner).matches()) {
            return lastWasCheck;
        }
        Matcher zero = ZERO.matcher(inner);
        Matcher empty = EMPTY.matcher(inner);
        String value = zero.matches() ? zero.group("value")
                : empty.matches() ? (empty.group("value") != null ? empty.group("value") : empty.group("value2")) : null;
        if (value == null) {
            return false;
        }
        Matcher variable = VARIABLE.matcher(value);
        if (variable.matches()) {
            return checkVariables.contains(variable.group("name"));
        }
        return substitution(value).filter(this::checked).isPresent();
    }

    /** Whether {@code command} (a count with {@code | wc -l} too) is a recognised nginx check; the first is kept. */
    private boolean checked(String command) {
        String c = command.strip().replaceAll("\\s*\\|\\s*wc\\s+-l$", "");
        Optional<String> words = NginxCheck.recognise(c);
        if (words.isPresent() && check == null) {
            check = command.strip();
            checkWords = words.get();
        }
        return words.isPresent();
    }

    private static Optional<String> substitution(String value) {
        Matcher m = SUBSTITUTION.matcher(value.strip());
        return m.matches() ? Optional.of(m.group("a") != null ? m.group("a") : m.group("b")) : Optional.empty();
    }

    /** Plain variables ({@code $PORT}, {@code ${NGINX}}) replaced by their values, as the shell would. */
    private String substitute(String line) {
        String out = line;
        for (Map.Entry<String, String> v : variables.entrySet()) {
            out = out.replace("${" + v.getKey() + "}", v.getValue()).replaceAll("\\$" + v.getKey() + "\\b",
                    Matcher.quoteReplacement(v.getValue()));
        }
        return out;
    }

    /**
     * The script's commands, one a line: split at newlines and at {@code ;} and {@code then}/{@code else} outside
     * quotes and substitutions, comments (and the #! line) dropped.
     */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String raw : text.replace("\r", "").split("\n")) {
            StringBuilder line = new StringBuilder();
            Deque<Character> open = new ArrayDeque<>();
            for (int i = 0; i < raw.length(); i++) {
                char c = raw.charAt(i);
                Character top = open.peek();
                if (top != null && top == '\'') {
                    if (c == '\'') {
                        open.pop();
                    }
                } else if (c == '#' && open.isEmpty() && (i == 0 || Character.isWhitespace(raw.charAt(i - 1))
                        || raw.charAt(i - 1) == ';')) {
                    break;
                } else if (c == ';' && open.isEmpty()) {
                    add(out, line);
                    continue;
                } else if (top != null && c == top && c != '(' || c == ')' && top != null && top == '(') {
                    open.pop();
                } else if (c == '$' && i + 1 < raw.length() && raw.charAt(i + 1) == '(') {
                    open.push('(');
                    line.append(c).append('(');
                    i++;
                    continue;
                } else if (c == '"' || c == '`' || c == '\'' && (top == null || top == '(')) {
                    open.push(c);
                }
                line.append(c);
            }
            add(out, line);
        }
        return out;
    }

    /** A statement, with a leading then/else split off as its own line. */
    private static void add(List<String> out, StringBuilder line) {
        String s = line.toString().strip();
        line.setLength(0);
        Matcher keyword = KEYWORD.matcher(s);
        if (keyword.matches()) {
            out.add(s.substring(0, s.indexOf(' ')));
            s = keyword.group("rest").strip();
        }
        if (!s.isEmpty()) {
            out.add(s);
        }
    }
}
