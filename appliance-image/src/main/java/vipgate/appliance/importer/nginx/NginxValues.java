package vipgate.appliance.importer.nginx;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import vipgate.appliance.importer.Hocon;

/**
 * nginx's time and size values ({@code ngx_parse_time}, {@code ngx_parse_size}) as vipgate writes them: "1m30s"
 * or "90" (seconds) become {@code 90s}, "1M" becomes {@code 1m} (HOCON reads k/m/g as powers of 1024, like nginx).
 */
final class NginxValues {
    private static final Pattern TIME_PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w|M|y)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kKmMgG]?)");

    private NginxValues() {
    }

    /** A time such as "60", "75s", "1m30s", "500ms"; empty when nginx would refuse it. */
    static Optional<Duration> time(String value) {
        Matcher m = TIME_PART.matcher(value);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < value.length()) {
            if (!m.find(at) || m.start() != at) {
                return Optional.empty();
            }
            if (m.group(1).length() > 9) {
                return Optional.empty();
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            total = total.plus(switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                case "w" -> Duration.ofDays(7 * n);
                case "M" -> Duration.ofDays(30 * n);
                case "y" -> Duration.ofDays(365 * n);
                default -> Duration.ofSeconds(n);
            });
            at = m.end();
        }
        return at == 0 ? Optional.empty() : Optional.of(total);
    }

    /** A duration as vipgate writes it: whole seconds as {@code 90s}, else milliseconds. */
    static Hocon.Raw duration(Duration d) {
        return new Hocon.Raw(d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms");
    }

    /** A size such as "1m", "512k", "0", in bytes; empty when nginx would refuse it. */
    static Optional<Long> size(String value) {
        Matcher m = SIZE.matcher(value);
        if (!m.matches() || m.group(1).length() > 12) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2).toLowerCase()) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            default -> n;
        });
    }

    /** A size as written: bytes, or the largest unit that divides it ({@code 20m}). */
    static Hocon.Raw sizeText(long bytes) {
        String[] units = {"g", "m", "k"};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << (10 * (3 - i));
            if (bytes != 0 && bytes % unit == 0) {
                return new Hocon.Raw(bytes / unit + units[i]);
            }
        }
        return new Hocon.Raw(Long.toString(bytes));
    }

    /** A whole number nginx accepts ("100"); empty otherwise. */
    static Optional<Integer> count(String value) {
        return value.matches("\\d{1,9}") ? Optional.of(Integer.parseInt(value)) : Optional.empty();
    }
}
