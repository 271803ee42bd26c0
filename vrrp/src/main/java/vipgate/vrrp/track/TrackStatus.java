package vipgate.vrrp.track;

/** The verdict on one tracked object. */
public enum TrackStatus {
    /**
     * No verdict yet (a script that has not completed its first run), or a script refused for security:
     * counts neither way, as in keepalived.
     */
    UNKNOWN,
    OK,
    FAILED
}
