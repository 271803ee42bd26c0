package vipgate.config;

import com.typesafe.config.ConfigOrigin;

/** One thing wrong with a configuration file, located like a compiler error: {@code file:line: message}. */
public record ConfigProblem(String location, String message) {

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
            // a parsed string: the library's description already carries the line ("name: 3")
            return origin.description().replace(": ", ":");
        }
        return origin.lineNumber() > 0 ? file + ":" + origin.lineNumber() : file;
    }

    @Override
    public String toString() {
        return location + ": " + message;
    }
}
