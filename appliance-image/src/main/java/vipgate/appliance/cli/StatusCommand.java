package vipgate.appliance.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vipgate.appliance.ApplianceConfig;
import vipgate.config.ConfigException;
import vipgate.config.HostPort;

/**
 * {@code vipgate status}: asks the running daemon's admin API for its status and prints it as tables (or JSON).
 * The admin address and token come from the config file, so on an appliance no option is needed.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show listeners, upstream servers (state, weights, connections, latency) and VRRP instances of the running daemon.")
final class StatusCommand implements Callable<Integer> {
    static final Path DEFAULT_CONFIG = Path.of("/etc/vipgate/vipgate.conf");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "config file to read admin.listen and admin.token from (default: /etc/vipgate/vipgate.conf if present)")
    Path file;

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "admin API address (overrides the config file)")
    String admin;

    @Option(names = "--token", paramLabel = "TOKEN", description = "bearer token (overrides the config file)")
    String token;

    @Option(names = "--json", description = "print the JSON of GET /status instead of tables")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        HostPort address;
        String bearer;
        try {
            Optional<ApplianceConfig> config = config();
            address = admin != null ? HostPort.parse(admin)
                    : config.map(ApplianceConfig::adminListen).orElse(HostPort.parse("127.0.0.1:9090"));
            bearer = token != null ? token : config.map(ApplianceConfig::adminToken).orElse("");
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("vipgate status: " + e.getMessage());
            return 2;
        }
        String host = address.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            host = "127.0.0.1";
        }
        URI uri = URI.create("http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.port()
                + "/status" + (json ? "" : "?format=text"));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET();
        if (!bearer.isEmpty()) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                err.print("vipgate status: " + uri + " answered " + response.statusCode() + ": " + response.body());
                err.flush();
                return 1;
            }
            out.print(response.body());
            out.flush();
            return 0;
        } catch (ConnectException e) {
            err.println("vipgate status: nothing answers on " + uri + "; is vipgate running (systemctl status vipgate)?"
                    + " Use --admin HOST:PORT or -c FILE if it listens elsewhere.");
            return 1;
        } catch (IOException e) {
            err.println("vipgate status: cannot read " + uri + ": " + e);
            return 1;
        }
    }

    private Optional<ApplianceConfig> config() {
        if (file != null) {
            return Optional.of(ApplianceConfig.load(Optional.of(file)));
        }
        if (admin == null && Files.isReadable(DEFAULT_CONFIG)) {
            return Optional.of(ApplianceConfig.load(Optional.of(DEFAULT_CONFIG)));
        }
        return Optional.empty();
    }
}
