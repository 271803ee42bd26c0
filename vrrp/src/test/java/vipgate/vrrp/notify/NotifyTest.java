package vipgate.vrrp.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.vrrp.config.NotifySpec;
import vipgate.vrrp.config.SmtpSpec;
import vipgate.vrrp.notify.NotifyEvent.Kind;
import vipgate.vrrp.notify.NotifyEvent.Scope;

class NotifyTest {
    static final NotifyEvent MASTER = new NotifyEvent(Scope.INSTANCE, "VI_1", Kind.MASTER, 100, Instant.EPOCH);
    @TempDir
    Path dir;

    @Test
    void fifoLineIsKeepalivedsFormat() {
        assertThat(MASTER.fifoLine()).isEqualTo("INSTANCE \"VI_1\" MASTER 100");
        assertThat(new NotifyEvent(Scope.GROUP, "G1", Kind.STOP, 0, Instant.EPOCH).fifoLine()).isEqualTo("GROUP \"G1\" STOP 0");
    }

    @Test
    void stateCommandRunsAsWrittenThenGenericNotifyWithFourArguments() {
        NotifySpec spec = new NotifySpec(List.of("/etc/keepalived/notify.sh", "master"), List.of(), List.of(), List.of(),
                List.of("/usr/local/bin/any.sh"));
        assertThat(NotifyScripts.commandsFor(MASTER, spec)).containsExactly(
                List.of("/etc/keepalived/notify.sh", "master"),
                List.of("/usr/local/bin/any.sh", "INSTANCE", "VI_1", "MASTER", "100"));
        assertThat(NotifyScripts.commandsFor(new NotifyEvent(Scope.INSTANCE, "VI_1", Kind.FAULT, 100, Instant.EPOCH), spec))
                .containsExactly(List.of("/usr/local/bin/any.sh", "INSTANCE", "VI_1", "FAULT", "100"));
    }

    @Test
    void commandsRunInOrderAndASlowOneIsKilled() throws Exception {
        Path out = dir.resolve("out");
        Path script = executable("notify.sh", "#!/bin/sh\necho \"$@\" >> " + out + "\n[ \"$1\" = slow ] && sleep 30\nexit 0\n");
        try (NotifyScripts scripts = new NotifyScripts(16, Duration.ofMillis(300), p -> Optional.empty())) {
            List<Future<Integer>> done = new ArrayList<>();
            NotifySpec slow = new NotifySpec(List.of(script.toString(), "slow"), List.of(), List.of(), List.of(), List.of());
            NotifySpec any = new NotifySpec(List.of(), List.of(), List.of(), List.of(), List.of(script.toString()));
            done.addAll(scripts.run(MASTER, slow));
            done.addAll(scripts.run(new NotifyEvent(Scope.INSTANCE, "VI_1", Kind.BACKUP, 99, Instant.EPOCH), any));
            assertThat(done.get(0).get(10, TimeUnit.SECONDS)).isEqualTo(-1);
            assertThat(done.get(1).get(10, TimeUnit.SECONDS)).isZero();
        }
        assertThat(Files.readAllLines(out)).containsExactly("slow", "INSTANCE VI_1 BACKUP 99");
    }

    @Test
    void anUnsafeCommandIsRefused() throws Exception {
        Path out = dir.resolve("ran");
        Path script = executable("notify.sh", "#!/bin/sh\ntouch " + out + "\n");
        try (NotifyScripts scripts = new NotifyScripts(4, Duration.ofSeconds(5), p -> Optional.of("writable by others"))) {
            NotifySpec spec = new NotifySpec(List.of(script.toString()), List.of(), List.of(), List.of(), List.of());
            assertThat(scripts.run(MASTER, spec).get(0).get(10, TimeUnit.SECONDS)).isEqualTo(-1);
        }
        assertThat(out).doesNotExist();
    }

    @Test
    void fifoWriterWritesLinesInOrder() throws Exception {
        Path fifo = dir.resolve("events");
        try (NotifyFifo writer = new NotifyFifo(fifo, 8)) {
            writer.publish(MASTER);
            writer.publish(new NotifyEvent(Scope.INSTANCE, "VI_1", Kind.FAULT, 100, Instant.EPOCH));
        }
        assertThat(Files.readAllLines(fifo)).containsExactly("INSTANCE \"VI_1\" MASTER 100", "INSTANCE \"VI_1\" FAULT 100");
    }

    @Test
    void eventLogKeepsTheNewest() {
        EventLog log = new EventLog(2);
        for (int prio = 1; prio <= 3; prio++) {
            log.add(new NotifyEvent(Scope.INSTANCE, "VI_1", Kind.MASTER, prio, Instant.EPOCH));
        }
        assertThat(log.snapshot()).extracting(NotifyEvent::priority).containsExactly(2, 3);
        assertThat(log.dropped()).isEqualTo(1);
    }

    @Test
    void smtpAlertTalksToAServer() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<List<String>> dialogue = CompletableFuture.supplyAsync(() -> fakeSmtp(server));
            SmtpAlert alert = new SmtpAlert(new SmtpSpec("127.0.0.1", server.getLocalPort(), "devops@devops.com",
                    List.of("xx@xx.com"), Duration.ofSeconds(5), "LVS_DEVEL"));
            alert.send(MASTER);
            List<String> lines = dialogue.get(10, TimeUnit.SECONDS);
            assertThat(lines).startsWith("HELO");
            assertThat(lines).contains("MAIL FROM:<devops@devops.com>", "RCPT TO:<xx@xx.com>", "DATA",
                    "Subject: [LVS_DEVEL] VRRP Instance VI_1 - Entering MASTER state",
                    "=> VRRP Instance is now owning VRRP VIPs <=", ".", "QUIT");
        }
    }

    private static List<String> fakeSmtp(ServerSocket server) {
        List<String> seen = new ArrayList<>();
        try (Socket s = server.accept()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            out.write("220 fake ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
            boolean data = false;
            String line;
            while ((line = in.readLine()) != null) {
                seen.add(line.startsWith("HELO") ? "HELO" : line);
                String reply = null;
                if (data) {
                    if (line.equals(".")) {
                        data = false;
                        reply = "250 queued";
                    }
                } else if (line.equals("DATA")) {
                    data = true;
                    reply = "354 go ahead";
                } else if (line.equals("QUIT")) {
                    out.write("221 bye\r\n".getBytes(StandardCharsets.US_ASCII));
                    break;
                } else {
                    reply = line.startsWith("HELO") ? "250-fake\r\n250 hello" : "250 ok";
                }
                if (reply != null) {
                    out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return seen;
    }

    private Path executable(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }
}
