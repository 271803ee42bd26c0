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
import picocli.CommandLine.Option;
import vipgate.appliance.ApplianceConfig;
import vipgate.config.ConfigException;
import vipgate.config.HostPort;

/**
 * What {@code vipgate status}, {@code reload} and {@code handover} share (a picocli mixin): where the running daemon's admin
 * API is and its token, read from the config file unless given, and one request to it.
 */
final class AdminCall {
    static final Path DEFAULT_CONFIG = Path.of("/etc/vipgate/vipgate.conf");

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "config file to read admin.listen and admin.token from (default: /etc/vipgate/vipgate.conf if present)")
    Path file;

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "admin API address (overrides the config file)")
    String admin;

    @Option(names = "--token", paramLabel = "TOKEN", description = "bearer token (overrides the config file)")
    String token;

    /**
     * Sends {@code method pathAndQuery} and prints the answer's body on {@code out} when it is a 200.
     *
     * @return 0 on a 200, 1 when the daemon cannot be reached or answers otherwise, 2 for a bad config or option
     */
    int send(String command, String method, String pathAndQuery, PrintWriter out, PrintWriter err) throws InterruptedException {
        HostPort address;
        String bearer;
        try {
            Optional<ApplianceConfig> config = config();
            address = admin != null ? HostPort.parse(admin)
                    : config.map(ApplianceConfig::adminListen).orElse(HostPort.parse("127.0.0.1:9090"));
            bearer = token != null ? token : config.map(ApplianceConfig::adminToken).orElse("");
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("vipgate " + command + ": " + e.getMessage());
            return 2;
        }
        String host = address.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            host = "127.0.0.1";
        }
        URI uri = URI.create("http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.port() + pathAndQuery);
        // the header a web page cannot send: what the admin API asks of a request that changes state
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody()).header("X-Vipgate-Admin", "1");
        if (!bearer.isEmpty()) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                err.print("vipgate " + command + ": " + uri + " answered " + response.statusCode() + ": " + response.body());
                err.flush();
                return 1;
            }
            out.print(response.body());
            out.flush();
            return 0;
        } catch (ConnectException e) {
            err.println("vipgate " + command + ": nothing answers on " + uri + "; is vipgate running (systemctl status vipgate)?"
                    + " Use --admin HOST:PORT or -c FILE if it listens elsewhere.");
            return 1;
        } catch (IOException e) {
            err.println("vipgate " + command + ": cannot read " + uri + ": " + e);
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
