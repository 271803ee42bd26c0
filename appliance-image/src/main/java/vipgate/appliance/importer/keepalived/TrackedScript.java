package vipgate.appliance.importer.keepalived;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import vipgate.appliance.importer.Directive;

/**
 * What a vrrp_script runs, as far as the importer can tell: a recognised nginx check (its command text, or the file it
 * runs, read from the old box's path or from the {@code --scripts} copy), or what to say about a file it could not
 * read or does not recognise.
 *
 * @param nginx the script only looks after the local nginx: what it does
 * @param keptNote for a script file, what the report says when it stays a script: read or not, recognised or not, and
 *     what that leaves to the user
 */
record TrackedScript(Optional<NginxScript.Verdict> nginx, Optional<String> keptNote) {
    private static final String SHELL = "(\\S*/)?(ba|da)?sh";
    private static final String KEPT = "it stays a script, and whatever else it does (restart nginx, killall keepalived to "
            + "hand the VIP over) is no VRRP action under vipgate, only its exit status counts";

    /** @param scriptsDir where the old box's script files were copied, looked up by file name before their own path */
    static TrackedScript of(Directive vrrpScript, Optional<Path> scriptsDir) {
        List<String> command = vrrpScript.first("script").map(Values::command).orElse(List.of());
        Optional<NginxScript.Verdict> oneLine = NginxCheck.recognise(command).map(w -> new NginxScript.Verdict(w, false));
        Optional<String> file = file(command);
        if (oneLine.isPresent() || file.isEmpty()) {
            return new TrackedScript(oneLine, Optional.empty());
        }
        List<Path> tried = candidates(file.get(), scriptsDir);
        for (Path p : tried) {
            Optional<byte[]> bytes = read(p);
            if (bytes.isPresent() && isProgram(bytes.get())) {
                return new TrackedScript(Optional.empty(), Optional.empty());   // /usr/bin/true and the like: a plain command
            }
            Optional<String> text = bytes.map(b -> new String(b, StandardCharsets.UTF_8));
            if (text.isPresent()) {
                String subject = "the file " + file.get() + (p.toString().equals(file.get()) ? "" : " (read from " + p + ")");
                Optional<NginxScript.Verdict> v = NginxScript.recognise(text.get(), timeout(vrrpScript));
                return v.isPresent() ? recognised(new NginxScript.Verdict(subject + ": " + v.get().what(),
                        v.get().stopsKeepalived())) : new TrackedScript(Optional.empty(), Optional.of(subject + (NginxScript.lines(text.get()).isEmpty()
                                ? " has no command outside comments (lines run together when copied?)"
                                : " was read, but is none of the nginx checks the importer recognises") + "; " + KEPT));
            }
        }
        return new TrackedScript(Optional.empty(), Optional.of("the file " + file.get() + " could not be read (looked for "
                + String.join(", ", tried.stream().map(Path::toString).toList()) + "; give the old box's scripts with "
                + "--scripts DIR): if it only checks that nginx runs, replace the script by track-lb { enabled = true, "
                + "weight = W } in the instances that track it; " + KEPT));
    }

    /** A recognised file; it stays a script only when the nginx side was not imported, so there is no lb to track. */
    private static TrackedScript recognised(NginxScript.Verdict v) {
        return new TrackedScript(Optional.of(v), Optional.of(v.what() + "; it stays a script, as vipgate's lb tracking "
                + "needs the nginx.conf imported too" + (v.stopsKeepalived() ? ": run by vipgate it exits 0 whatever nginx "
                + "does, and stopping keepalived hands no VIP over, so the VIP stays on a box whose nginx will not start; "
                + "make it exit 1 when nginx stays down" : "")));
    }

    /** The script file a command runs: {@code /path/check.sh} or {@code bash /path/check.sh}, without arguments. */
    private static Optional<String> file(List<String> command) {
        boolean shell = command.size() == 2 && command.get(0).matches(SHELL);
        String word = command.size() == 1 ? command.get(0) : shell ? command.get(1) : "";
        return word.contains("/") || word.endsWith(".sh") ? Optional.of(word) : Optional.empty();
    }

    /** The --scripts copy first: it is the old box's file, where a file at the same path here may be another's. */
    private static List<Path> candidates(String file, Optional<Path> scriptsDir) {
        List<Path> out = new ArrayList<>();
        try {
            Path path = Path.of(file);
            Optional<Path> name = Optional.ofNullable(path.getFileName());
            scriptsDir.flatMap(dir -> name.map(n -> dir.resolve(n.toString()))).ifPresent(out::add);
            out.add(path);
        } catch (InvalidPathException e) {
            // a name no file can have: nothing to read
        }
        return out;
    }

    private static Optional<byte[]> read(Path p) {
        try {
            return Files.isRegularFile(p) ? Optional.of(Files.readAllBytes(p)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A compiled program (a NUL byte in its first 4 KiB), not a shell script to read. */
    private static boolean isProgram(byte[] file) {
        for (int i = 0; i < Math.min(file.length, 4096); i++) {
            if (file[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /** keepalived's timeout: the script's, else its interval (default 1s); a bad number was reported where it is written. */
    private static BigDecimal timeout(Directive vrrpScript) {
        return seconds(vrrpScript, "timeout").filter(t -> t.signum() > 0)
                .or(() -> seconds(vrrpScript, "interval")).orElse(BigDecimal.ONE);
    }

    private static Optional<BigDecimal> seconds(Directive vrrpScript, String name) {
        try {
            return vrrpScript.first(name).flatMap(Directive::arg).map(BigDecimal::new);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
