package vipgate.lb.http;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * nginx's allow/deny: rules in order, the first whose network holds the client decides; a client no rule names is
 * allowed. Written {@code "allow 10.0.0.0/8"}, {@code "deny 192.0.2.1"}, {@code "deny all"}. Immutable.
 */
public final class AccessRules {
    public static final AccessRules NONE = new AccessRules(List.of());

    private record Rule(boolean allow, Cidr network) {
    }

    private final List<Rule> rules;

    private AccessRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** @throws IllegalArgumentException naming the rule that is not "allow|deny ADDRESS[/PREFIX]|all" */
    public static AccessRules parse(List<String> lines) {
        List<Rule> rules = new ArrayList<>();
        for (String line : lines) {
            String[] w = line.trim().split("\\s+");
            if (w.length != 2 || !(w[0].equals("allow") || w[0].equals("deny"))) {
                throw new IllegalArgumentException("write \"allow|deny ADDRESS[/PREFIX]|all\"; got '" + line + "'");
            }
            rules.add(new Rule(w[0].equals("allow"), w[1].equals("all") ? null : Cidr.parse(w[1])));
        }
        return rules.isEmpty() ? NONE : new AccessRules(rules);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    public boolean allows(InetAddress client) {
        for (Rule r : rules) {
            if (r.network() == null || r.network().contains(client)) {
                return r.allow();
            }
        }
        return true;
    }
}
