package vipgate.appliance.importer.keepalived;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The script files of the seed posts (verbatim, damage and all) and the internet's other shapes, recognised or not. */
class NginxScriptTest {
    private static final BigDecimal TWO = BigDecimal.valueOf(2);

    private static String file(String name) throws IOException {
        return Files.readString(Path.of("src/test/resources/importer/scripts/" + name));
    }

    private static Optional<NginxScript.Verdict> recognise(String text) {
        return NginxScript.recognise(text, TWO);
    }

    @Test
    void seedScriptsThatRestartNginxThenStopKeepalived() throws IOException {
        NginxScript.Verdict v000 = recognise(file("000-check_nginx_pid.sh")).orElseThrow();
        assertThat(v000.stopsKeepalived()).isTrue();
        assertThat(v000.what()).startsWith("when its nginx check ('ps -C nginx --no-header |wc -l') fails, tries 'systemctl "
                + "start nginx' and, if nginx is still down, runs 'killall keepalived'; it exits 0 either way");
        // 002 sleeps 2s: under its 5s timeout (interval 5) it reaches killall keepalived
        NginxScript.Verdict v002 = NginxScript.recognise(file("002-check_nginx.sh"), BigDecimal.valueOf(5)).orElseThrow();
        assertThat(v002.stopsKeepalived()).isTrue();
        assertThat(v002.what()).contains("tries 'systemctl restart nginx'");
    }

    @Test
    void aSleepPastTheTimeoutMeansKeepalivedKilledTheScriptAndItsWeightMovedTheVip() throws IOException {
        // seed 004: interval 1, no timeout, then sleep 5 (and systemclt, as written: nginx was never started)
        NginxScript.Verdict v = NginxScript.recognise(file("004-monitor_nginx.sh"), BigDecimal.ONE).orElseThrow();
        assertThat(v.stopsKeepalived()).isFalse();
        assertThat(v.what()).contains("tries 'systemclt start nginx.service'")
                .contains("its sleep of 5s outlasts its 1s timeout").endsWith("what moved the VIP was the script's weight");
        assertThat(NginxScript.recognise(file("004-monitor_nginx.sh"), BigDecimal.TEN).orElseThrow().stopsKeepalived()).isTrue();
    }

    @Test
    void seedScriptsThatDoMoreAreNotRecognised() throws IOException {
        // 001: nginx and RabbitMQ's port, run together onto the #! line when copied
        assertThat(recognise(file("001-check_nginx_rabbitmq.sh"))).isEmpty();
        assertThat(NginxScript.lines(file("001-check_nginx_rabbitmq.sh"))).isEmpty();
        // 003: `[ $? -ne 0 ] && ... keepalived stop` exits 1 when the restart worked, so it is not "exits 0 either way"
        assertThat(recognise(file("003-nginx_status.sh"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // the classic, from many posts
        "A=`ps -C nginx --no-header |wc -l`\nif [ $A -eq 0 ];then\n    /usr/local/nginx/sbin/nginx\n    sleep 1\n"
                + "    if [ `ps -C nginx --no-header |wc -l` -eq 0 ];then\n        killall keepalived\n    fi\nfi\n",
        "#!/bin/bash\ncounter=$(ps -C nginx --no-heading|wc -l)\nif [ \"${counter}\" = \"0\" ]; then\n"
                + "    /usr/local/bin/nginx\n    sleep 1\n    counter=$(ps -C nginx --no-heading|wc -l)\n"
                + "    if [ \"${counter}\" = \"0\" ]; then\n        /etc/init.d/keepalived stop\n    fi\nfi\n",
        "#!/bin/sh\nif ! systemctl is-active --quiet nginx; then\n  systemctl restart nginx\n"
                + "  if ! systemctl is-active --quiet nginx; then\n    systemctl stop keepalived\n  fi\nfi\n",
        "if [ -z \"$(pidof nginx)\" ]; then killall keepalived; fi"})
    void internetShapesThatStopKeepalived(String script) {
        assertThat(recognise(script)).as(script).hasValueSatisfying(v -> assertThat(v.stopsKeepalived()).isTrue());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "#!/bin/bash\nkillall -0 nginx\n",
        "#!/bin/bash\n# is the proxy there?\ncurl -s -o /dev/null http://127.0.0.1/\n",
        "#!/bin/bash\nsystemctl is-active nginx >/dev/null 2>&1\n",
        "#!/bin/bash\nA=`ps -C nginx --no-header | wc -l`\nif [ $A -eq 0 ]; then\n  exit 1\nelse\n  exit 0\nfi\n",
        "counter=$(ps -C nginx --no-heading|wc -l)\nif [ \"${counter}\" = \"0\" ]; then\n  echo down\n  exit 1\nfi\n"})
    void shapesWhoseExitStatusIsNginxs(String script) {
        assertThat(recognise(script)).as(script).hasValueSatisfying(v -> assertThat(v.stopsKeepalived()).isFalse());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "#!/bin/bash\nkillall -0 haproxy\n",
        "#!/bin/bash\ncurl -s http://127.0.0.1:8080/health\n",
        "#!/bin/bash\nkillall -0 nginx\nexit 0\n",
        // stops keepalived whatever the restart did
        "A=`pidof nginx`\nif [ -z \"$A\" ]; then\n  systemctl start nginx\n  killall keepalived\nfi\n",
        // the condition does not test nginx
        "if [ -f /tmp/maintenance ]; then killall keepalived; fi",
        "A=`ps -C nginx --no-header |wc -l`\nif [ $A -eq 0 ];then\n  rm -rf /var/run/nginx.pid\n  killall keepalived\nfi\n"})
    void otherScriptsAreNot(String script) {
        assertThat(recognise(script)).as(script).isEmpty();
    }
}
