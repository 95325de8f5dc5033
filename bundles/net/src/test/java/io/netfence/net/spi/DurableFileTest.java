package io.netfence.net.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** awaitIdle: returns once the change pending or being written is on disk. */
class DurableFileTest {
    @Test
    void awaitIdleWaitsForTheWriteUnderWay(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("x.conf");
        CountDownLatch release = new CountDownLatch(1);
        try (DurableFile f = new DurableFile(path, "# test", false, () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of("a", "b");
        }, org.slf4j.helpers.NOPLogger.NOP_LOGGER)) {
            assertTrue(f.awaitIdle(1000), "nothing pending");
            f.changed();
            assertFalse(f.awaitIdle(300), "the snapshot is held back");
            release.countDown();
            assertTrue(f.awaitIdle(10_000));
            assertEquals(List.of("a", "b"), DurableFile.readLines(path));
        }
    }
}
