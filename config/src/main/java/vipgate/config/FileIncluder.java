package vipgate.config;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Resolves the {@code include} statements of one file, as nginx does rather than as HOCON does: a name is a file
 * relative to the including file (also when that was given as a bare relative name), a missing file is an error at
 * the include's line unless written {@code include optional("...")}, and an include cycle is an error. Classpath
 * and URL includes are refused: an appliance reads its configuration from its own disk.
 */
final class FileIncluder implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL, ConfigIncluderClasspath {
    private static final Pattern URL_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    /** The including file, or null for text from memory (its includes are relative to the working directory). */
    private final Path file;
    private final String where;
    private final List<HoconScan.Include> statements;
    /** Real paths of the files that led here, the including file last: a cycle check. */
    private final List<Path> chain;
    private final ConfigFiles.Budget budget;
    private int next;

    FileIncluder(Path file, String where, List<HoconScan.Include> statements, List<Path> chain, ConfigFiles.Budget budget) {
        this.file = file;
        this.where = where;
        this.statements = statements;
        this.chain = chain;
        this.budget = budget;
    }

    @Override
    public ConfigIncluder withFallback(ConfigIncluder fallback) {
        return this; // every kind of include is decided here; the library's fallbacks are what this replaces
    }

    @Override
    public ConfigObject include(ConfigIncludeContext context, String what) {
        HoconScan.Include statement = statement(what);
        if (URL_SCHEME.matcher(what).find()) {
            throw refused(statement, "a URL");
        }
        return includeFile(statement, what);
    }

    @Override
    public ConfigObject includeFile(ConfigIncludeContext context, File what) {
        return includeFile(statement(what.getPath()), what.getPath());
    }

    @Override
    public ConfigObject includeURL(ConfigIncludeContext context, URL what) {
        throw refused(statement(what.toString()), "url(...)");
    }

    @Override
    public ConfigObject includeResources(ConfigIncludeContext context, String what) {
        throw refused(statement(what), "classpath(...)");
    }

    /** The statement the library is carrying out: the next one of that name (it includes in document order). */
    private HoconScan.Include statement(String name) {
        for (int i = next; i < statements.size(); i++) {
            if (statements.get(i).name().equals(name)) {
                next = i + 1;
                return statements.get(i);
            }
        }
        return new HoconScan.Include(name, HoconScan.Kind.NAME, false, 0, 0);
    }

    private ConfigObject includeFile(HoconScan.Include statement, String name) {
        Path target = Path.of(name);
        if (!target.isAbsolute() && file != null) {
            target = file.resolveSibling(name);
        }
        String text;
        try {
            text = ConfigFiles.read(target);
        } catch (ConfigFiles.Unreadable e) {
            if (e.missing && statement.optional()) {
                return ConfigFactory.empty(where + ": optional include of " + target).root();
            }
            throw problem(statement, "include \"" + name + "\": " + target + ": " + e.getMessage()
                    + (e.missing ? "; create it, or write include optional(\"" + name + "\") if it may be absent" : ""));
        }
        if (!budget.spend(text)) {
            throw problem(statement, "include \"" + name + "\": the configuration's files add up to more than "
                    + ConfigFiles.MAX_BYTES + " bytes; is a file included over and over?");
        }
        Path real = realPath(target);
        if (chain.contains(real)) {
            throw problem(statement, "include \"" + name + "\" makes a cycle: "
                    + chain.stream().map(Path::toString).collect(Collectors.joining(" -> ")) + " -> " + real);
        }
        List<Path> deeper = new ArrayList<>(chain);
        deeper.add(real);
        return ConfigLoader.parse(text, target, deeper, statement.depth(), budget).root();
    }

    static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private ConfigException refused(HoconScan.Include statement, String kind) {
        return problem(statement, "include of " + kind + " (\"" + statement.name() + "\") is not supported; include a file");
    }

    private ConfigException problem(HoconScan.Include statement, String message) {
        return new ConfigException(List.of(new ConfigProblem(statement.line() > 0 ? where + ":" + statement.line() : where, message)));
    }
}
