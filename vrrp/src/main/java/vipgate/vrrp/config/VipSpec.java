package vipgate.vrrp.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One virtual address as keepalived writes it: {@code 10.0.0.5/24 dev eth1 label eth1:1}.
 *
 * @param device the interface to add it to; empty means the instance's interface
 * @param broadcast the IPv4 broadcast address, if given ({@code brd})
 * @param scope {@code global}, {@code site}, {@code link} or {@code host}; empty for the kernel's default
 */
public record VipSpec(InetAddress address, int prefixLength, Optional<String> device, Optional<String> label,
        Optional<InetAddress> broadcast, Optional<String> scope) {

    private static final List<String> SCOPES = List.of("global", "site", "link", "host");

    public VipSpec {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(broadcast, "broadcast");
        Objects.requireNonNull(scope, "scope");
    }

    /**
     * Parses keepalived's virtual_ipaddress line. Only address literals: a host name would need DNS, which
     * must not decide where a VIP goes.
     *
     * @throws IllegalArgumentException with what to write instead
     */
    public static VipSpec parse(String text) {
        String[] words = text.trim().split("\\s+");
        if (words.length == 0 || words[0].isEmpty()) {
            throw new IllegalArgumentException("empty virtual address; write e.g. \"192.168.1.50/24\"");
        }
        String addressPart = words[0];
        Integer prefix = null;
        int slash = addressPart.indexOf('/');
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(addressPart.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in '" + addressPart + "'; write e.g. 192.168.1.50/24");
            }
            addressPart = addressPart.substring(0, slash);
        }
        InetAddress address = literal(addressPart);
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefix == null) {
            prefix = max;
        } else if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("prefix length " + prefix + " out of range 0.." + max + " in '" + text.trim() + "'");
        }
        Optional<String> device = Optional.empty();
        Optional<String> label = Optional.empty();
        Optional<InetAddress> broadcast = Optional.empty();
        Optional<String> scope = Optional.empty();
        for (int i = 1; i < words.length; i += 2) {
            String word = words[i];
            if (i + 1 >= words.length) {
                throw new IllegalArgumentException("'" + word + "' needs a value in '" + text.trim() + "'");
            }
            String value = words[i + 1];
            switch (word) {
                case "dev" -> device = Optional.of(value);
                case "label" -> label = Optional.of(value);
                case "brd" -> broadcast = Optional.of(literal(value));
                case "scope" -> {
                    if (!SCOPES.contains(value)) {
                        throw new IllegalArgumentException("scope '" + value + "' unknown; write one of " + SCOPES);
                    }
                    scope = Optional.of(value);
                }
                default -> throw new IllegalArgumentException("'" + word + "' is not supported in '" + text.trim()
                        + "'; write ADDRESS[/PREFIX] [dev IFACE] [label LABEL] [brd ADDRESS] [scope SCOPE]");
            }
        }
        return new VipSpec(address, prefix, device, label, broadcast, scope);
    }

    /** An IPv4 or IPv6 literal; never a DNS lookup. */
    static InetAddress literal(String text) {
        boolean v4 = text.matches("\\d{1,3}(\\.\\d{1,3}){3}")
                && java.util.Arrays.stream(text.split("\\.")).allMatch(o -> Integer.parseInt(o) <= 255);
        boolean v6 = text.contains(":") && text.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address; write e.g. 192.168.1.50 or fd00::50");
        }
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address; write e.g. 192.168.1.50 or fd00::50");
        }
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength + device.map(d -> " dev " + d).orElse("")
                + label.map(l -> " label " + l).orElse("");
    }
}
