package vipgate.lb.config;

import java.time.Duration;

/** Limits and timeouts applied to client connections. */
public record ClientSpec(Duration headerTimeout, Duration bodyTimeout, Duration keepaliveTimeout,
        int keepaliveRequests, int maxUri, int maxHeaderSize, int maxHeaders, long maxBodySize, Duration sendTimeout,
        boolean underscoresInHeaders) {
}
