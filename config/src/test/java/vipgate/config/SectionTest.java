package vipgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SectionTest {
    enum Mode { FAST_PATH, SAFE }

    @TempDir
    Path dir;

    record Bound(Section demo, Problems problems) {
    }

    private Bound bind(String text) throws IOException {
        Path file = dir.resolve("vipgate.conf");
        Files.writeString(file, text);
        Config user = ConfigLoader.parseFile(file);
        Problems problems = new Problems();
        Section root = Section.root(user, ConfigLoader.reference(), problems);
        Section demo = root.section("vipgate").section("demo");
        demo.string("name");
        demo.duration("timeout");
        demo.bytes("size");
        demo.enumValue("mode", Mode.class);
        demo.stringOrList("listen");
        demo.section("nested").integer("depth");
        demo.stringMap("headers");
        demo.namedObjects("items", Section.elementDefaults(ConfigLoader.reference(), "vipgate-defaults.demo.item"))
                .values().forEach(i -> {
                    i.string("address");
                    i.integer("weight", 1, 100);
                });
        root.finish();
        return new Bound(demo, problems);
    }

    @Test
    void defaultsFillWhatTheUserLeftOut() throws IOException {
        Bound b = bind("vipgate.demo.name = lb-a\n");
        assertThat(b.problems().list()).isEmpty();
        assertThat(b.demo().string("name")).isEqualTo("lb-a");
        assertThat(b.demo().duration("timeout")).isEqualTo(Duration.ofSeconds(5));
        assertThat(b.demo().bytes("size")).isEqualTo(1 << 20);
        assertThat(b.demo().enumValue("mode", Mode.class)).isEqualTo(Mode.FAST_PATH);
    }

    @Test
    void misspeltKeyIsReportedAtItsLineWithTheClosestValidKey() throws IOException {
        Bound b = bind("vipgate {\n  demo {\n    name = a\n    tiemout = 3s\n  }\n}\n");
        assertThat(b.problems().list()).singleElement().satisfies(p -> {
            assertThat(p.location()).endsWith("vipgate.conf:4");
            assertThat(p.message()).contains("vipgate.demo.tiemout").contains("did you mean 'timeout'");
        });
    }

    @Test
    void unknownTopLevelKeyIsAnError() throws IOException {
        Bound b = bind("vipgate.demo.name = a\nvipgat.demo.name = b\n");
        assertThat(b.problems().list()).singleElement()
                .satisfies(p -> assertThat(p.toString()).contains("vipgate.conf:2").contains("did you mean 'vipgate'"));
    }

    @Test
    void everyBadValueIsReportedInOnePass() throws IOException {
        Bound b = bind("""
                vipgate.demo {
                  timeout = "five seconds"
                  size = lots
                  mode = fsat-path
                  nested { depth = deep }
                }
                """);
        List<String> messages = b.problems().list().stream().map(ConfigProblem::toString).toList();
        assertThat(messages).hasSize(4);
        assertThat(messages.get(0)).contains(":2:").contains("expected a duration such as 500ms, 5s or 1m");
        assertThat(messages.get(1)).contains(":3:").contains("expected a size");
        assertThat(messages.get(2)).contains(":4:").contains("fast-path | safe").contains("did you mean fast-path?");
        assertThat(messages.get(3)).contains(":5:").contains("expected an integer");
    }

    @Test
    void elementsOfNamedObjectsAreCheckedAgainstTheirTemplate() throws IOException {
        Bound b = bind("vipgate.demo.items {\n  a { address = \"x:1\" }\n  b { adress = \"y:1\", weight = 0 }\n}\n");
        List<String> messages = b.problems().list().stream().map(ConfigProblem::toString).toList();
        assertThat(messages).anySatisfy(m -> assertThat(m).contains(":3:").contains("must be between 1 and 100"));
        assertThat(messages).anySatisfy(m -> assertThat(m).contains(":3:").contains("vipgate.demo.items.b.adress")
                .contains("did you mean 'address'"));
    }

    @Test
    void stringMapsKeepTheUsersOrderAndAcceptAnyKey() throws IOException {
        Bound b = bind("vipgate.demo.headers { X-Real-IP = \"$remote_addr\", X-B = 2 }\n");
        assertThat(b.problems().list()).isEmpty();
        assertThat(b.demo().stringMap("headers")).containsExactly(Map.entry("X-Real-IP", "$remote_addr"), Map.entry("X-B", "2"));
    }

    @Test
    void stringOrListAcceptsOneValue() throws IOException {
        Bound b = bind("vipgate.demo.listen = \"8080\"\n");
        assertThat(b.demo().stringOrList("listen")).containsExactly("8080");
    }

    @Test
    void syntaxErrorsCarryFileAndLine() throws IOException {
        Path file = dir.resolve("broken.conf");
        Files.writeString(file, "vipgate {\n  demo {\n    name = \n  }\n}}\n");
        assertThatThrownBy(() -> ConfigLoader.parseFile(file))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
                        .satisfies(p -> assertThat(p.location()).startsWith(file.toString() + ":")));
    }

    @Test
    void missingFileSaysWhatToDo() {
        assertThatThrownBy(() -> ConfigLoader.parseFile(dir.resolve("nope.conf")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no such file");
    }
}
