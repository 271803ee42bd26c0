package vipgate.appliance.importer.keepalived;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises a command that only asks "is the local nginx up?": a process check ({@code killall -0 nginx},
 * {@code pidof nginx}, {@code ps -C nginx}, {@code ps ... | grep nginx}, {@code systemctl is-active nginx}) or a
 * check of the proxy's port on this box ({@code nc -z}, {@code nmap ... | grep open}, {@code curl http://127.0.0.1/}).
 * Used on a vrrp_script's command text and on the lines of a script file ({@link NginxScript}).
 */
final class NginxCheck {
    /**
     * The ports a port check must probe to be taken for the proxy: the keepalived half of the import does not see
     * nginx's listen ports, and a check of another port (a message queue's, say) is about another service.
     */
    static final Set<Integer> PROXY_PORTS = Set.of(80, 443);

    private static final String BIN = "(\\S*/)?";
    private static final Pattern PROCESS = Pattern.compile(BIN + "(killall\\s+-0|pidof(\\s+-\\S+)*|pgrep(\\s+-\\S+)*)\\s+nginx");
    private static final Pattern PS = Pattern.compile(BIN + "ps\\s+(-\\S+\\s+)*-C\\s+nginx(\\s+-\\S+)*");
    private static final Pattern PS_GREP = Pattern.compile(
            BIN + "ps\\b[^|]*\\|\\s*grep\\b[^|]*nginx[^|]*(\\|\\s*grep\\s+-v\\s+grep\\s*)?");
    private static final Pattern SYSTEMD = Pattern.compile(BIN + "systemctl\\s+is-active(\\s+-\\S+)*\\s+nginx(\\.service)?");
    private static final String LOCAL = "(localhost|127\\.0\\.0\\.1|::1)";
    private static final Pattern NC = Pattern.compile(BIN + "nc\\s+-\\w*z\\w*\\s+" + LOCAL + "\\s+(?<port>\\d{1,5})");
    private static final Pattern NMAP = Pattern.compile(BIN + "nmap\\s+(?:" + LOCAL + "\\s+-p\\s*(?<port>\\d{1,5})"
            + "|-p\\s*(?<port2>\\d{1,5})\\s+" + LOCAL + ")\\s*\\|\\s*grep\\b.*open.*");
    private static final String CURL_OPTIONS = "(\\s+(-[omw]\\s+\\S+|--(output|max-time|connect-timeout)\\s+\\S+|-[-\\w]+))*";
    /** curl's options only, no pipe: the exit status is curl's own (connection refused or, with -f, an HTTP error). */
    private static final Pattern CURL = Pattern.compile(BIN + "curl" + CURL_OPTIONS + "\\s+[\"']?(?<scheme>https?)://(\\[::1]|"
            + LOCAL + ")(:(?<port>\\d{1,5}))?(/[^\\s|;&]*)?[\"']?" + CURL_OPTIONS);

    private NginxCheck() {
    }

    /** What the command checks, in words for the report, when it is one of the recognised nginx checks. */
    static Optional<String> recognise(List<String> command) {
        return recognise(shellText(command));
    }

    /** As {@link #recognise(List)}, for one command line of a shell script. */
    static Optional<String> recognise(String line) {
        String text = line.strip().replaceAll("\\s+", " ");
        if (PROCESS.matcher(text).matches() || PS.matcher(text).matches() || PS_GREP.matcher(text).matches()) {
            return Optional.of("'" + text + "' only checks that an nginx process exists");
        }
        if (SYSTEMD.matcher(text).matches()) {
            return Optional.of("'" + text + "' only checks that systemd has the nginx service running");
        }
        Matcher curl = CURL.matcher(text);
        if (curl.matches()) {
            String port = Objects.requireNonNullElse(curl.group("port"), curl.group("scheme").equals("https") ? "443" : "80");
            return PROXY_PORTS.contains(Integer.parseInt(port))
                    ? Optional.of("'" + text + "' only checks that the proxy answers HTTP on this box's port " + port)
                    : Optional.empty();
        }
        Matcher nc = NC.matcher(text);
        Matcher nmap = NMAP.matcher(text);
        String port = nc.matches() ? nc.group("port")
                : nmap.matches() ? Objects.requireNonNullElse(nmap.group("port"), nmap.group("port2")) : null;
        if (port != null && PROXY_PORTS.contains(Integer.parseInt(port))) {
            return Optional.of("'" + text + "' only checks that the proxy's port " + port + " on this box accepts connections");
        }
        return Optional.empty();
    }

    /** The command line a {@code sh -c '...'} wrapper runs, else the words themselves. */
    private static String shellText(List<String> command) {
        boolean shell = command.size() == 3 && command.get(0).matches(BIN + "(ba|da)?sh") && command.get(1).equals("-c");
        return shell ? command.get(2) : String.join(" ", command);
    }
}
