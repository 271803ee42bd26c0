package vipgate.config;

import java.net.InetSocketAddress;

/**
 * An address as operators write it: {@code 127.0.0.1:8081}, {@code [::1]:80}, {@code web1:80}, or a bare
 * port ({@code 8080}, meaning every address, as nginx's {@code listen 8080}).
 */
public record HostPort(String host, int port) {

    public static HostPort parse(String text) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty address; write host:port such as 127.0.0.1:8080");
        }
        if (s.chars().allMatch(Character::isDigit)) {
            return new HostPort("0.0.0.0", port(s, text));
        }
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + text + "': write an IPv6 address as [::1]:8080");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + text + "' has no port; write host:port such as " + s + ":80");
            }
            if (s.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + text + "': write an IPv6 address in brackets, e.g. [::1]:8080");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' has no host; write host:port such as 0.0.0.0:8080");
        }
        return new HostPort(host, port(port, text));
    }

    private static int port(String p, String whole) {
        try {
            int port = Integer.parseInt(p);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the whole value
        }
        throw new IllegalArgumentException("'" + whole + "': port must be a number from 1 to 65535");
    }

    /** An unresolved socket address: resolution happens where the connection is made. */
    public InetSocketAddress toUnresolved() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** A resolved socket address; literal IPs never touch DNS. */
    public InetSocketAddress resolve() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
