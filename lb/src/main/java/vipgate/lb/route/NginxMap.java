package vipgate.lb.route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import vipgate.lb.config.MapSpec;
import vipgate.lb.http.RequestVariables;
import vipgate.lb.http.Template;

/**
 * nginx's {@code map SOURCE $NAME { ... }}: the value of a variable chosen by another. As nginx does: exact strings
 * first (case-insensitive), then the regexes ({@code ~}, {@code ~*} caseless) in the order written, then the default
 * ("" unless given). Immutable; evaluated each time a request names it (no cache: maps are cheap and few).
 */
public final class NginxMap {
    private final Template source;
    private final Map<String, Template> exact = new HashMap<>();
    private final List<Map.Entry<NginxRegex, Template>> regexes = new ArrayList<>();
    private final Template byDefault;

    public NginxMap(MapSpec spec) {
        this.source = Template.parse(spec.source());
        for (MapSpec.Entry e : spec.entries()) {
            Template value = Template.parse(e.value());
            if (e.match().startsWith("~*")) {
                regexes.add(Map.entry(NginxRegex.compile(e.match().substring(2), true), value));
            } else if (e.match().startsWith("~")) {
                regexes.add(Map.entry(NginxRegex.compile(e.match().substring(1), false), value));
            } else {
                exact.putIfAbsent(unescaped(e.match()).toLowerCase(Locale.ROOT), value);
            }
        }
        this.byDefault = Template.parse(spec.byDefault());
    }

    /** nginx's "\~" for a string that starts with '~'. */
    private static String unescaped(String match) {
        return match.startsWith("\\~") ? match.substring(1) : match;
    }

    /** The value for this request; a regex over its budget is refused by {@link NginxRegex.BudgetExceeded}. */
    public String value(RequestVariables vars) {
        String in = source.evaluate(vars);
        Template chosen = exact.get(in.toLowerCase(Locale.ROOT));
        if (chosen == null) {
            for (Map.Entry<NginxRegex, Template> r : regexes) {
                if (r.getKey().match(in) != null) {
                    chosen = r.getValue();
                    break;
                }
            }
        }
        return (chosen == null ? byDefault : chosen).evaluate(vars);
    }
}
