package vipgate.vrrp.state;

/** keepalived's instance states. INIT lasts until {@code start}; STOPPED is final. */
public enum State { INIT, BACKUP, MASTER, FAULT, STOPPED }
