package vipgate.testkit;

/** Tearing down what a test started. */
public final class Cleanup {
    private Cleanup() {
    }

    /**
     * Closes {@code resources} in order, skipping nulls (what a failed set-up never started). Each one is closed even
     * when an earlier one failed; the first failure is then thrown, with the later ones suppressed in it.
     */
    public static void close(AutoCloseable... resources) {
        Throwable first = null;
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception | AssertionError e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first instanceof RuntimeException e) {
            throw e;
        }
        if (first instanceof AssertionError e) {
            throw e;
        }
        if (first != null) {
            throw new IllegalStateException("closing failed", first);
        }
    }
}
