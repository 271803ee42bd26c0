package vipgate.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.WriteBufferWaterMark;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import vipgate.testkit.NoLeaks;

/**
 * The exchange on EmbeddedChannels: the client's connection with the proxy's pipeline, and servers played by the
 * test through a fake connector, so each step of a request is seen in order without sockets or timing.
 */
@ExtendWith(NoLeaks.class)
class ProxyExchangeTest {
    private static final String A = "10.0.0.1:80";
    private static final String B = "10.0.0.2:80";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private ClientConnection client;

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: app\r\n\r\n";
    }

    @Test
    void aRequestGoesToTheServerAndItsResponseToTheClient() {
        client = ClientConnection.toServers("", A);
        client.send(get("/a"));
        FakeConnector.Server s = client.servers.next();
        assertThat(s.received()).startsWith("GET /a HTTP/1.1\r\n").contains("Host: app\r\n").endsWith("\r\n\r\n");
        s.respond(OK);
        assertThat(client.received()).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("content-length: 2\r\n")
                .endsWith("\r\n\r\nok");
        assertThat(client.servers.released).containsExactly(true);
        assertThat(client.channel.isActive()).isTrue();
    }

    @Test
    void aRequestWithoutABodyNeverPausesTheClientsReads() {
        client = ClientConnection.toServers("", A);
        List<Boolean> readingWhileSent = new ArrayList<>();
        client.servers.onWrite = () -> readingWhileSent.add(client.channel.config().isAutoRead());
        client.send(get("/a"));
        // pausing and resuming reads costs a system call each (epoll_ctl, or an io_uring cancel and resubmission)
        assertThat(readingWhileSent).isNotEmpty().containsOnly(true);
        client.servers.next().respond(OK);
        assertThat(client.received()).endsWith("ok");
    }

    @Test
    void aRequestWithABodyPausesTheClientUntilItsServerTakesTheBody() {
        client = ClientConnection.toServers("", A);
        List<Boolean> readingWhileSent = new ArrayList<>();
        client.servers.onWrite = () -> readingWhileSent.add(client.channel.config().isAutoRead());
        client.send("POST /form HTTP/1.1\r\nHost: app\r\nContent-Length: 3\r\n\r\n");
        assertThat(readingWhileSent).isNotEmpty().containsOnly(false);
        assertThat(client.channel.config().isAutoRead()).isTrue();
        client.send("a=1");
        FakeConnector.Server s = client.servers.next();
        assertThat(s.received()).endsWith("\r\n\r\na=1");
        s.respond(OK);
        assertThat(client.received()).endsWith("ok");
    }

    @Test
    void aRefusedConnectionIsRetriedOnTheOtherServer() {
        client = ClientConnection.toServers("", A, B);
        client.servers.refuse(A);
        client.send(get("/"));
        FakeConnector.Server s = client.servers.next();
        assertThat(s.peer).isEqualTo(B);
        assertThat(s.received()).startsWith("GET / ");
        s.respond(OK);
        assertThat(client.received()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("ok");
    }

    @Test
    void whenEveryServerRefusesTheClientGets502OnAConnectionThatStaysUsable() {
        client = ClientConnection.toServers("", A, B);
        client.servers.refuse(A);
        client.servers.refuse(B);
        client.send(get("/"));
        assertThat(client.servers.connects).containsExactlyInAnyOrder(A, B);
        assertThat(client.received()).startsWith("HTTP/1.1 502 Bad Gateway\r\n").containsIgnoringCase("connection: keep-alive");
        assertThat(client.channel.isActive()).isTrue();
    }

    @Test
    void aServerClosingBeforeItsResponseHeadIsRetriedOnTheOtherServer() {
        client = ClientConnection.toServers("", A, B);
        client.send(get("/x"));
        FakeConnector.Server first = client.servers.next();
        assertThat(first.received()).startsWith("GET /x ");
        first.close();
        FakeConnector.Server second = client.servers.next();
        assertThat(second.peer).isNotEqualTo(first.peer);
        assertThat(second.received()).startsWith("GET /x ");
        second.respond(OK);
        assertThat(client.received()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("ok");
        // the failed try's connection is closed, the good one kept
        assertThat(client.servers.released).containsExactly(false, true);
    }

    @Test
    void aPostAlreadySentIsNotRetriedWhenTheServerCloses() {
        client = ClientConnection.toServers("", A, B);
        client.send("POST /form HTTP/1.1\r\nHost: app\r\nContent-Length: 3\r\n\r\nabc");
        FakeConnector.Server first = client.servers.next();
        assertThat(first.received()).startsWith("POST /form ").endsWith("\r\n\r\nabc");
        first.close();
        assertThat(client.servers.nothingHandedOut()).isTrue();
        assertThat(client.received()).startsWith("HTTP/1.1 502 Bad Gateway\r\n");
    }

    @Test
    void anErrorWhileTheRequestBodyIsStillComingClosesTheConnection() {
        client = ClientConnection.toServers("", A, B);
        client.servers.refuse(A);
        client.servers.refuse(B);
        client.send("POST /form HTTP/1.1\r\nHost: app\r\nContent-Length: 6\r\n\r\nabc");
        // the rest of the body would be read as the next request
        assertThat(client.received()).startsWith("HTTP/1.1 502 Bad Gateway\r\n").containsIgnoringCase("connection: close");
        client.runPending();
        assertThat(client.channel.isActive()).isFalse();
    }

    @Test
    void aPostRefusedByOneServerIsSentWholeToTheOther() {
        client = ClientConnection.toServers("", A, B);
        client.servers.refuse(A);
        client.send("POST /form HTTP/1.1\r\nHost: app\r\nContent-Length: 6\r\n\r\nabc");
        FakeConnector.Server s = client.servers.next();
        assertThat(s.peer).isEqualTo(B);
        client.send("def");
        assertThat(s.received()).startsWith("POST /form ").containsIgnoringCase("content-length: 6").endsWith("\r\n\r\nabcdef");
        s.respond(OK);
        assertThat(client.received()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("ok");
    }

    @Test
    void aSwitchingProtocolsNobodyAskedForIsAnInvalidResponse() {
        client = ClientConnection.toServers("", A);
        client.send(get("/"));
        FakeConnector.Server s = client.servers.next();
        s.received();
        s.respond("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n");
        assertThat(client.received()).startsWith("HTTP/1.1 502 Bad Gateway\r\n");
        assertThat(client.servers.released).containsExactly(false);
    }

    @Test
    void aStatusTheRulesRetryGoesToTheOtherServer() {
        client = ClientConnection.toServers("upstreams.app.next-upstream.on = [error, timeout, http_503]", A, B);
        client.send(get("/"));
        FakeConnector.Server first = client.servers.next();
        first.received();
        first.respond("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy");
        FakeConnector.Server second = client.servers.next();
        assertThat(second.peer).isNotEqualTo(first.peer);
        second.received();
        second.respond(OK);
        assertThat(client.received()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("ok");
    }

    @Test
    void interimResponsesAreSkippedAndTheFinalOneIsPassedOn() {
        client = ClientConnection.toServers("", A);
        client.send(get("/"));
        FakeConnector.Server s = client.servers.next();
        s.received();
        s.respond("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n");
        assertThat(client.received()).isEmpty();
        s.respond(OK);
        assertThat(client.received()).startsWith("HTTP/1.1 200 OK\r\n").doesNotContain("Early Hints").endsWith("ok");
    }

    @Test
    void aHeadResponseHasNoBodyWhateverItsLengthAndTheConnectionGoesOn() {
        client = ClientConnection.toServers("", A);
        client.send("HEAD / HTTP/1.1\r\nHost: app\r\n\r\n");
        FakeConnector.Server s = client.servers.next();
        assertThat(s.received()).startsWith("HEAD / ");
        s.respond("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
        assertThat(client.received()).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("content-length: 1000")
                .endsWith("\r\n\r\n");
        client.send(get("/next"));
        FakeConnector.Server again = client.servers.next();
        assertThat(again).isSameAs(s);
        assertThat(again.received()).startsWith("GET /next ");
        again.respond(OK);
        assertThat(client.received()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nok");
    }

    @Test
    void aHeadRefusedByTheProxyHasNoBodyEither() {
        client = ClientConnection.toServers("", A);
        client.send("HEAD /nowhere HTTP/1.1\r\nHost: app\r\nHost: other\r\n\r\n");
        String r = client.received();
        assertThat(r).startsWith("HTTP/1.1 400 Bad Request\r\n").endsWith("\r\n\r\n");
    }

    @Test
    void noContentAndNotModifiedHaveNoBody() {
        client = ClientConnection.toServers("", A);
        client.send(get("/204"));
        FakeConnector.Server s = client.servers.next();
        s.received();
        s.respond("HTTP/1.1 204 No Content\r\n\r\n");
        String noContent = client.received();
        assertThat(noContent).startsWith("HTTP/1.1 204 No Content\r\n").endsWith("\r\n\r\n")
                .doesNotContainIgnoringCase("transfer-encoding").doesNotContainIgnoringCase("content-length");
        client.send(get("/304"));
        s = client.servers.next();
        s.received();
        s.respond("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n");
        assertThat(client.received()).startsWith("HTTP/1.1 304 Not Modified\r\n").endsWith("\r\n\r\n")
                .doesNotContainIgnoringCase("transfer-encoding");
        assertThat(client.servers.released).containsExactly(true, true);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderEachMatchedToItsMethod() {
        client = ClientConnection.toServers("", A);
        client.send(get("/1") + "HEAD /2 HTTP/1.1\r\nHost: app\r\n\r\n" + get("/3"));
        FakeConnector.Server s = client.servers.next();
        assertThat(s.received()).startsWith("GET /1 ").doesNotContain("/2");
        s.respond(OK);
        // the next request went out on the same kept-alive connection as soon as the first was answered
        assertThat(client.servers.next()).isSameAs(s);
        assertThat(s.received()).startsWith("HEAD /2 ");
        s.respond("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        assertThat(client.servers.next()).isSameAs(s);
        assertThat(s.received()).startsWith("GET /3 ");
        s.respond("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nthree");
        String all = client.received();
        assertThat(all.split("HTTP/1\\.1 200 OK\r\n", -1)).hasSize(4);
        assertThat(all).endsWith("\r\n\r\nthree");
        int second = all.indexOf("HTTP/1.1", 1);
        int third = all.indexOf("HTTP/1.1", second + 1);
        // the HEAD response ends with its head: the third response follows at once
        assertThat(all.substring(second, third)).endsWith("\r\n\r\n").containsIgnoringCase("content-length: 5");
    }

    @Test
    void withKeepaliveTimeoutZeroANotFoundSaysCloseAndTheConnectionCloses() {
        client = ClientConnection.to("""
                client.keepalive-timeout = 0s
                upstreams.app { servers = [ { address = "10.0.0.1:80" } ] }
                servers = [ { listen = "127.0.0.1:80", locations = [ { path = "/app/", upstream = app } ] } ]
                """);
        client.send(get("/elsewhere"));
        String refused = client.received();
        client.runPending();
        // de0f31f said "Connection: keep-alive" here, then closed the connection
        assertThat(refused).startsWith("HTTP/1.1 404 Not Found\r\n").containsIgnoringCase("connection: close");
        assertThat(client.channel.isActive()).isFalse();
    }

    @Test
    void withKeepaliveTimeoutZeroAnErrorForAllServersDownSaysClose() {
        client = ClientConnection.toServers("client.keepalive-timeout = 0s", A);
        client.servers.refuse(A);
        client.send(get("/"));
        String r = client.received();
        client.runPending();
        // de0f31f said "Connection: keep-alive" here, then closed the connection
        assertThat(r).startsWith("HTTP/1.1 502 Bad Gateway\r\n").containsIgnoringCase("connection: close").doesNotContainIgnoringCase("keep-alive");
        assertThat(client.channel.isActive()).isFalse();
    }

    @Test
    void withKeepaliveTimeoutZeroAProxiedResponseSaysCloseToo() {
        client = ClientConnection.toServers("client.keepalive-timeout = 0s", A);
        client.send(get("/"));
        FakeConnector.Server s = client.servers.next();
        s.received();
        s.respond(OK);
        String r = client.received();
        client.runPending();
        assertThat(r).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("connection: close").endsWith("ok");
        assertThat(client.channel.isActive()).isFalse();
    }

    @Test
    void theLastRequestKeepaliveRequestsAllowsIsAnsweredWithClose() {
        client = ClientConnection.toServers("client.keepalive-requests = 2", A);
        client.servers.refuse(A);
        client.send(get("/1"));
        assertThat(client.received()).containsIgnoringCase("connection: keep-alive");
        client.send(get("/2"));
        assertThat(client.received()).containsIgnoringCase("connection: close");
        client.runPending();
        assertThat(client.channel.isActive()).isFalse();
    }

    @Test
    void anHttp10ClientIsKeptOnlyWhenItAsks() {
        client = ClientConnection.toServers("", A);
        client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        FakeConnector.Server s = client.servers.next();
        s.received();
        s.respond(OK);
        assertThat(client.received()).startsWith("HTTP/1.0 200 OK\r\n").containsIgnoringCase("connection: keep-alive");
        client.send("GET / HTTP/1.0\r\n\r\n");
        s = client.servers.next();
        s.received();
        s.respond(OK);
        assertThat(client.received()).startsWith("HTTP/1.0 200 OK\r\n").containsIgnoringCase("connection: close");
    }

    @Test
    void aServerClosingMidBodyLeavesTheClientWithATruncatedResponseAndNoCleanEnd() {
        client = ClientConnection.toServers("", A, B);
        client.send(get("/big"));
        FakeConnector.Server s = client.servers.next();
        s.received();
        s.respond("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        s.close();
        client.runPending();
        assertThat(client.received()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nabc");
        assertThat(client.channel.isActive()).isFalse();
        // no retry once a response byte reached the client
        assertThat(client.servers.nothingHandedOut()).isTrue();
    }

    @Test
    void aChunkedBodyCutByTheServerNeverGetsItsLastChunk() {
        client = ClientConnection.toServers("", A);
        client.send(get("/"));
        FakeConnector.Server s = client.servers.next();
        s.received();
        s.respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
        s.close();
        client.runPending();
        String r = client.received();
        assertThat(r).containsIgnoringCase("transfer-encoding: chunked").endsWith("3\r\nabc\r\n").doesNotContain("0\r\n\r\n");
        assertThat(client.channel.isActive()).isFalse();
    }

    @Test
    void aPooledConnectionTheServerClosedIsReplacedByANewOneToTheSameServer() {
        // one server, which a counted failure would take out (max-fails = 1): only the race rule can answer
        client = ClientConnection.toServers("", A);
        client.send(get("/1"));
        FakeConnector.Server s = client.servers.next();
        s.received();
        s.respond(OK);
        client.received();
        client.send(get("/2"));
        FakeConnector.Server reused = client.servers.next();
        assertThat(reused).isSameAs(s);
        reused.received();
        reused.close();
        FakeConnector.Server fresh = client.servers.next();
        assertThat(fresh).isNotSameAs(s);
        assertThat(client.servers.connects).as("the race is not the server's failure: the same server again")
                .containsExactly(A, A);
        assertThat(fresh.received()).startsWith("GET /2 ");
        fresh.respond(OK);
        assertThat(client.received()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("ok");
    }

    /**
     * A client buffer over its high-water mark pauses the server's reads and its flush drains it at once, as on epoll
     * and nio: the pause must come before the flush, or the writability event inside it is missed and the server
     * stays paused for good (6af0974).
     */
    @Test
    void aFullClientBufferPausesTheServerOnlyUntilTheFlushDrainsIt() {
        client = ClientConnection.toServers("", A);
        client.channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        client.send(get("/"));
        FakeConnector.Server s = client.servers.next();
        s.received();
        s.respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n" + "x".repeat(32) + "\r\n");
        assertThat(client.received()).endsWith("x".repeat(32) + "\r\n");
        assertThat(s.channel.config().isAutoRead()).isTrue();
        s.respond("0\r\n\r\n");
        assertThat(client.received()).endsWith("0\r\n\r\n");
    }

    @Test
    void aFullBufferInTheTunnelPausesTheOtherSideOnlyUntilTheFlushDrainsIt() {
        client = ClientConnection.toServers("", A);
        client.send("GET /ws HTTP/1.1\r\nHost: app\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        FakeConnector.Server s = client.servers.next();
        s.received();
        s.respond("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        client.received();
        client.channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        s.channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        s.respond("y".repeat(32));
        assertThat(client.received()).isEqualTo("y".repeat(32));
        assertThat(s.channel.config().isAutoRead()).isTrue();
        client.send("z".repeat(32));
        assertThat(s.received()).isEqualTo("z".repeat(32));
        assertThat(client.channel.config().isAutoRead()).isTrue();
    }

    @Test
    void aWebSocketUpgradeBecomesATunnelOfBytesBothWays() {
        client = ClientConnection.toServers("", A);
        client.send("GET /ws HTTP/1.1\r\nHost: app\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        FakeConnector.Server s = client.servers.next();
        assertThat(s.received()).containsIgnoringCase("upgrade: websocket").containsIgnoringCase("connection: upgrade");
        s.respond("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\nfrom server");
        assertThat(client.received()).startsWith("HTTP/1.1 101 Switching Protocols\r\n").endsWith("\r\n\r\nfrom server");
        client.send("GET / HTTP/1.1 is just bytes now");
        assertThat(s.received()).isEqualTo("GET / HTTP/1.1 is just bytes now");
        s.respond("HTTP/1.1 200 OK as well");
        assertThat(client.received()).isEqualTo("HTTP/1.1 200 OK as well");
        s.close();
        client.runPending();
        assertThat(client.channel.isActive()).isFalse();
        assertThat(client.servers.released).containsExactly(false);
    }

    @Test
    void aFailuresReasonNamesItsCausesEachOnce() {
        Exception pkix = new java.security.cert.CertificateException("PKIX path validation failed: "
                + "java.security.cert.CertPathValidatorException: Path does not chain with any of the trust anchors",
                new java.security.cert.CertPathValidatorException("Path does not chain with any of the trust anchors"));
        Exception boring = new javax.net.ssl.SSLHandshakeException("General OpenSslEngine problem");
        boring.initCause(pkix);
        assertThat(ProxyExchange.reason(boring)).isEqualTo("General OpenSslEngine problem: PKIX path validation failed: "
                + "java.security.cert.CertPathValidatorException: Path does not chain with any of the trust anchors");
        assertThat(ProxyExchange.reason(new java.net.ConnectException("Connection refused"))).isEqualTo("Connection refused");
        assertThat(ProxyExchange.reason(new java.io.IOException())).isEqualTo("IOException");
    }
}
