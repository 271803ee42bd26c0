package vipgate.config;

import com.typesafe.config.Config;
import java.util.function.BiFunction;

/** Binds one engine's part of a whole configuration, strictly, as the appliance binds its file. */
public final class Binding {
    private Binding() {
    }

    /**
     * Reads {@code user} over every module's reference.conf, hands the section at {@code path} (e.g. "vipgate", "lb")
     * to {@code binder}, then reports unknown keys anywhere in the file.
     *
     * @throws ConfigException listing every problem found
     */
    public static <T> T bind(Config user, BiFunction<Section, Config, T> binder, String... path) {
        Config reference = ConfigLoader.reference();
        Problems problems = new Problems();
        Section root = Section.root(user, reference, problems);
        Section section = root;
        for (String key : path) {
            section = section.section(key);
        }
        T bound = binder.apply(section, reference);
        root.finish();
        problems.throwIfAny();
        return bound;
    }
}
