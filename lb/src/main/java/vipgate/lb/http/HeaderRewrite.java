package vipgate.lb.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A location's header edits: set a header to a template's value, or remove it when the template is empty. */
public final class HeaderRewrite {
    private final List<Map.Entry<String, Template>> edits;

    private HeaderRewrite(List<Map.Entry<String, Template>> edits) {
        this.edits = edits;
    }

    public static final HeaderRewrite NONE = new HeaderRewrite(List.of());

    /** @throws IllegalArgumentException naming the header whose template is invalid */
    public static HeaderRewrite of(Map<String, String> spec) {
        return of(spec, Set.of());
    }

    /** Rules whose values may also name the regex groups {@code captureNames}. */
    public static HeaderRewrite of(Map<String, String> spec, Set<String> captureNames) {
        List<Map.Entry<String, Template>> edits = new ArrayList<>();
        spec.forEach((name, value) -> {
            try {
                edits.add(Map.entry(name, Template.parse(value, captureNames)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
        });
        return edits.isEmpty() ? NONE : new HeaderRewrite(List.copyOf(edits));
    }

    public void apply(HttpHeaders headers, RequestVariables vars) {
        for (Map.Entry<String, Template> edit : edits) {
            if (edit.getValue().isEmpty()) {
                headers.remove(edit.getKey());
                continue;
            }
            String value = edit.getValue().evaluate(vars);
            if (value.isEmpty()) {
                headers.remove(edit.getKey());
            } else {
                headers.set(edit.getKey(), value);
            }
        }
    }

    /** Whether this rewrite sets the named header itself (then the default pass-through is not applied). */
    public boolean sets(String name) {
        for (Map.Entry<String, Template> edit : edits) {
            if (edit.getKey().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
