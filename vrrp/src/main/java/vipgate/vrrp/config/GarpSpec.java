package vipgate.vrrp.config;

import java.time.Duration;

/**
 * Gratuitous ARP / unsolicited NA settings (keepalived garp_master_repeat, garp_interval,
 * garp_master_delay, garp_master_refresh, garp_master_refresh_repeat).
 *
 * @param interval pause between two packets of a burst
 */
public record GarpSpec(int repeat, Duration interval, Duration masterDelay, Duration masterRefresh, int masterRefreshRepeat) {
}
