package vipgate.appliance.importer.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.appliance.importer.Directive;
import vipgate.appliance.importer.Report;

class NginxParserTest {
    @TempDir
    Path dir;

    @Test
    void readsDirectivesBlocksAndTheirLines() throws IOException {
        List<Directive> top = NginxParser.parse("""
                worker_processes 2;   # trailing comment
                http {
                  upstream web{server 10.0.0.1:80 weight=2;}
                  server {
                    listen 80 default_server;
                  }
                }
                """, "n.conf");
        assertThat(top).extracting(Directive::name).containsExactly("worker_processes", "http");
        Directive http = top.get(1);
        assertThat(http.block()).isTrue();
        assertThat(http.line()).isEqualTo(2);
        Directive upstream = http.first("upstream").orElseThrow();
        assertThat(upstream.args()).containsExactly("web");
        assertThat(upstream.children()).singleElement().satisfies(s -> {
            assertThat(s.args()).containsExactly("10.0.0.1:80", "weight=2");
            assertThat(s.where()).isEqualTo("n.conf:3");
        });
        assertThat(http.first("server").orElseThrow().first("listen").orElseThrow().line()).isEqualTo(5);
    }

    @Test
    void quotesEscapesAndVariablesInBraces() throws IOException {
        Directive d = NginxParser.parse("""
                log_format main '$remote_addr "$request"' "tab\\there \\"q\\"" ${host}x a\\;b '';
                """, "n.conf").get(0);
        assertThat(d.args()).containsExactly("main", "$remote_addr \"$request\"", "tab\there \"q\"", "${host}x", "a\\;b", "");
        // a # inside a word or quotes is not a comment
        assertThat(NginxParser.parse("add_header X a#b '#c';", "n.conf").get(0).args()).containsExactly("X", "a#b", "#c");
        // a quoted string may span lines; the next directive's line counts them
        List<Directive> two = NginxParser.parse("a 'x\ny';\nb;", "n.conf");
        assertThat(two.get(1).line()).isEqualTo(3);
    }

    @Test
    void refusesWhatNginxRefusesAtItsLine() {
        assertError("http {\n  server {\n", "n.conf:2: unexpected end of file: 'server {' is never closed (missing '}')");
        assertError("a b;\n}\n", "n.conf:2: unexpected '}' (no block to close)");
        assertError("listen 80\n}", "n.conf:2: unexpected '}' after 'listen' (missing ';'?)");
        assertError("x;\nlisten 80", "n.conf:2: unexpected end of file after 'listen', expecting ';' or '}'");
        assertError("\n\n;", "n.conf:3: unexpected ';'");
        assertError("{ }", "n.conf:1: unexpected '{' (a block needs a name, e.g. 'server {')");
        assertError("a \"b\nc;", "n.conf:1: unclosed \" quote");
        assertError("a \"b\"c;", "n.conf:1: unexpected 'c' right after a quoted string (a blank, ';' or '{' must follow)");
        assertError("a ${b;\n", "n.conf:1: unclosed '${' in a variable");
    }

    @Test
    void openRestyLuaBlocksAreKeptWholeBracesInLuaStringsAndCommentsDoNotCount() throws IOException {
        List<Directive> top = NginxParser.parse("""
                location / {
                  access_by_lua_block {
                    -- a } in a comment
                    if t[1] == "}" or t[2] == '{' then ngx.exit(429) end
                    local s = [==[ } ]==] --[[ { ]]
                  }
                  proxy_pass http://web;
                }
                """, "n.conf");
        List<Directive> location = top.get(0).children();
        assertThat(location).extracting(Directive::name).containsExactly("access_by_lua_block", "proxy_pass");
        assertThat(location.get(0).args()).singleElement().asString().contains("ngx.exit(429)").endsWith("--[[ { ]]\n  ");
        assertThat(location.get(1).where()).isEqualTo("n.conf:7");
        assertError("content_by_lua_block {\n  ngx.say('{')\n", "n.conf:1: unexpected end of file: 'content_by_lua_block {' is "
                + "never closed (missing '}')");
    }

    private static void assertError(String text, String message) {
        assertThatThrownBy(() -> NginxParser.parse(text, "n.conf")).isInstanceOf(NginxParser.SyntaxError.class)
                .hasMessage(message);
    }

    @Test
    void includesAreReadInPlaceSortedAndRelativeToTheMainFilesDirectory() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/b.conf"), "b;\n");
        Files.writeString(dir.resolve("conf.d/a.conf"), "a;\ninclude snippets/s.conf;\n");
        Files.createDirectories(dir.resolve("snippets"));
        Files.writeString(dir.resolve("snippets/s.conf"), "s\u3000on;\n");
        Path main = Files.writeString(dir.resolve("nginx.conf"), "http {\n  include conf.d/*.conf;\n  include /nowhere/mime.types;\n  z;\n}\n");
        Report report = new Report();

        Directive http = NginxParser.read(main, report).get(0);

        assertThat(http.children()).extracting(Directive::name).containsExactly("a", "s", "b", "z");
        // nginx resolves a relative include against its conf prefix, not the including file's directory
        assertThat(http.children().get(1).file()).isEqualTo(dir.resolve("snippets/s.conf").toString());
        assertThat(http.children().get(1).args()).containsExactly("on");
        assertThat(report.findings()).extracting(Object::toString).containsExactly(
                dir.resolve("snippets/s.conf") + ":1: repaired: full-width or typographic characters (spaces, quotes, braces) made plain ASCII",
                main + ":3: not mapped: include: no file matches /nowhere/mime.types on this machine; whatever it holds is not"
                        + " imported (import it on the nginx box, or import that file too)");
    }

    @Test
    void anIncludeCycleIsAnErrorNotARecursion() throws IOException {
        Path main = Files.writeString(dir.resolve("nginx.conf"), "include loop.conf;\n");
        Files.writeString(dir.resolve("loop.conf"), "x;\ninclude loop.conf;\n");
        assertThatThrownBy(() -> NginxParser.read(main, new Report())).isInstanceOf(NginxParser.SyntaxError.class)
                .hasMessage(dir.resolve("loop.conf") + ":2: include " + dir.resolve("loop.conf") + " includes itself (cycle)");
    }

    /** Truncated and mutated configurations: a directive list or a SyntaxError with file:line, nothing else. */
    @Test
    void garbageGivesAtMostASyntaxError() {
        String sample = """
                http { log_format main '$remote_addr "$request"' "a\\"b";
                  upstream web { server 10.0.0.1:80 weight=1 max_fails=2; keepalive 8; }
                  server { listen [::]:80 default_server; server_name .example.com "";
                    location = /x { proxy_pass http://web/; proxy_set_header Host ${host}:80; } # c
                  }
                }
                """;
        String alphabet = "{};'\"\\#$ \n\tab/=:~*\u3000";
        Random random = new Random(7);
        for (int i = 0; i < 5000; i++) {
            StringBuilder text = new StringBuilder(sample.substring(0, random.nextInt(sample.length() + 1)));
            for (int m = random.nextInt(4); m > 0 && text.length() > 0; m--) {
                text.setCharAt(random.nextInt(text.length()), alphabet.charAt(random.nextInt(alphabet.length())));
            }
            try {
                NginxParser.parse(text.toString(), "f.conf");
            } catch (NginxParser.SyntaxError e) {
                assertThat(e.getMessage()).matches("(?s)f\\.conf:\\d+: .+");
            }
        }
    }
}
