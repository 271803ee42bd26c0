package vipgate.appliance.importer;

import java.util.List;
import java.util.Optional;

/**
 * One directive of a keepalived.conf or nginx.conf, as both formats share it: a name, its arguments and, for a
 * block, the directives inside; with the file and line it was read from, for every message about it.
 */
public record Directive(String name, List<String> args, List<Directive> children, boolean block, String file, int line) {
    public Directive {
        args = List.copyOf(args);
        children = List.copyOf(children);
    }

    /** The first argument, or empty. */
    public Optional<String> arg() {
        return args.isEmpty() ? Optional.empty() : Optional.of(args.get(0));
    }

    /** The children called {@code name}, in order. */
    public List<Directive> all(String name) {
        return children.stream().filter(d -> d.name.equals(name)).toList();
    }

    /** The first child called {@code name}. */
    public Optional<Directive> first(String name) {
        return children.stream().filter(d -> d.name.equals(name)).findFirst();
    }

    /** {@code file:line}, for messages. */
    public String where() {
        return file + ":" + line;
    }
}
