package vipgate.config;

import com.typesafe.config.ConfigOrigin;
import java.util.ArrayList;
import java.util.List;

/** Collects problems while a whole configuration is read, so {@code vipgate check} can list them all. */
public final class Problems {
    private final List<ConfigProblem> problems = new ArrayList<>();

    public void add(ConfigOrigin origin, String message) {
        problems.add(ConfigProblem.at(origin, message));
    }

    public void add(ConfigProblem problem) {
        problems.add(problem);
    }

    public List<ConfigProblem> list() {
        return List.copyOf(problems);
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    /** Throws when anything was recorded; call once binding has finished. */
    public void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }
}
