package vipgate.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.nio.file.Path;
import java.util.List;

/** Reads a user file (or a classpath resource) and the merged reference.conf of every module on the classpath. */
public final class ConfigLoader {
    /** Where every module's reference.conf is found: the loader of the application (the one jar, in production). */
    private static final ClassLoader LOADER = ConfigLoader.class.getClassLoader();

    private ConfigLoader() {
    }

    /**
     * Parses a HOCON file and the files it includes; every problem (an unreadable file, a syntax error, a missing
     * include, too deep a nesting) becomes a {@link ConfigException} at file:line.
     */
    public static Config parseFile(Path file) {
        String text;
        try {
            text = ConfigFiles.read(file);
        } catch (ConfigFiles.Unreadable e) {
            throw new ConfigException(List.of(new ConfigProblem(file.toString(), e.missing
                    ? e.getMessage() + "; write a config (see /etc/vipgate/vipgate.conf for an example) or run without -c for the demo"
                    : e.getMessage())));
        }
        ConfigFiles.Budget budget = new ConfigFiles.Budget();
        budget.spend(text);
        return parse(text, file, List.of(FileIncluder.realPath(file)), 0, budget);
    }

    public static Config parseResource(String resource) {
        try {
            return ConfigFactory.parseResources(resource, options().setAllowMissing(false));
        } catch (com.typesafe.config.ConfigException e) {
            throw asProblem(e);
        }
    }

    /** Parses text held in memory; {@code originDescription} names it in problems, its includes are relative to the working directory. */
    public static Config parseString(String text, String originDescription) {
        return parse(text, originDescription, null, List.of(), 0, new ConfigFiles.Budget());
    }

    /**
     * A file's text, read (and counted in {@code budget}) by the caller; {@code chain} holds the real paths of the
     * files that led to it, itself last; {@code depth} is the nesting of the include that brought it in.
     */
    static Config parse(String text, Path file, List<Path> chain, int depth, ConfigFiles.Budget budget) {
        return parse(text, file.toString(), file, chain, depth, budget);
    }

    private static Config parse(String text, String where, Path file, List<Path> chain, int depth, ConfigFiles.Budget budget) {
        HoconScan scan = HoconScan.scan(text, where, depth);
        try {
            return ConfigFactory.parseString(scan.text(), options().setOriginDescription(where).setSyntax(ConfigSyntax.CONF)
                    .setIncluder(new FileIncluder(file, where, scan.includes(), chain, budget)));
        } catch (com.typesafe.config.ConfigException e) {
            throw asProblem(e);
        }
    }

    /**
     * All reference.conf files on the classpath, merged; never the user's system properties
     * ({@link ConfigFactory#defaultReference()} lays them over the files, which made every -D key and the JVM's own
     * java.*, os.*, user.* look like valid vipgate settings).
     */
    public static Config reference() {
        ConfigFactory.invalidateCaches();
        return ConfigFactory.defaultReferenceUnresolved(LOADER).resolve();
    }

    /**
     * Parse options with this module's class loader: the library otherwise asks the calling thread for its
     * context class loader, which threads started from a JVM signal handler (SIGHUP reload) do not have.
     */
    private static ConfigParseOptions options() {
        return ConfigParseOptions.defaults().setClassLoader(LOADER);
    }

    static ConfigException asProblem(com.typesafe.config.ConfigException e) {
        String message = e.getMessage();
        if (e.origin() != null) {
            String prefix = e.origin().description() + ": ";
            if (message.startsWith(prefix)) {
                message = message.substring(prefix.length());
            }
            return new ConfigException(List.of(ConfigProblem.at(e.origin(), message)));
        }
        return new ConfigException(List.of(new ConfigProblem("<config>", message)));
    }
}
