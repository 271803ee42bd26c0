package vipgate.lb.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NginxRegexTest {

    private static String group(String regex, String input, int n) {
        Captures c = NginxRegex.compile(regex, false).match(input);
        return c == null ? null : c.group(n);
    }

    @Test
    void matchesAnywhereAndCapturesNumberedGroups() {
        assertThat(group("\\.php$", "/a/index.php", 0)).isEqualTo(".php");
        assertThat(group("^/users/(\\d+)/(\\w+)$", "/users/42/edit", 2)).isEqualTo("edit");
        assertThat(NginxRegex.compile("^/x", false).match("/y/x")).isNull();
        assertThat(group("^/(a)|(b)", "/a", 2)).as("a group outside the match").isNull();
    }

    @Test
    void pcreNamedGroupsInEverySpellingGetNumbersAndNames() {
        NginxRegex r = NginxRegex.compile("^/(?P<first_name>[a-z]+)/(?<id>\\d+)/(?'tail'.*)$", false);
        Captures c = r.match("/bob/7/x/y");
        assertThat(c.group("first_name")).isEqualTo("bob");
        assertThat(c.group("id")).isEqualTo("7");
        assertThat(c.group("tail")).isEqualTo("x/y");
        assertThat(c.group(2)).isEqualTo("7");
        assertThat(r.names()).containsOnlyKeys("first_name", "id", "tail");
        assertThat(NginxRegex.compile("^/(?P<w>[a-z])(?P=w)\\k<w>", false).match("/aaa")).isNotNull();
        assertThat(NginxRegex.compile("^/(?P<w>[a-z])(?P=w)", false).match("/ab")).isNull();
    }

    @Test
    void caselessIsNginxsTildeStar() {
        assertThat(NginxRegex.compile("\\.(jpg|png)$", true).match("/A.PNG")).isNotNull();
        assertThat(NginxRegex.compile("\\.(jpg|png)$", false).match("/A.PNG")).isNull();
    }

    @Test
    void classesMeanWhatPcreMeans() {
        // Java would read [a[b]] as a union and && as an intersection; PCRE reads them as literals
        assertThat(NginxRegex.compile("^/[a[]+$", false).match("/a[a")).isNotNull();
        assertThat(NginxRegex.compile("^/[a&&b]+$", false).match("/&a")).isNotNull();
        assertThat(NginxRegex.compile("^/[]a]+$", false).match("/]a")).as("']' first is a member").isNotNull();
        assertThat(NginxRegex.compile("^/[[:digit:]]+$", false).match("/123")).isNotNull();
        assertThat(NginxRegex.compile("^/[^[:alpha:]]+$", false).match("/123")).isNotNull();
        assertThat(NginxRegex.compile("^/[^[:alpha:]]+$", false).match("/a")).isNull();
        // PCRE ends lines only at \n: . matches \r, $ does not match before it
        assertThat(NginxRegex.compile("^/a.b$", false).match("/a\rb")).isNotNull();
        assertThat(NginxRegex.compile("^/a$", false).match("/a\r")).isNull();
    }

    @Test
    void whatJavaWouldReadDifferentlyIsRefusedWithTheReason() {
        assertThatThrownBy(() -> NginxRegex.compile("^/a\\Kb", false)).hasMessageContaining("\\K");
        assertThatThrownBy(() -> NginxRegex.compile("^(a|(?R))", false)).hasMessageContaining("not supported");
        assertThatThrownBy(() -> NginxRegex.compile("(?|(a)|(b))", false)).hasMessageContaining("not supported");
        assertThatThrownBy(() -> NginxRegex.compile("(*UTF8)x", false)).hasMessageContaining("verbs");
        assertThatThrownBy(() -> NginxRegex.compile("(?U)a+", false)).hasMessageContaining("not supported");
        assertThatThrownBy(() -> NginxRegex.compile("(?x) a b", false)).hasMessageContaining("x flag");
        assertThatThrownBy(() -> NginxRegex.compile("[[:word2:]]", false)).hasMessageContaining("POSIX");
        assertThatThrownBy(() -> NginxRegex.compile("(a", false)).hasMessageContaining("invalid regex");
        assertThatThrownBy(() -> NginxRegex.compile("\\k<nope>", false)).hasMessageContaining("no earlier group");
        assertThat(NginxRegex.compile("(?i)^/ABC(?#a comment)$", false).match("/abc")).isNotNull();
        assertThat(NginxRegex.compile("(?<=/)x(?!y)", false).match("/xz")).isNotNull();
    }

    @Test
    void catastrophicBacktrackingStopsAtTheBudget() {
        // Java memoizes (a+)+ but not a counted group of .* (minutes for this input without the budget)
        NginxRegex evil = NginxRegex.compile("(.*a){12}$", false);
        String input = "/" + "a".repeat(40) + "!";
        assertThatThrownBy(() -> evil.match(input)).isInstanceOf(NginxRegex.BudgetExceeded.class)
                .hasMessageContaining("read more than");
        assertThatThrownBy(() -> evil.match(input)).as("warned once: later ones are not first")
                .isInstanceOfSatisfying(NginxRegex.BudgetExceeded.class, e -> assertThat(e.first()).isFalse());
        assertThat(evil.match("/" + "a".repeat(5000))).as("a long input that matches linearly").isNotNull();
    }
}
