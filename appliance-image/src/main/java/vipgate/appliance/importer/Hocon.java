package vipgate.appliance.importer;

import java.util.ArrayList;
import java.util.List;

/**
 * The output file as a small ordered tree: objects with commented entries, values and lists, rendered as
 * readable HOCON (two-space indent, one entry per line, comments above what they explain). The mappers build it;
 * nothing here knows keepalived or nginx.
 */
public final class Hocon {
    private Hocon() {
    }

    /** A value written as is: a number, a boolean, a duration such as {@code 5s}, or a path like {@code web}. */
    public record Raw(String text) {
    }

    /** An object; entries keep their order. */
    public static final class Obj {
        private final List<Object> items = new ArrayList<>();

        private record Entry(String key, Object value) {
        }

        private record Comment(String text) {
        }

        /** The object at {@code key}, created when absent (keys may be dotted paths only if the caller wants). */
        public Obj obj(String key) {
            for (Object item : items) {
                if (item instanceof Entry e && e.key.equals(key) && e.value instanceof Obj o) {
                    return o;
                }
            }
            Obj o = new Obj();
            items.add(new Entry(key, o));
            return o;
        }

        /**
         * Sets {@code key}: a String is quoted, a Number/Boolean/{@link Raw} written as is, a {@link List} of any of
         * these or of {@link Obj} becomes a list.
         */
        public Obj put(String key, Object value) {
            items.add(new Entry(key, value));
            return this;
        }

        /** A comment line (or lines) before whatever is added next. */
        public Obj comment(String text) {
            items.add(new Comment(text));
            return this;
        }

        public boolean isEmpty() {
            return items.isEmpty();
        }

        void render(StringBuilder out, String indent) {
            for (Object item : items) {
                if (item instanceof Comment c) {
                    for (String line : c.text.split("\n")) {
                        out.append(indent).append("# ").append(line).append('\n');
                    }
                } else {
                    Entry e = (Entry) item;
                    out.append(indent).append(key(e.key));
                    if (e.value instanceof Obj o) {
                        out.append(" {\n");
                        o.render(out, indent + "  ");
                        out.append(indent).append("}\n");
                    } else {
                        out.append(" = ");
                        value(e.value, out, indent);
                        out.append('\n');
                    }
                }
            }
        }
    }

    /** The whole file: {@code root} rendered at top level, after a header comment. */
    public static String render(String header, Obj root) {
        StringBuilder out = new StringBuilder();
        for (String line : header.split("\n")) {
            out.append("# ").append(line).append('\n');
        }
        root.render(out, "");
        return out.toString();
    }

    private static void value(Object v, StringBuilder out, String indent) {
        if (v instanceof Raw r) {
            out.append(r.text);
        } else if (v instanceof Number || v instanceof Boolean) {
            out.append(v);
        } else if (v instanceof String s) {
            out.append(quote(s));
        } else if (v instanceof Obj o) {
            out.append("{\n");
            o.render(out, indent + "    ");
            out.append(indent).append("  }");
        } else if (v instanceof List<?> list) {
            if (list.stream().anyMatch(Obj.class::isInstance)) {
                out.append("[\n");
                for (Object element : list) {
                    out.append(indent).append("  ");
                    value(element, out, indent);
                    out.append('\n');
                }
                out.append(indent).append(']');
            } else {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    out.append(i == 0 ? "" : ", ");
                    value(list.get(i), out, indent);
                }
                out.append(']');
            }
        } else {
            throw new IllegalArgumentException("not a HOCON value: " + v);
        }
    }

    /** A key as HOCON reads it: bare when it is a plain word, quoted otherwise (e.g. a header name with a dot). */
    private static String key(String key) {
        return key.matches("[A-Za-z0-9_-]+") ? key : quote(key);
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
