package io.netfence.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Readers look up while the writer fills a /44 with a few hundred routes and empties it again,
 * over and over, so that its blocks keep splitting into nodes and merging back into chunks at
 * every depth; meanwhile two nested routes A (/120) within B (/56) "dance" (add A, remove B, add
 * B, remove A, ...) in a neighbouring /44 whose fixed routes put B in a node's expanded slot and A
 * in a chunk below it. Every answer must be one the table had for that address at some moment:
 * fixed routes that nothing changes must always answer, and inside A only A or B may (never the
 * covering /40, which would mean a lookup combined two moments of the table).
 */
class Ipv6FibSplitMergeConcurrencyTest {
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);
    private static final int READERS = 2;

    private static final long X = 0x2001_0db8_aa00_0000L; // 2001:db8:aa00::/40
    private static final int COVER = 2;                   // next hop of X/40
    private static final int STEADY = 3;                  // a /100 in /44 #1
    private static final int DANCE_A = 77;
    private static final int DANCE_B = 88;
    private static final int FIRST_CHURN_HOP = 1000;

    record Route(long hi, long lo, int length) {
        boolean covers(long ahi, long alo) {
            return (ahi & Ipv6FibRandomizedTest.NaiveLpm6.hiMask(length)) == hi
                    && (alo & Ipv6FibRandomizedTest.NaiveLpm6.loMask(length)) == lo;
        }
    }

    private static long subBlock(int index) {
        return X | (long) index << 20; // /44 number index inside X
    }

    @Test
    @Timeout(60)
    void readersSeeOnlyValidAnswersWhileBlocksSplitAndMerge() throws Exception {
        Random random = new Random(2024);
        Ipv6Fib fib = new Ipv6Fib();
        fib.add(0x2001_0db8_0000_0000L, 0, 32, 1);
        fib.add(X, 0, 40, COVER);
        Route steady = new Route(subBlock(1) | 0x1234, 0x5678_0000_0000_0000L, 100);
        fib.add(steady.hi, steady.lo, steady.length, STEADY);

        // The dance in /44 #3: B = a /56, A = a /120 inside B, fixed fillers around both.
        Route b = new Route(subBlock(3) | 0x0500, 0, 56);
        Route a = new Route(b.hi | 0x42, 0x1111_2222_3333_4400L, 120);
        Set<Route> fixed = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            int length = 57 + random.nextInt(72);
            // Inside B but away from A (bit 60 of the address differs), or elsewhere in /44 #3.
            long hi = i % 2 == 0 ? (b.hi | (random.nextLong() & 0xFF)) ^ (a.hi & 0x8) ^ 0x8 : subBlock(3) | (random.nextLong() >>> 44 & 0x0FFFF) | 0x1000;
            long lo = random.nextLong();
            Route filler = new Route(hi & Ipv6FibRandomizedTest.NaiveLpm6.hiMask(length),
                    lo & Ipv6FibRandomizedTest.NaiveLpm6.loMask(length), length);
            if (filler.covers(a.hi, a.lo) || !fixed.add(filler)) {
                i--;
                continue;
            }
            fib.add(filler.hi, filler.lo, filler.length, 500 + i);
        }

        // The churn in /44 #0: nested and disjoint routes of lengths 45..128.
        List<Route> churn = new ArrayList<>();
        Set<Route> taken = new HashSet<>();
        while (churn.size() < 300) {
            int length = 45 + random.nextInt(84);
            long hi = subBlock(0) | (random.nextInt(4) == 0 ? random.nextLong() >>> 44 & 0xFF : random.nextLong() >>> 44);
            Route r = new Route(hi & Ipv6FibRandomizedTest.NaiveLpm6.hiMask(length),
                    random.nextLong() & Ipv6FibRandomizedTest.NaiveLpm6.loMask(length), length);
            if (taken.add(r)) {
                churn.add(r);
            }
        }

        // Probes and the answers each may ever see.
        List<long[]> probes = new ArrayList<>();
        List<int[]> acceptable = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            probes.add(new long[] {steady.hi, steady.lo | random.nextLong() >>> 36});
            acceptable.add(new int[] {STEADY});
            probes.add(new long[] {subBlock(2) | random.nextLong() >>> 44, random.nextLong()});
            acceptable.add(new int[] {COVER});
            probes.add(new long[] {a.hi, a.lo | random.nextInt(256)});
            acceptable.add(new int[] {DANCE_A, DANCE_B});
        }
        for (int i = 0; i < churn.size(); i++) {
            Route r = churn.get(i);
            long[] probe = {r.hi | random.nextLong() & ~Ipv6FibRandomizedTest.NaiveLpm6.hiMask(r.length),
                    r.lo | random.nextLong() & ~Ipv6FibRandomizedTest.NaiveLpm6.loMask(r.length)};
            TreeSet<Integer> answers = new TreeSet<>();
            answers.add(COVER);
            for (int j = 0; j < churn.size(); j++) {
                if (churn.get(j).covers(probe[0], probe[1])) {
                    answers.add(FIRST_CHURN_HOP + 2 * j);
                    answers.add(FIRST_CHURN_HOP + 2 * j + 1);
                }
            }
            probes.add(probe);
            acceptable.add(answers.stream().mapToInt(Integer::intValue).toArray());
        }
        long[] probeHis = probes.stream().mapToLong(p -> p[0]).toArray();
        long[] probeLos = probes.stream().mapToLong(p -> p[1]).toArray();

        fib.add(b.hi, b.lo, b.length, DANCE_B);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong checks = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        AtomicReference<Throwable> readerError = new AtomicReference<>();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            int offset = r * 11;
            Thread reader = new Thread(() -> {
                try {
                    long local = 0;
                    while (!stop.get()) {
                        for (int i = 0; i < probeHis.length; i++) {
                            int p = (i + offset) % probeHis.length;
                            int got = fib.lookup(probeHis[p], probeLos[p]);
                            if (Arrays.binarySearch(acceptable.get(p), got) < 0) {
                                failures.incrementAndGet();
                                firstFailure.compareAndSet(null, "probe " + p + " got " + got
                                        + " acceptable " + Arrays.toString(acceptable.get(p)));
                            }
                        }
                        local += probeHis.length;
                    }
                    checks.addAndGet(local);
                } catch (Throwable t) {
                    readerError.compareAndSet(null, t);
                }
            }, "fib6-reader-" + r);
            reader.start();
            readers.add(reader);
        }

        long rounds = 0;
        long deadline = System.nanoTime() + RUN_NANOS;
        int dance = 0;
        boolean aPresent = false;
        boolean bPresent = true;
        while (System.nanoTime() < deadline) {
            List<Integer> order = shuffled(churn.size(), random);
            for (int n = 0; n < order.size(); n++) {
                int i = order.get(n);
                Route r = churn.get(i);
                fib.add(r.hi, r.lo, r.length, FIRST_CHURN_HOP + 2 * i + random.nextInt(2));
                if (n % 8 == 0) {
                    switch (dance++ & 3) {
                        case 0 -> { fib.add(a.hi, a.lo, a.length, DANCE_A); aPresent = true; }
                        case 1 -> { assertTrue(fib.remove(b.hi, b.lo, b.length)); bPresent = false; }
                        case 2 -> { fib.add(b.hi, b.lo, b.length, DANCE_B); bPresent = true; }
                        default -> { assertTrue(fib.remove(a.hi, a.lo, a.length)); aPresent = false; }
                    }
                }
            }
            // A burst of back-to-back dance steps: a lookup that reads B's slot and A's chunk at two
            // moments more than one update apart would answer COVER.
            for (int n = 0; n < 4000; n++) {
                switch (dance++ & 3) {
                    case 0 -> { fib.add(a.hi, a.lo, a.length, DANCE_A); aPresent = true; }
                    case 1 -> { assertTrue(fib.remove(b.hi, b.lo, b.length)); bPresent = false; }
                    case 2 -> { fib.add(b.hi, b.lo, b.length, DANCE_B); bPresent = true; }
                    default -> { assertTrue(fib.remove(a.hi, a.lo, a.length)); aPresent = false; }
                }
            }
            for (int i : shuffled(churn.size(), random)) {
                Route r = churn.get(i);
                assertTrue(fib.remove(r.hi, r.lo, r.length));
            }
            rounds++;
        }
        stop.set(true);
        for (Thread reader : readers) {
            reader.join();
        }
        if (readerError.get() != null) {
            throw new AssertionError("a reader failed", readerError.get());
        }
        assertEquals(0, failures.get(), firstFailure.get());
        assertTrue(checks.get() > 100_000, "readers made only " + checks.get() + " lookups");
        assertTrue(rounds > 10, "writer made only " + rounds + " rounds");
        assertEquals(3 + fixed.size() + (aPresent ? 1 : 0) + (bPresent ? 1 : 0), fib.size());
        assertEquals(aPresent ? DANCE_A : DANCE_B, fib.lookup(a.hi, a.lo));
        assertEquals(COVER, fib.lookup(churn.get(0).hi, churn.get(0).lo));
    }

    private static List<Integer> shuffled(int n, Random random) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, random);
        return order;
    }
}
