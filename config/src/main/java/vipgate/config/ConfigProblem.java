package vipgate.config;

import com.typesafe.config.ConfigOrigin;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One thing wrong with a configuration file, located like a compiler error: {@code file:line: message}. */
public record ConfigProblem(String location, String message) {
    private static final Pattern LINES = Pattern.compile(": \\d+(-\\d+)?$");

    static ConfigProblem at(ConfigOrigin origin, String message) {
        return new ConfigProblem(describe(origin), message);
    }

    /** {@code file:line} when the origin is a file, the library's own description otherwise. */
    static String describe(ConfigOrigin origin) {
        if (origin == null) {
            return "<unknown>";
        }
        String file = origin.filename() != null ? origin.filename()
                : origin.resource() != null ? "classpath:" + origin.resource()
                : origin.url() != null ? origin.url().toString()
                : null;
        if (file == null) {
            // text parsed here (a file is read before it is parsed): the library says "name: 3", or "name: 3-5" merged
            String description = origin.description();
            Matcher lines = LINES.matcher(description);
            return lines.find() ? description.substring(0, lines.start()) + ":" + origin.lineNumber() : description;
        }
        return origin.lineNumber() > 0 ? file + ":" + origin.lineNumber() : file;
    }

    @Override
    public String toString() {
        return location + ": " + message;
    }
}
