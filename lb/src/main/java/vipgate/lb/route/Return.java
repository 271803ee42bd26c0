package vipgate.lb.route;

import java.util.Set;
import vipgate.lb.http.Template;

/**
 * nginx's {@code return}: {@code "301 https://$host$request_uri"} (a redirect code with its URL), {@code "200 text"}
 * (any other code with a body), {@code "404"} (the code alone: the standard page of an error, an empty body
 * otherwise), a bare URL (a 302) or {@code "444"} (close without an answer). Immutable.
 */
public record Return(int status, Template text) {
    /** nginx's non-standard code that closes the connection without a response. */
    public static final int CLOSE = 444;

    public static Return parse(String raw, Set<String> captureNames) {
        // only the start is trimmed: a text keeps its trailing newline (nginx's return 200 "ok\n")
        String s = raw.stripLeading();
        if (s.startsWith("http://") || s.startsWith("https://") || s.startsWith("$scheme")) {
            return new Return(302, Template.parse(s, captureNames));
        }
        int space = s.indexOf(' ');
        String code = space < 0 ? s : s.substring(0, space);
        int status;
        try {
            status = Integer.parseInt(code.strip());
        } catch (NumberFormatException e) {
            status = -1;
        }
        if (status < 0 || status > 999 || (space < 0 && s.isBlank())) {
            throw new IllegalArgumentException("write a status code (0-999) with an optional text or URL, e.g. \"301 "
                    + "https://$host$request_uri\" or \"200 ok\", or a URL alone; got '" + raw + "'");
        }
        String text = space < 0 ? "" : s.substring(space + 1);
        return new Return(status, text.isEmpty() ? null : Template.parse(text, captureNames));
    }

    /** Whether the text is a URL for the Location header rather than a body. */
    public boolean redirects() {
        return text != null && isRedirect(status);
    }

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }
}
