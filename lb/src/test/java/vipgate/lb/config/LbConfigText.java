package vipgate.lb.config;

import vipgate.config.Binding;
import vipgate.config.ConfigLoader;

/** Configuration text bound the way the appliance binds its file: strictly, over reference.conf. */
public final class LbConfigText {
    private LbConfigText() {
    }

    /** Binds {@code vipgate.lb} of {@code text} (named test.conf); throws the ConfigException listing every problem. */
    public static LbConfig bind(String text) {
        return Binding.bind(ConfigLoader.parseString(text, "test.conf"), LbConfig::bind, "vipgate", "lb");
    }
}
