package vipgate.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An address as operators write it: {@code 127.0.0.1:8081}, {@code [::1]:80}, {@code web1:80}, or a bare
 * port ({@code 8080}, meaning every address, as nginx's {@code listen 8080}).
 */
public record HostPort(String host, int port) {
    private static final Pattern IPV4_LIKE = Pattern.compile("[0-9.]+");
    private static final Pattern NAME = Pattern.compile(
            "(?!-)[A-Za-z0-9_-]{1,63}(?<!-)(\\.(?!-)[A-Za-z0-9_-]{1,63}(?<!-))*\\.?");

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
        return new HostPort(host(host, text), port(port, text));
    }

    /**
     * Refuses here what would otherwise pass {@code vipgate check} and fail at bind or connect time: an IPv4-looking
     * host that is no IPv4 address (Java would look "999.1.1.1" up as a name), a bad IPv6 literal, a malformed name.
     */
    private static String host(String host, String whole) {
        if (host.equals("*")) {
            return host; // nginx's wildcard
        }
        if (host.indexOf(':') >= 0) {
            try {
                // in brackets, the JDK parses the literal and never asks DNS; a zone (%eth0) is the kernel's to judge
                int zone = host.indexOf('%');
                InetAddress.getByName("[" + (zone < 0 ? host : host.substring(0, zone)) + "]");
                return host;
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + whole + "': " + host + " is not an IPv6 address");
            }
        }
        if (IPV4_LIKE.matcher(host).matches()) {
            String[] parts = host.split("\\.", -1);
            boolean ok = parts.length == 4;
            for (String part : parts) {
                ok &= !part.isEmpty() && part.length() <= 3 && Integer.parseInt(part) <= 255;
            }
            if (!ok) {
                throw new IllegalArgumentException("'" + whole + "': " + host + " is not an IPv4 address (four numbers from 0 to 255)");
            }
            return host;
        }
        if (host.length() > 253 || !NAME.matcher(host).matches()) {
            throw new IllegalArgumentException("'" + whole + "': '" + host
                    + "' is not a host name (letters, digits, '-' and '.') or an IP address");
        }
        return host;
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

    /**
     * A resolved socket address; literal IPs never touch DNS.
     *
     * @throws IllegalArgumentException when the name does not resolve (binding an unresolved address fails with no
     *     message at all)
     */
    public InetSocketAddress resolve() {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("host '" + host + "' not found (DNS or /etc/hosts)");
        }
        return address;
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
