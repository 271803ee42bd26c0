package vipgate.lb.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A header value with nginx variables ({@code "$remote_addr"}, {@code "${host}:8080"}), parsed once when the
 * config is loaded so each request only concatenates.
 */
public final class Template {
    private static final Set<String> KNOWN = Set.of("remote_addr", "remote_port", "proxy_add_x_forwarded_for",
            "scheme", "host", "server_port", "request_uri", "proxy_host", "upstream_addr");

    private final String source;
    private final List<Part> parts;

    private Template(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
    }

    private sealed interface Part permits Literal, Variable {
    }

    private record Literal(String text) implements Part {
    }

    private record Variable(String name) implements Part {
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
            if (!KNOWN.contains(name) && !name.startsWith("http_")) {
                throw new IllegalArgumentException("unknown variable $" + name + "; known: $" + String.join(", $", KNOWN.stream().sorted().toList())
                        + ", $http_NAME");
            }
            if (literal.length() > 0) {
                parts.add(new Literal(literal.toString()));
                literal.setLength(0);
            }
            parts.add(new Variable(name));
            i = next;
        }
        if (literal.length() > 0) {
            parts.add(new Literal(literal.toString()));
        }
        return new Template(source, List.copyOf(parts));
    }

    public boolean isEmpty() {
        return parts.isEmpty();
    }

    public String evaluate(RequestVariables vars) {
        if (parts.size() == 1 && parts.get(0) instanceof Literal l) {
            return l.text();
        }
        StringBuilder out = new StringBuilder(32);
        for (Part part : parts) {
            if (part instanceof Literal l) {
                out.append(l.text());
            } else {
                out.append(value(((Variable) part).name(), vars));
            }
        }
        return out.toString();
    }

    private static String value(String name, RequestVariables vars) {
        return switch (name) {
            case "remote_addr" -> vars.remoteAddr();
            case "remote_port" -> Integer.toString(vars.remotePort());
            case "proxy_add_x_forwarded_for" -> {
                String prior = vars.requestHeader("x-forwarded-for");
                yield prior == null || prior.isEmpty() ? vars.remoteAddr() : prior + ", " + vars.remoteAddr();
            }
            case "scheme" -> vars.scheme();
            case "host" -> vars.host();
            case "server_port" -> Integer.toString(vars.serverPort());
            case "request_uri" -> vars.requestUri();
            case "proxy_host" -> vars.proxyHost();
            case "upstream_addr" -> vars.upstreamAddr();
            default -> {
                String header = vars.requestHeader(name.substring("http_".length()).replace('_', '-'));
                yield header == null ? "" : header;
            }
        };
    }

    @Override
    public String toString() {
        return source;
    }
}
