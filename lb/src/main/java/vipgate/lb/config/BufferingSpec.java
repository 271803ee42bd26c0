package vipgate.lb.config;

import java.nio.file.Path;

/**
 * Response buffering (nginx proxy_buffering): a response is read from the server as fast as it comes, into
 * {@code memory} bytes and then a temporary file in {@code tempPath} of at most {@code maxTempFile} bytes, so a slow
 * client does not hold a server connection.
 */
public record BufferingSpec(boolean responses, long memory, long maxTempFile, Path tempPath) {
}
