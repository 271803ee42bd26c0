package vipgate.ipvs.netlink;

/**
 * GET_INFO: the IPVS version (0x010201 = 1.2.1) and the size of the connection hash table, both shown in the
 * first line of {@code ipvsadm -Ln}.
 */
public record Info(int version, int connectionTableSize) {
    /** {@code 1.2.1}. */
    public String versionString() {
        return ((version >> 16) & 0xff) + "." + ((version >> 8) & 0xff) + "." + (version & 0xff);
    }
}
