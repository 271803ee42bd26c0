package vipgate.ipvs.netlink;

/** The IPVS generic netlink commands (IPVS_CMD_*), numbered as in include/uapi/linux/ip_vs.h. */
public enum Command {
    NEW_SERVICE(1), SET_SERVICE(2), DEL_SERVICE(3), GET_SERVICE(4),
    NEW_DEST(5), SET_DEST(6), DEL_DEST(7), GET_DEST(8),
    NEW_DAEMON(9), DEL_DAEMON(10), GET_DAEMON(11),
    SET_CONFIG(12), GET_CONFIG(13), SET_INFO(14), GET_INFO(15),
    ZERO(16), FLUSH(17);

    private final int code;

    Command(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
