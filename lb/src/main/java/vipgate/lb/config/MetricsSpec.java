package vipgate.lb.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How latency is reported ({@code vipgate.lb.metrics}).
 *
 * @param interval the window of the percentile gauges and of each .hlog entry
 * @param hlogPath the .hlog file, empty when none is written
 * @param hlogRotateEvery how long one file collects before it is rotated to {@code NAME.1}
 * @param hlogKeep how many rotated files are kept
 */
public record MetricsSpec(Duration interval, Optional<Path> hlogPath, Duration hlogRotateEvery, int hlogKeep) {
}
