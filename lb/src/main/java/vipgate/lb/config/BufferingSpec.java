package vipgate.lb.config;

import java.nio.file.Path;

/**
 * Body buffering (nginx proxy_buffering, proxy_request_buffering): a response is read from the server as fast as it
 * comes, a request body from the client before a server is chosen, into {@code memory} bytes and then a temporary
 * file in {@code tempPath} of at most {@code maxTempFile} bytes, so a slow client does not hold a server connection.
 */
public record BufferingSpec(boolean responses, boolean requests, long memory, long maxTempFile, Path tempPath) {
}
