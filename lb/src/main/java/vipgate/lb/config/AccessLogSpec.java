package vipgate.lb.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code vipgate.lb.access-log}: where the access log goes (empty = no log), the format's text (already resolved
 * from {@code log-formats}), how many bytes of lines may wait for the disk, and how long they may wait at most.
 */
public record AccessLogSpec(Optional<Path> path, String format, long buffer, Duration flush) {
}
