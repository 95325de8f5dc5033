package io.netfence.xfrm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Marks on disk: stored in order, confirmed once synced, and dropped for good by forget. */
class FileSequenceStoreTest {
    @TempDir
    Path dir;

    private static long reserve(FileSequenceStore store, String sa, long mark) throws InterruptedException {
        long[] stored = {-1};
        CountDownLatch done = new CountDownLatch(1);
        store.reserve(sa, mark, v -> {
            stored[0] = v;
            done.countDown();
        });
        assertTrue(done.await(5, TimeUnit.SECONDS), "the store answers");
        return stored[0];
    }

    @Test
    void aMarkIsConfirmedOnceOnDiskAndReadBack() throws Exception {
        try (FileSequenceStore store = new FileSequenceStore(dir)) {
            assertEquals(0, store.load("sa-in"), "nothing stored yet");
            assertEquals(42, reserve(store, "sa-in", 42));
            assertEquals(42, store.load("sa-in"));
        }
        try (FileSequenceStore store = new FileSequenceStore(dir)) {
            assertEquals(42, store.load("sa-in"), "kept across a restart");
        }
    }

    @Test
    void forgetDropsTheMarkAtOnceAndEarlierReservationsDoNotBringItBack() throws Exception {
        try (FileSequenceStore store = new FileSequenceStore(dir)) {
            assertEquals(7, reserve(store, "sa-in", 7));
            // Queued before the forget: skipped, however the writer and this thread interleave.
            for (int i = 0; i < 50; i++) {
                store.reserve("sa-in", 100 + i, v -> { });
            }
            store.forget("sa-in");
            assertEquals(0, store.load("sa-in"), "gone for whoever loads it next");
            // A reservation after the forget is a new SA's: it is written.
            assertEquals(9, reserve(store, "sa-in", 9));
            assertEquals(9, store.load("sa-in"));
            store.forget("sa-in");
            assertEquals(1, reserve(store, "other-in", 1), "the writer went past the forget");
            assertFalse(Files.exists(dir.resolve("sa-in.seq")));
        }
    }

    @Test
    void aNameThatIsNotASafeFileNameIsRefused() {
        try (FileSequenceStore store = new FileSequenceStore(dir)) {
            assertThrows(IllegalArgumentException.class, () -> store.forget("../x"));
            assertThrows(IllegalArgumentException.class, () -> store.load("a/b"));
        }
    }
}
