package vipgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** NoLeaks on example classes, run by a launcher of this test's own (nested, so the build does not run them). */
class NoLeaksTest {
    private static final Logger LEAK_LOG = Logger.getLogger(ResourceLeakDetector.class.getName());
    private static ResourceLeakDetector.Level level;

    /** Every buffer tracked; the leak made on purpose kept out of the build's output. */
    @BeforeAll
    static void trackEveryBufferQuietly() {
        level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        LEAK_LOG.setUseParentHandlers(false);
    }

    @AfterAll
    static void restore() {
        ResourceLeakDetector.setLevel(level);
        LEAK_LOG.setUseParentHandlers(true);
    }

    private static TestExecutionSummary run(Class<?> testClass) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(),
                listener);
        return listener.getSummary();
    }

    @ExtendWith(NoLeaks.class)
    static class LeakingClass {
        @Test
        void dropsABufferUnreleased() {
            ByteBufAllocator.DEFAULT.buffer(16).writeZero(16);
        }

        @Test
        void releasesItsBuffer() {
            ByteBufAllocator.DEFAULT.buffer(8).release();
        }
    }

    @ExtendWith(NoLeaks.class)
    static class CleanClass {
        @Test
        void releasesItsBuffer() {
            ByteBufAllocator.DEFAULT.buffer(8).release();
        }
    }

    @Test
    void aClassDuringWhichABufferLeakedFailsAfterItsTestsPassed() {
        TestExecutionSummary summary = run(LeakingClass.class);
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(summary.getFailures()).singleElement().satisfies(f -> {
            assertThat(f.getTestIdentifier().isContainer()).as("the class failed").isTrue();
            assertThat(f.getException()).hasMessageContaining("LEAK");
        });
    }

    @Test
    void aClassWithoutLeaksPasses() {
        TestExecutionSummary summary = run(CleanClass.class);
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getFailures()).isEmpty();
    }
}
