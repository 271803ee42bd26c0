package vipgate.lb.config;

import com.typesafe.config.Config;
import vipgate.config.ConfigLoader;
import vipgate.config.Problems;
import vipgate.config.Section;

/** Configuration text bound the way the appliance binds its file: strictly, over reference.conf. */
public final class LbConfigText {
    private LbConfigText() {
    }

    /** Binds {@code vipgate.lb} of {@code text} (named test.conf); throws the ConfigException listing every problem. */
    public static LbConfig bind(String text) {
        Config user = ConfigLoader.parseString(text, "test.conf");
        Config reference = ConfigLoader.reference();
        Problems problems = new Problems();
        Section root = Section.root(user, reference, problems);
        LbConfig cfg = LbConfig.bind(root.section("vipgate").section("lb"), reference);
        root.finish();
        problems.throwIfAny();
        return cfg;
    }
}
