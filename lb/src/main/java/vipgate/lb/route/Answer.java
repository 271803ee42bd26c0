package vipgate.lb.route;

/**
 * A response the proxy makes itself instead of proxying: a status with a body text (null: the standard page of an
 * error status, nothing otherwise) or a redirect's Location (a relative one is made absolute when sent).
 */
public record Answer(int status, String body, String location) {

    public static Answer status(int status) {
        return new Answer(status, null, null);
    }

    static Answer redirect(int status, String location) {
        return new Answer(status, null, location);
    }
}
