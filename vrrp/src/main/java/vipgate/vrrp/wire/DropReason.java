package vipgate.vrrp.wire;

/**
 * Why a received VRRP payload was not taken as an advertisement. Each is a counter on the admin API and
 * a log line, so an operator can tell "packets arrive but are rejected" (wrong password, mismatched VIPs,
 * a duplicate VRID on the LAN) from "no packets arrive" (firewall, blocked multicast).
 */
public enum DropReason {
    /** Shorter than the 8-byte header, or than the header's address count requires. */
    TRUNCATED,
    /** Longer than the header's address count allows; keepalived never pads, so neither do we accept padding. */
    BAD_LENGTH,
    /** Version nibble is not the configured version (or v2 arrived over IPv6, which v2 does not define). */
    BAD_VERSION,
    /** Type is not 1 (ADVERTISEMENT). */
    BAD_TYPE,
    BAD_CHECKSUM,
    /** Multicast adverts must arrive with TTL / hop limit 255, proving they were not routed. */
    BAD_TTL,
    /** Multicast advert in unicast mode or the reverse (keepalived checks the destination kind). */
    BAD_DESTINATION,
    /** No local instance has this VRID on the receiving interface; decided by the engine, not the codec. */
    WRONG_VRID,
    /** v2 authentication type or PASS password differs from ours, or AH (not supported by keepalived 2.x either). */
    BAD_AUTH,
    /** v2 advert interval differs from ours, or a v3 interval of 0. */
    BAD_ADVERT_INTERVAL,
    /** Address count or set differs from our virtual addresses. */
    ADDRESS_MISMATCH,
    /** Arrived while too many adverts were still waiting to be processed (a flood); decided by the engine. */
    OVERLOAD
}
