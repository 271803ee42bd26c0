package vipgate.lb.config;

import java.util.List;

/**
 * nginx's {@code map SOURCE $NAME { default D; MATCH VALUE; ... }} as configured: {@code source} and the values are
 * templates, a match is a string or a regex written "~re" / "~*re".
 */
public record MapSpec(String name, String source, List<Entry> entries, String byDefault) {
    public MapSpec {
        entries = List.copyOf(entries);
    }

    public record Entry(String match, String value) {
    }

    /** Whether {@code value} names a capture ($1..$9): of the map's regex in nginx, which vipgate does not keep. */
    public static boolean usesCaptures(String value) {
        return value.matches("(?s).*\\$\\{?[1-9].*");
    }
}
