package vipgate.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import vipgate.lb.config.NextUpstreamSpec;
import vipgate.lb.config.NextUpstreamSpec.RetryOn;
import vipgate.lb.metrics.UpstreamFailure;
import vipgate.lb.proxy.UpstreamAttempt.Failure;
import vipgate.balance.Selection;

class RetryRulesTest {
    private static final NextUpstreamSpec DEFAULT = new NextUpstreamSpec(Set.of(RetryOn.ERROR, RetryOn.TIMEOUT), 0,
            Duration.ZERO, false);

    @Test
    void failuresMeetNginxsConditionsAndCountAsTheirKind() {
        assertThat(RetryRules.condition(Failure.CONNECT)).isEqualTo(RetryOn.ERROR);
        assertThat(RetryRules.condition(Failure.CLOSED)).isEqualTo(RetryOn.ERROR);
        assertThat(RetryRules.condition(Failure.RESET)).isEqualTo(RetryOn.ERROR);
        assertThat(RetryRules.condition(Failure.CONNECT_TIMEOUT)).isEqualTo(RetryOn.TIMEOUT);
        assertThat(RetryRules.condition(Failure.READ_TIMEOUT)).isEqualTo(RetryOn.TIMEOUT);
        assertThat(RetryRules.condition(Failure.SEND_TIMEOUT)).isEqualTo(RetryOn.TIMEOUT);
        assertThat(RetryRules.condition(Failure.INVALID_RESPONSE)).isEqualTo(RetryOn.INVALID_HEADER);
        assertThat(RetryRules.counted(Failure.CONNECT)).isEqualTo(UpstreamFailure.CONNECT);
        assertThat(RetryRules.counted(Failure.READ_TIMEOUT)).isEqualTo(UpstreamFailure.TIMEOUT);
        assertThat(RetryRules.counted(Failure.RESET)).isEqualTo(UpstreamFailure.CLOSED);
        assertThat(RetryRules.counted(Failure.INVALID_RESPONSE)).isEqualTo(UpstreamFailure.INVALID_RESPONSE);
        assertThat(RetryRules.condition(Failure.TLS)).isEqualTo(RetryOn.ERROR);
        assertThat(RetryRules.counted(Failure.TLS)).isEqualTo(UpstreamFailure.TLS);
    }

    @Test
    void aFailedHandshakeIsATlsFailureAndOneThatTimedOutAConnectTimeout() {
        assertThat(UpstreamAttempt.connectFailure(new javax.net.ssl.SSLHandshakeException("PKIX path building failed")))
                .isEqualTo(Failure.TLS);
        assertThat(UpstreamAttempt.connectFailure(new io.netty.handler.ssl.SslHandshakeTimeoutException("handshake timed out")))
                .isEqualTo(Failure.CONNECT_TIMEOUT);
        assertThat(UpstreamAttempt.connectFailure(new io.netty.channel.ConnectTimeoutException())).isEqualTo(Failure.CONNECT_TIMEOUT);
        assertThat(UpstreamAttempt.connectFailure(new java.net.ConnectException("refused"))).isEqualTo(Failure.CONNECT);
    }

    @Test
    void statusesAreConditionsOnlyForTheOnesNginxRetries() {
        assertThat(RetryRules.condition(502)).isEqualTo(RetryOn.HTTP_502);
        assertThat(RetryRules.condition(429)).isEqualTo(RetryOn.HTTP_429);
        assertThat(RetryRules.condition(404)).isNull();
        assertThat(RetryRules.condition(200)).isNull();
    }

    @Test
    void onlyTheConfiguredConditionsRetry() {
        assertThat(RetryRules.mayRetry(DEFAULT, RetryOn.ERROR, false, true, false, true, 0)).isTrue();
        assertThat(RetryRules.mayRetry(DEFAULT, RetryOn.HTTP_502, true, true, false, true, 0)).isFalse();
        assertThat(RetryRules.mayRetry(DEFAULT, RetryOn.INVALID_HEADER, true, true, false, true, 0)).isFalse();
    }

    @Test
    void aSentRequestIsRetriedOnlyWhenIdempotentOrAllowed() {
        assertThat(RetryRules.mayRetry(DEFAULT, RetryOn.ERROR, true, true, false, true, 0)).isTrue();
        assertThat(RetryRules.mayRetry(DEFAULT, RetryOn.ERROR, true, false, false, true, 0)).isFalse();
        assertThat(RetryRules.mayRetry(DEFAULT, RetryOn.ERROR, false, false, false, true, 0))
                .as("a POST that never reached the server").isTrue();
        NextUpstreamSpec nonIdempotent = new NextUpstreamSpec(DEFAULT.on(), 0, Duration.ZERO, true);
        assertThat(RetryRules.mayRetry(nonIdempotent, RetryOn.ERROR, true, false, false, true, 0)).isTrue();
    }

    @Test
    void aDroppedBodyNoTriesLeftOrTheTimeoutStopRetries() {
        assertThat(RetryRules.mayRetry(DEFAULT, RetryOn.ERROR, false, true, true, true, 0)).isFalse();
        assertThat(RetryRules.mayRetry(DEFAULT, RetryOn.ERROR, false, true, false, false, 0)).isFalse();
        NextUpstreamSpec within = new NextUpstreamSpec(DEFAULT.on(), 0, Duration.ofSeconds(1), false);
        assertThat(RetryRules.mayRetry(within, RetryOn.ERROR, false, true, false, true, Duration.ofMillis(999).toNanos())).isTrue();
        assertThat(RetryRules.mayRetry(within, RetryOn.ERROR, false, true, false, true, Duration.ofSeconds(1).toNanos())).isFalse();
    }

    @Test
    void aReusedConnectionClosedBeforeAnyResponseIsARaceNotAFailure() {
        assertThat(RetryRules.staleConnection(Failure.CLOSED, true, DEFAULT, true, false)).isTrue();
        assertThat(RetryRules.staleConnection(Failure.RESET, true, DEFAULT, true, false)).isTrue();
        assertThat(RetryRules.staleConnection(Failure.CLOSED, false, DEFAULT, true, false)).as("a new connection").isFalse();
        assertThat(RetryRules.staleConnection(Failure.READ_TIMEOUT, true, DEFAULT, true, false)).isFalse();
        assertThat(RetryRules.staleConnection(Failure.CLOSED, true, DEFAULT, false, false)).as("a POST").isFalse();
        assertThat(RetryRules.staleConnection(Failure.CLOSED, true, DEFAULT, true, true)).as("body dropped").isFalse();
    }

    @Test
    void whatTheClientIsAnswered() {
        assertThat(RetryRules.status(RetryOn.TIMEOUT)).isEqualTo(HttpResponseStatus.GATEWAY_TIMEOUT);
        assertThat(RetryRules.status(RetryOn.ERROR)).isEqualTo(HttpResponseStatus.BAD_GATEWAY);
        assertThat(RetryRules.loggedStatus(RetryOn.TIMEOUT)).isEqualTo(504);
        assertThat(RetryRules.noServer(Selection.Outcome.ALL_BUSY, RetryOn.TIMEOUT)).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(RetryRules.noServer(Selection.Outcome.NO_LIVE, RetryOn.TIMEOUT)).isEqualTo(HttpResponseStatus.GATEWAY_TIMEOUT);
        assertThat(RetryRules.noServer(Selection.Outcome.NO_LIVE, RetryOn.HTTP_503)).isEqualTo(HttpResponseStatus.BAD_GATEWAY);
        assertThat(RetryRules.noServer(Selection.Outcome.NO_LIVE, null)).isEqualTo(HttpResponseStatus.BAD_GATEWAY);
    }
}
