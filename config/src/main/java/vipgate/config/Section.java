package vipgate.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * A strict view of one configuration object. Every getter records the key it read; {@link #finish()}
 * then reports each key the user wrote that nobody read as unknown, with the closest valid key. This
 * keeps the schema in one place (the binding code and reference.conf) instead of a second copy.
 *
 * <p>Getters never throw on bad values: they record a problem located at the user's line and return the
 * documented default, so one pass lists every mistake.
 */
public final class Section {
    /** Root key of the element templates in reference.conf, see {@link #elementDefaults}. */
    private static final String TEMPLATES = "vipgate-defaults";

    private final String path;
    private final Config merged;
    private final Config defaults;
    private final ConfigObject user;
    private final ConfigOrigin origin;
    private final Problems problems;
    private final Set<String> read = new LinkedHashSet<>();
    private final List<Section> children = new ArrayList<>();

    private Section(String path, Config merged, Config defaults, ConfigObject user, ConfigOrigin origin, Problems problems) {
        this.path = path;
        this.merged = merged;
        this.defaults = defaults;
        this.user = user;
        this.origin = origin;
        this.problems = problems;
    }

    /**
     * The root of a user file read over the defaults of every module's reference.conf.
     *
     * @param user the user's parsed (unresolved) file
     * @param reference merged reference.conf of all modules
     */
    public static Section root(Config user, Config reference, Problems problems) {
        Config merged;
        Config resolvedUser;
        try {
            merged = user.withFallback(reference).resolve();
            resolvedUser = user.resolveWith(merged);
        } catch (com.typesafe.config.ConfigException e) {
            // a substitution cycle or an undefined ${name}: at the line of the substitution
            throw ConfigLoader.asProblem(e);
        }
        // the element templates (vipgate-defaults.*) are read from the reference only: not a key a user may write
        Config defaults = reference.resolve().withoutPath(TEMPLATES);
        return new Section("", merged, defaults, resolvedUser.root(), user.origin(), problems);
    }

    /** Element defaults live outside the user's namespace, e.g. {@code vipgate-defaults.lb.upstream}. */
    public static Config elementDefaults(Config reference, String path) {
        return reference.hasPath(path) ? reference.getConfig(path) : ConfigFactory.empty();
    }

    public String path() {
        return path;
    }

    public Problems problems() {
        return problems;
    }

    /** Where this object was written, for messages that concern the whole object. */
    public ConfigOrigin origin() {
        return origin;
    }

    /** Where a key was written by the user, or where the object starts when the key was left at its default. */
    public ConfigOrigin originOf(String key) {
        ConfigValue value = user.get(key);
        return value != null ? value.origin() : origin;
    }

    public boolean isSetByUser(String key) {
        read.add(key);
        return user.containsKey(key);
    }

    public boolean has(String key) {
        read.add(key);
        return merged.hasPath(q(key));
    }

    /** Records a semantic problem about one key (e.g. a weight of 0). */
    public void problem(String key, String message) {
        problems.add(originOf(key), qualified(key) + ": " + message);
    }

    public String qualified(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public String string(String key) {
        return get(key, Config::getString, "", "a string");
    }

    public int integer(String key) {
        return get(key, Config::getInt, 0, "an integer");
    }

    /** An integer that must lie in [min, max]. */
    public int integer(String key, int min, int max) {
        int value = integer(key);
        if (value < min || value > max) {
            problem(key, "must be between " + min + " and " + max + ", got " + value);
            return Math.max(min, Math.min(max, value));
        }
        return value;
    }

    public boolean bool(String key) {
        return get(key, Config::getBoolean, false, "true or false");
    }

    public Duration duration(String key) {
        Duration d = get(key, Config::getDuration, Duration.ZERO, "a duration such as 500ms, 5s or 1m");
        if (d.isNegative()) {
            problem(key, "must not be negative");
            return Duration.ZERO;
        }
        return d;
    }

    /** A duration that must be longer than 0 (a timeout of 0 would fire at once). */
    public Duration positiveDuration(String key) {
        Duration d = duration(key);
        if (d.isZero()) {
            problem(key, "must be longer than 0s");
            return Duration.ofSeconds(1);
        }
        return d;
    }

    public long bytes(String key) {
        Long b = get(key, Config::getBytes, 0L, "a size such as 8k, 1m or 1g");
        return b;
    }

    public List<String> strings(String key) {
        return get(key, Config::getStringList, List.of(), "a list of strings such as [\"a\", \"b\"]");
    }

    /** A string or a list of strings, as nginx lets {@code listen} take one or several values. */
    public List<String> stringOrList(String key) {
        read.add(key);
        if (merged.hasPath(q(key)) && merged.getValue(q(key)).valueType() == ConfigValueType.STRING) {
            return List.of(merged.getString(q(key)));
        }
        return strings(key);
    }

    /** Either the word {@code auto} or a positive integer; returns 0 for auto. */
    public int integerOrAuto(String key) {
        read.add(key);
        if (merged.hasPath(q(key)) && merged.getValue(q(key)).valueType() == ConfigValueType.STRING
                && "auto".equals(merged.getString(q(key)))) {
            return 0;
        }
        return get(key, Config::getInt, 0, "auto or a positive integer");
    }

    /** Either the word {@code auto} or a positive size such as 64m; returns 0 for auto. */
    public long bytesOrAuto(String key) {
        read.add(key);
        if (merged.hasPath(q(key)) && merged.getValue(q(key)).valueType() == ConfigValueType.STRING
                && "auto".equals(merged.getString(q(key)))) {
            return 0;
        }
        long b = get(key, Config::getBytes, 0L, "auto or a size such as 64m");
        if (b <= 0) {
            problem(key, "write auto or a positive size such as 64m");
            return 0;
        }
        return b;
    }

    /** A kebab-case word mapped to an enum constant (io_uring and io-uring are both accepted). */
    public <E extends Enum<E>> E enumValue(String key, Class<E> type) {
        String raw = string(key);
        String normal = raw.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        Set<String> names = new TreeSet<>();
        for (E constant : type.getEnumConstants()) {
            String word = constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
            names.add(word);
            if (constant.name().equals(normal)) {
                return constant;
            }
        }
        String hint = Suggest.closest(raw, names).map(s -> " (did you mean " + s + "?)").orElse("");
        problem(key, "unknown value '" + raw + "'; write one of " + String.join(" | ", names) + hint);
        return defaultEnum(key, type);
    }

    private <E extends Enum<E>> E defaultEnum(String key, Class<E> type) {
        if (defaults.hasPath(q(key))) {
            String d = defaults.getString(q(key)).toUpperCase(Locale.ROOT).replace('-', '_');
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(d)) {
                    return constant;
                }
            }
        }
        return type.getEnumConstants()[0];
    }

    /** A nested object with fixed keys. */
    public Section section(String key) {
        return section(key, ConfigFactory.empty());
    }

    /** A nested object whose unset keys fall back to a shared template (e.g. vipgate-defaults.health-check). */
    public Section section(String key, Config template) {
        read.add(key);
        Config childMerged = configOrEmpty(merged, key).withFallback(template);
        Config childDefaults = configOrEmpty(defaults, key).withFallback(template);
        ConfigValue userValue = user.get(key);
        ConfigObject childUser = ConfigFactory.empty().root();
        if (userValue instanceof ConfigObject obj) {
            childUser = obj;
        } else if (userValue != null) {
            problem(key, "expected an object { ... }, got " + describe(userValue));
        }
        ConfigOrigin childOrigin = userValue != null ? userValue.origin() : originOf(key);
        return child(new Section(qualified(key), childMerged, childDefaults, childUser, childOrigin, problems));
    }

    /** A list of objects, each read over {@code elementDefaults}. */
    public List<Section> objectList(String key, Config elementDefaults) {
        read.add(key);
        List<Section> out = new ArrayList<>();
        if (!merged.hasPath(q(key))) {
            return out;
        }
        ConfigValue value = merged.getValue(q(key));
        if (!(value instanceof ConfigList list)) {
            problem(key, "expected a list [ {...}, {...} ], got " + describe(value));
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            ConfigValue element = list.get(i);
            String elementPath = qualified(key) + "[" + i + "]";
            if (!(element instanceof ConfigObject obj)) {
                problems.add(element.origin(), elementPath + ": expected an object { ... }, got " + describe(element));
                continue;
            }
            out.add(child(new Section(elementPath, obj.toConfig().withFallback(elementDefaults).resolve(), elementDefaults,
                    obj, element.origin(), problems)));
        }
        return out;
    }

    /** An object whose keys are names chosen by the user (e.g. upstream names), each read over defaults. */
    public Map<String, Section> namedObjects(String key, Config elementDefaults) {
        read.add(key);
        Map<String, Section> out = new LinkedHashMap<>();
        if (!merged.hasPath(q(key))) {
            return out;
        }
        ConfigValue value = merged.getValue(q(key));
        if (!(value instanceof ConfigObject obj)) {
            problem(key, "expected an object of named entries, got " + describe(value));
            return out;
        }
        for (Map.Entry<String, ConfigValue> e : obj.entrySet()) {
            String name = e.getKey();
            String elementPath = qualified(key) + "." + name;
            if (!(e.getValue() instanceof ConfigObject element)) {
                problems.add(e.getValue().origin(), elementPath + ": expected an object { ... }, got " + describe(e.getValue()));
                continue;
            }
            out.put(name, child(new Section(elementPath, element.toConfig().withFallback(elementDefaults).resolve(),
                    elementDefaults, element, element.origin(), problems)));
        }
        return out;
    }

    /** An object of free-form string values, e.g. headers to set. Order is the user's. */
    public Map<String, String> stringMap(String key) {
        read.add(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (!merged.hasPath(q(key))) {
            return out;
        }
        ConfigValue value = merged.getValue(q(key));
        if (!(value instanceof ConfigObject obj)) {
            problem(key, "expected an object { Name = \"value\" }, got " + describe(value));
            return out;
        }
        for (Map.Entry<String, ConfigValue> e : obj.entrySet()) {
            Object unwrapped = e.getValue().unwrapped();
            if (unwrapped instanceof String || unwrapped instanceof Number || unwrapped instanceof Boolean) {
                out.put(e.getKey(), String.valueOf(unwrapped));
            } else {
                problems.add(e.getValue().origin(), qualified(key) + "." + e.getKey() + ": expected a string value");
            }
        }
        return out;
    }

    /**
     * Reports every key the user wrote, here and in every section read below, that no getter read.
     * Call once, on the root, after binding.
     */
    public void finish() {
        for (String key : user.keySet()) {
            if (!read.contains(key)) {
                Set<String> known = new TreeSet<>(read);
                known.addAll(defaults.root().keySet());
                String hint = Suggest.closest(key, known).map(s -> "; did you mean '" + s + "'?")
                        .orElse(known.isEmpty() ? "" : "; valid keys here: " + String.join(", ", known));
                problems.add(user.get(key).origin(), "unknown key '" + qualified(key) + "'" + hint);
            }
        }
        for (Section child : children) {
            child.finish();
        }
    }

    private Section child(Section s) {
        children.add(s);
        return s;
    }

    private <T> T get(String key, BiFunction<Config, String, T> getter, T fallback, String expected) {
        read.add(key);
        try {
            return getter.apply(merged, q(key));
        } catch (com.typesafe.config.ConfigException.Missing e) {
            problems.add(origin, "missing setting '" + qualified(key) + "': write " + expected);
        } catch (com.typesafe.config.ConfigException e) {
            ConfigValue bad = merged.hasPathOrNull(q(key)) && !merged.getIsNull(q(key)) ? merged.getValue(q(key)) : null;
            problems.add(originOf(key), qualified(key) + ": expected " + expected
                    + (bad != null ? ", got " + describe(bad) : ""));
        }
        try {
            return getter.apply(defaults, q(key));
        } catch (com.typesafe.config.ConfigException e) {
            return fallback;
        }
    }

    private static Config configOrEmpty(Config c, String key) {
        return c.hasPath(q(key)) && c.getValue(q(key)).valueType() == ConfigValueType.OBJECT ? c.getConfig(q(key))
                : ConfigFactory.empty();
    }

    private static String describe(ConfigValue v) {
        String rendered = v.render(com.typesafe.config.ConfigRenderOptions.concise());
        return v.valueType().name().toLowerCase(Locale.ROOT) + " " + (rendered.length() > 40 ? rendered.substring(0, 40) + "..." : rendered);
    }

    private static String q(String key) {
        return ConfigUtil.joinPath(key);
    }
}
