package vipgate.health;

import java.util.BitSet;

/**
 * The HTTP statuses that count as healthy, written as nginx's {@code match status} does:
 * {@code 200}, {@code 200-399} or a comma list such as {@code 200,204,300-399}.
 */
public final class StatusRange {
    private static final int MIN = 100;
    private static final int MAX = 599;
    private static final String EXAMPLES = "write a status or range such as 200, 200-399 or 200,204,300-399";

    private final BitSet codes;
    private final String text;

    private StatusRange(BitSet codes, String text) {
        this.codes = codes;
        this.text = text;
    }

    /** @throws IllegalArgumentException naming the bad part and showing the accepted forms */
    public static StatusRange parse(String text) {
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("empty status list; " + EXAMPLES);
        }
        BitSet codes = new BitSet(MAX + 1);
        StringBuilder canonical = new StringBuilder();
        for (String part : trimmed.split(",", -1)) {
            String p = part.trim();
            int dash = p.indexOf('-');
            int low = code(dash < 0 ? p : p.substring(0, dash), text);
            int high = dash < 0 ? low : code(p.substring(dash + 1), text);
            if (low > high) {
                throw new IllegalArgumentException("'" + p + "' in '" + text + "' is backwards; write the lower status first, e.g. "
                        + high + "-" + low);
            }
            codes.set(low, high + 1);
            canonical.append(canonical.length() == 0 ? "" : ",").append(low == high ? "" + low : low + "-" + high);
        }
        return new StatusRange(codes, canonical.toString());
    }

    private static int code(String s, String whole) {
        String t = s.trim();
        if (!t.isEmpty() && t.length() <= 3 && t.chars().allMatch(Character::isDigit)) {
            int code = Integer.parseInt(t);
            if (code >= MIN && code <= MAX) {
                return code;
            }
        }
        throw new IllegalArgumentException("'" + t + "' in '" + whole + "' is not an HTTP status from " + MIN + " to " + MAX
                + "; " + EXAMPLES);
    }

    public boolean contains(int status) {
        return status >= MIN && status <= MAX && codes.get(status);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StatusRange other && codes.equals(other.codes);
    }

    @Override
    public int hashCode() {
        return codes.hashCode();
    }

    /** As written (normalised spacing), so details read {@code status 503 not in 200-399}. */
    @Override
    public String toString() {
        return text;
    }
}
