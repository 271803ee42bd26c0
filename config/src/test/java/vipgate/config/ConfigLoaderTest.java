package vipgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code vipgate check} and {@code run} get from a file that is not a good configuration: one problem at
 * file:line each, never a stack trace, never a hang. nginx 1.22 ({@code nginx -t}) on the analogous file is quoted
 * beside each case.
 */
class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    /** The single problem reading {@code file} gives. */
    private static ConfigProblem problem(Path file) {
        return problems(() -> ConfigLoader.parseFile(file));
    }

    private static ConfigProblem problems(Runnable read) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(read::run);
        assertThat(thrown).isInstanceOf(ConfigException.class);
        List<ConfigProblem> all = ((ConfigException) thrown).problems();
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    @Test
    void deepNestingIsRefusedAtItsLineNotAStackOverflow() throws IOException {
        // nginx -t on 20,000 nested locations: Segmentation fault (exit 139)
        Path deep = write("deep.conf", "vipgate {\n" + "a {".repeat(20_000) + "}".repeat(20_000) + "\n}\n");
        ConfigProblem p = problem(deep);
        assertThat(p.location()).isEqualTo(deep + ":2");
        assertThat(p.message()).contains("nested more than 64 levels");
        Path arrays = write("arrays.conf", "a = " + "[".repeat(20_000) + "]".repeat(20_000) + "\n");
        assertThat(problem(arrays).location()).isEqualTo(arrays + ":1");
        Path dotted = write("dotted.conf", "a = 1\n" + "a.".repeat(20_000) + "b = 1\n");
        assertThat(problem(dotted).location()).isEqualTo(dotted + ":2");
        Path fine = write("fine.conf", "x { " + "a.".repeat(30) + "b = 1 }\n" + "y = " + "[".repeat(60) + "]".repeat(60) + "\n");
        assertThat(ConfigLoader.parseFile(fine).hasPath("x" + ".a".repeat(30) + ".b")).isTrue();
        // braces in strings and comments are not nesting
        Path quoted = write("quoted.conf", "a = \"" + "{".repeat(100) + "\"\n# " + "[".repeat(100) + "\nb = \"\"\"\n"
                + "{".repeat(100) + "\"\"\"\n");
        assertThat(ConfigLoader.parseFile(quoted).getString("a")).hasSize(100);
    }

    @Test
    void nestingCountsAcrossIncludes() throws IOException {
        write("inner.conf", "x = " + "[".repeat(40) + "]".repeat(40) + "\n");
        Path outer = write("outer.conf", "a {".repeat(30) + "\ninclude \"inner.conf\"\n" + "}".repeat(30) + "\n");
        ConfigProblem p = problem(outer);
        assertThat(p.location()).as(p.toString()).isEqualTo(dir.resolve("inner.conf") + ":1");
        assertThat(p.message()).contains("nested more than 64 levels");
    }

    @Test
    void aSubstitutionCycleIsAProblemAtItsLine() throws IOException {
        Path cycle = write("cycle.conf", "vipgate.demo {\n  name = ${vipgate.demo.other}\n  other = ${vipgate.demo.name}\n}\n");
        ConfigProblem p = problems(() -> Section.root(ConfigLoader.parseFile(cycle), ConfigLoader.reference(), new Problems()));
        assertThat(p.location()).matches(java.util.regex.Pattern.quote(cycle.toString()) + ":[23]");
        assertThat(p.message()).contains("cycle");
        Path undefined = write("undefined.conf", "vipgate.demo {\n  name = ${nope}\n}\n");
        p = problems(() -> Section.root(ConfigLoader.parseFile(undefined), ConfigLoader.reference(), new Problems()));
        assertThat(p.location()).isEqualTo(undefined + ":2");
        assertThat(p.message()).contains("nope");
    }

    @Test
    void aMissingIncludeIsAnErrorAtTheIncludeLine() throws IOException {
        // nginx -t: open() "/tmp/ngx/missing.conf" failed (2: No such file or directory) in /tmp/ngx/missing.conf.nginx:1
        Path main = write("main.conf", "a = 1\ninclude \"missing.conf\"\n");
        ConfigProblem p = problem(main);
        assertThat(p.location()).isEqualTo(main + ":2");
        assertThat(p.message()).isEqualTo("include \"missing.conf\": " + dir.resolve("missing.conf")
                + ": no such file; create it, or write include optional(\"missing.conf\") if it may be absent");
        for (String form : new String[] {"required(\"missing.conf\")", "file(\"missing.conf\")", "required(file(\"missing.conf\"))"}) {
            Path f = write("form.conf", "a = 1\n\ninclude " + form + "\n");
            ConfigProblem q = problem(f);
            assertThat(q.location()).as(form).isEqualTo(f + ":3");
            assertThat(q.message()).as(form).contains(dir.resolve("missing.conf") + ": no such file").doesNotContain("classpath");
        }
    }

    @Test
    void anOptionalIncludeMayBeAbsentAndIsReadWhenPresent() throws IOException {
        Path main = write("main.conf", "a = 1\ninclude optional(\"extra.conf\")\nb { include optional( file( \"extra.conf\" ) ) }\nc = 3\n");
        Config absent = ConfigLoader.parseFile(main);
        assertThat(absent.getInt("a")).isEqualTo(1);
        assertThat(absent.getInt("c")).isEqualTo(3);
        assertThat(absent.hasPath("x")).isFalse();
        write("extra.conf", "x = 2\n");
        Config present = ConfigLoader.parseFile(main);
        assertThat(present.getInt("x")).isEqualTo(2);
        assertThat(present.getInt("b.x")).isEqualTo(2);
        // an optional file that is there but unreadable is still an error
        Files.delete(dir.resolve("extra.conf"));
        Files.createDirectory(dir.resolve("extra.conf"));
        assertThat(problem(main).message()).contains("a directory, not a file");
    }

    @Test
    void includesAreRelativeToTheIncludingFileAlsoForABareRelativeName() throws IOException {
        write("conf.d/upstreams.conf", "u = 1\ninclude \"more/deeper.conf\"\n");
        write("conf.d/more/deeper.conf", "d = 2\n");
        Config nested = ConfigLoader.parseFile(write("main.conf", "include \"conf.d/upstreams.conf\"\n"));
        assertThat(nested.getInt("u")).isEqualTo(1);
        assertThat(nested.getInt("d")).isEqualTo(2);

        // "-c vipgate.conf" in the working directory: HOCON looked the sibling up on the classpath and dropped it
        String name = "loader-test-" + UUID.randomUUID();
        Path main = Path.of(name + ".conf");
        Path sibling = Path.of(name + "-sibling.conf");
        try {
            Files.writeString(main, "a = 1\ninclude \"" + sibling + "\"\n");
            Files.writeString(sibling, "b = 2\n");
            assertThat(ConfigLoader.parseFile(main).getInt("b")).isEqualTo(2);
            Files.delete(sibling);
            assertThat(problem(main).location()).isEqualTo(name + ".conf:2");
        } finally {
            Files.deleteIfExists(main);
            Files.deleteIfExists(sibling);
        }
    }

    @Test
    void anIncludedFileReportsItsOwnLines() throws IOException {
        write("inner.conf", "x = 1\ny = {\n");
        Path main = write("main.conf", "include \"inner.conf\"\n");
        assertThat(problem(main).location()).startsWith(dir.resolve("inner.conf") + ":");
    }

    @Test
    void anIncludeCycleIsAnError() throws IOException {
        write("b.conf", "b = 1\ninclude \"a.conf\"\n");
        Path a = write("a.conf", "a = 1\ninclude \"b.conf\"\n");
        ConfigProblem p = problem(a);
        assertThat(p.location()).isEqualTo(dir.resolve("b.conf") + ":2");
        assertThat(p.message()).contains("makes a cycle").contains(dir.toRealPath().resolve("a.conf").toString());
    }

    /** Includes fanning out (6 x 6 reads of a 512 KiB file) are bounded as one file is: memory, not 18 MiB read. */
    @Test
    void includesFanningOutAreBoundedLikeOneFile() throws IOException {
        write("c.conf", ("# " + "x".repeat(1022) + "\n").repeat(512));
        write("b.conf", "include \"c.conf\"\n".repeat(6));
        Path a = write("a.conf", "k = 1\n" + "include \"b.conf\"\n".repeat(6));
        ConfigProblem p = problem(a);
        // 31 reads of c (524,800 characters each) fit in 16 MiB, the 32nd (the sixth b's second line) does not
        assertThat(p.location()).isEqualTo(dir.resolve("b.conf") + ":2");
        assertThat(p.message()).isEqualTo("include \"c.conf\": the configuration's files add up to more than "
                + ConfigFiles.MAX_BYTES + " bytes; is a file included over and over?");
    }

    @Test
    void classpathAndUrlIncludesAreRefused() throws IOException {
        Path cp = write("cp.conf", "include classpath(\"reference.conf\")\n");
        assertThat(problem(cp)).isEqualTo(new ConfigProblem(cp + ":1",
                "include of classpath(...) (\"reference.conf\") is not supported; include a file"));
        Path url = write("url.conf", "a = 1\ninclude \"http://192.0.2.1/x.conf\"\n");
        assertThat(problem(url).location()).isEqualTo(url + ":2");
    }

    @Test
    void whatIsNotARegularFileGetsItsOwnReasonWithoutBlocking() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("adir"));
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Path loop = dir.resolve("loop1");
        Files.createSymbolicLink(loop, dir.resolve("loop2"));
        Files.createSymbolicLink(dir.resolve("loop2"), loop);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("gone.conf"));
        Path huge = dir.resolve("huge.conf");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(ConfigFiles.MAX_BYTES + 1); // sparse: costs no disk
        }
        // nginx -t: "pread() "/tmp/ngx/adir" failed (21: Is a directory)"; on a FIFO it blocks for ever; on /dev/zero
        // "syntax is ok"; a symlink loop: open() "/tmp/ngx/loop1" failed (40: Too many levels of symbolic links)
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThat(problem(directory)).isEqualTo(new ConfigProblem(directory.toString(), "a directory, not a file"));
            assertThat(problem(fifo).message()).startsWith("not a regular file (a FIFO, socket or device)");
            assertThat(problem(Path.of("/dev/zero")).message()).startsWith("not a regular file");
            assertThat(problem(loop).message()).isEqualTo("a symbolic link loop (too many levels of symbolic links)");
            assertThat(problem(dangling).message()).startsWith("a symbolic link to " + dir.resolve("gone.conf") + ", which does not exist;");
            assertThat(problem(huge).message()).startsWith("larger than a configuration can be");
            // the same reasons for an include, at its line
            for (String target : new String[] {"adir", "fifo", "/dev/zero", "loop1"}) {
                Path main = write("main.conf", "a = 1\ninclude \"" + target + "\"\n");
                ConfigProblem p = problem(main);
                assertThat(p.location()).as(target).isEqualTo(main + ":2");
                assertThat(p.message()).as(target).startsWith("include \"" + target + "\": ").doesNotContain("no such file");
            }
        });
    }
}
