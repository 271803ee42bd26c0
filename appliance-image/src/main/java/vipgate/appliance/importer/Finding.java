package vipgate.appliance.importer;

/**
 * One thing the importer has to tell: a repair of copy-paste damage, a directive it could not map, or a place
 * where vipgate behaves differently (better) than the original, at the line of the input it is about.
 */
public record Finding(Kind kind, String file, int line, String message) {
    public enum Kind {
        /** The input was damaged (curly quotes, full-width spaces, a // comment) and was repaired. */
        REPAIRED,
        /** A directive with no vipgate equivalent: left out, said here. */
        NOT_MAPPED,
        /** Mapped, but vipgate does it differently on purpose (e.g. a process-check script became lb tracking). */
        CHANGED
    }

    /** {@code keepalived.conf:12: not mapped: ...}, as printed on stderr and in the output's comments. */
    @Override
    public String toString() {
        String what = switch (kind) {
            case REPAIRED -> "repaired";
            case NOT_MAPPED -> "not mapped";
            case CHANGED -> "changed";
        };
        return file + ":" + line + ": " + what + ": " + message;
    }
}
