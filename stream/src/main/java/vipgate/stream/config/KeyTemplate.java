package vipgate.stream.config;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The hash key of a stream upstream (nginx stream {@code hash KEY consistent}): text with the session variables
 * {@code $remote_addr $remote_port $server_addr $server_port}, written {@code $name} or {@code ${name}}. Parsed once
 * when the configuration is read, so a misspelt variable is a problem at its line; immutable, equal when the text is.
 */
public final class KeyTemplate {

    /** The variables of a session known when its server is chosen. */
    enum Variable {
        REMOTE_ADDR, REMOTE_PORT, SERVER_ADDR, SERVER_PORT
    }

    private final String text;
    /** A String (literal text) or a {@link Variable}, in order. */
    private final List<Object> parts;

    private KeyTemplate(String text, List<Object> parts) {
        this.text = text;
        this.parts = parts;
    }

    /** @throws IllegalArgumentException naming the bad variable and the known ones */
    public static KeyTemplate parse(String text) {
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$') {
                literal.append(c);
                i++;
                continue;
            }
            int start;
            int end;
            int next;
            if (i + 1 < text.length() && text.charAt(i + 1) == '{') {
                start = i + 2;
                end = text.indexOf('}', start);
                if (end < 0) {
                    throw new IllegalArgumentException("'${' without its closing '}' in \"" + text + "\"");
                }
                next = end + 1;
            } else {
                start = i + 1;
                end = start;
                while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
                    end++;
                }
                next = end;
            }
            String name = text.substring(start, end);
            Variable variable = variable(name, text);
            if (!literal.isEmpty()) {
                parts.add(literal.toString());
                literal.setLength(0);
            }
            parts.add(variable);
            i = next;
        }
        if (!literal.isEmpty()) {
            parts.add(literal.toString());
        }
        return new KeyTemplate(text, List.copyOf(parts));
    }

    private static Variable variable(String name, String text) {
        try {
            if (!name.isEmpty() && name.equals(name.toLowerCase(Locale.ROOT))) {
                return Variable.valueOf(name.toUpperCase(Locale.ROOT));
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException("unknown variable '$" + name + "' in \"" + text
                + "\"; a stream key may use $remote_addr, $remote_port, $server_addr, $server_port");
    }

    /** The key of a session from its client ({@code remote}) and the listener address it reached ({@code local}). */
    public String evaluate(SocketAddress remote, SocketAddress local) {
        if (parts.size() == 1 && parts.get(0) instanceof String s) {
            return s;
        }
        StringBuilder out = new StringBuilder(48);
        for (Object part : parts) {
            if (part instanceof String s) {
                out.append(s);
            } else {
                switch ((Variable) part) {
                    case REMOTE_ADDR -> appendAddress(out, remote);
                    case REMOTE_PORT -> appendPort(out, remote);
                    case SERVER_ADDR -> appendAddress(out, local);
                    case SERVER_PORT -> appendPort(out, local);
                }
            }
        }
        return out.toString();
    }

    private static void appendAddress(StringBuilder out, SocketAddress a) {
        if (a instanceof InetSocketAddress inet && inet.getAddress() != null) {
            out.append(inet.getAddress().getHostAddress());
        }
    }

    private static void appendPort(StringBuilder out, SocketAddress a) {
        if (a instanceof InetSocketAddress inet) {
            out.append(inet.getPort());
        }
    }

    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyTemplate k && k.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
