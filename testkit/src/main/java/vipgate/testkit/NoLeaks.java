package vipgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@code @ExtendWith(NoLeaks.class)}: fails the test class when Netty reported a buffer leak while it ran (see
 * {@link LeakCheck}). Leak reports are collected from before the class's {@code @BeforeAll} methods until after its
 * {@code @AfterAll} methods, so whatever those start and close is covered as well as every test.
 */
public final class NoLeaks implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoLeaks.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put(LeakCheck.class, new LeakCheck());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try (LeakCheck leaks = context.getStore(NAMESPACE).remove(LeakCheck.class, LeakCheck.class)) {
            assertThat(leaks.leaks()).as("Netty buffer leaks reported during " + context.getDisplayName()).isEmpty();
        }
    }
}
