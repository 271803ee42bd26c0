package vipgate.lb.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import vipgate.lb.config.MapSpec;
import vipgate.lb.http.TestRequest;

/** nginx's map: exact strings (caseless) first, then regexes in order, then the default. */
class NginxMapTest {
    private static String valueFor(NginxMap map, String upgrade) {
        TestRequest v = new TestRequest();
        if (upgrade != null) {
            v.header("Upgrade", upgrade);
        }
        return map.value(v);
    }

    @Test
    void theConnectionUpgradeIdiom() {
        NginxMap map = new NginxMap(new MapSpec("connection_upgrade", "$http_upgrade",
                List.of(new MapSpec.Entry("", "close")), "upgrade"));
        assertThat(valueFor(map, null)).as("no Upgrade header").isEqualTo("close");
        assertThat(valueFor(map, "websocket")).isEqualTo("upgrade");
    }

    @Test
    void exactStringsBeforeRegexesInOrderThenTheDefault() {
        NginxMap map = new NginxMap(new MapSpec("m", "$http_upgrade", List.of(
                new MapSpec.Entry("~^web", "first regex"),
                new MapSpec.Entry("~*SOCK", "caseless regex $host"),
                new MapSpec.Entry("WebSocket", "exact"),
                new MapSpec.Entry("\\~tilde", "escaped")), ""));
        assertThat(valueFor(map, "websocket")).as("exact wins, ignoring case").isEqualTo("exact");
        assertThat(valueFor(map, "webthing")).isEqualTo("first regex");
        assertThat(valueFor(map, "a-sock")).as("values take variables").isEqualTo("caseless regex www.example.com");
        assertThat(valueFor(map, "Web-SOCK")).as("~ is case-sensitive: the first regex does not match").isEqualTo("caseless regex www.example.com");
        assertThat(valueFor(map, "~tilde")).isEqualTo("escaped");
        assertThat(valueFor(map, "other")).as("no default: empty").isEmpty();
    }
}
