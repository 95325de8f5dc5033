package io.netfence.xfrm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.xfrm.api.OutboundSequence;
import io.netfence.xfrm.api.SequenceStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An outbound sequence number (and so an AEAD nonce) is never used twice, not even across a crash:
 * a child JVM sends as fast as it can and is killed with SIGKILL; the next one resumes above every
 * number the first could have used.
 */
class SequenceCrashTest {
    @TempDir
    Path dir;

    /** The child: numbers as fast as the store allows, each printed once used. */
    public static void main(String[] args) throws Exception {
        FileSequenceStore store = new FileSequenceStore(Path.of(args[0]));
        OutboundSequence seq = new OutboundSequence(false, 0, store, "sa-1", Long.parseLong(args[1]));
        StringBuilder sb = new StringBuilder();
        while (true) {
            long n = seq.next();
            if (n > 0) {
                sb.setLength(0);
                System.out.println(sb.append(n));
            }
        }
    }

    private Process child(long block) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), SequenceCrashTest.class.getName(),
                dir.toString(), Long.toString(block)).redirectErrorStream(true).start();
    }

    /** Reads numbers until {@code count} arrived, then kills the child without warning; returns them. */
    private List<Long> runAndKill(long block, int count) throws Exception {
        Process p = child(block);
        List<Long> seen = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (seen.size() < count && (line = r.readLine()) != null) {
                seen.add(Long.parseLong(line.strip()));
            }
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, a crash
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        }
        return seen;
    }

    @Test
    void aKilledSenderNeverReusesANumber() throws Exception {
        long max = 0;
        for (int run = 0; run < 3; run++) {
            List<Long> seen = runAndKill(1000, 20_000);
            assertEquals(20_000, seen.size(), "the child ran");
            assertTrue(seen.getFirst() > max, "run " + run + " starts at " + seen.getFirst() + ", above " + max + " used before the crash");
            for (int i = 1; i < seen.size(); i++) {
                assertEquals(seen.get(i - 1) + 1, seen.get(i), "consecutive within a run");
            }
            max = seen.getLast();
        }
    }

    @Test
    void numbersBeyondTheStoredMarkAreRefusedNotUsed() {
        // A store that confirms only when told: the sequence may not outrun it.
        List<Runnable> pending = new ArrayList<>();
        Map<String, Long> disk = new HashMap<>();
        SequenceStore slow = new SequenceStore() {
            @Override
            public long load(String sa) {
                return disk.getOrDefault(sa, 0L);
            }

            @Override
            public void reserve(String sa, long mark, LongConsumer done) {
                pending.add(() -> {
                    disk.put(sa, mark);
                    done.accept(mark);
                });
            }
        };
        OutboundSequence s = new OutboundSequence(false, 0, slow, "sa", 100);
        assertEquals(OutboundSequence.NOT_DURABLE, s.next(), "nothing stored yet: nothing sent");
        pending.removeFirst().run();
        for (int i = 1; i <= 50; i++) {
            assertEquals(i, s.next());
        }
        assertEquals(0, pending.size());
        assertEquals(51, s.next(), "past half the block: the next block is asked for, ahead of need");
        assertEquals(1, pending.size());
        for (int i = 52; i <= 100; i++) {
            assertEquals(i, s.next());
        }
        assertEquals(OutboundSequence.NOT_DURABLE, s.next(), "the disk is behind: refuse rather than risk a reuse");
        pending.removeFirst().run();
        assertEquals(101, s.next(), "the refused call used no number");
        OutboundSequence resumed = new OutboundSequence(false, 0, slow, "sa", 100);
        pending.clear();
        assertEquals(OutboundSequence.NOT_DURABLE, resumed.next());
        assertEquals(200, resumed.durable(), "after a restart: above everything that may have been used");
    }
}
