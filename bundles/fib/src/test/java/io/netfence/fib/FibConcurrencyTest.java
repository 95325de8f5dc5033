package io.netfence.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Readers look up continuously while one writer adds, replaces and removes routes. Every answer
 * must be one the table could have given that address at some point of the test: the best
 * fixed route, or a next hop of a changing route longer than it. A "dance" of two nested
 * routes A within B within a fixed C (add A, remove B, add B, remove A, ...) makes C never a
 * correct answer, which catches a lookup that combines two different moments of the table.
 */
class FibConcurrencyTest {
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);
    private static final int READERS = 2;

    /** Route i can carry next hop FIRST_HOP + 2i or FIRST_HOP + 2i + 1. */
    private static final int FIRST_HOP = 1000;
    private static final int DANCE_A = 77;
    private static final int DANCE_B = 88;
    private static final int DANCE_C = 99;

    /** One family's table, seen through route and probe indexes. */
    private interface Subject {
        int routes();

        void add(int route, int nextHop);

        boolean remove(int route);

        void danceAdd(boolean a);

        void danceRemove(boolean a);

        int probes();

        int lookup(int probe);

        /** Brute force over the fixed routes plus the changing routes with their current next hop (-1 = absent). */
        int expected(int probe, int[] current, boolean aPresent, boolean bPresent);

        /** Sorted next hops that are acceptable for the probe at any moment of the test. */
        int[] acceptable(int probe);
    }

    @Test
    @Timeout(60)
    void ipv4ReadersOnlySeeValidAnswers() throws Exception {
        hammer(new Ipv4Subject(new Random(42)), new Random(7));
    }

    @Test
    @Timeout(60)
    void ipv6ReadersOnlySeeValidAnswers() throws Exception {
        hammer(new Ipv6Subject(new Random(43)), new Random(8));
    }

    private static void hammer(Subject subject, Random random) throws Exception {
        int routes = subject.routes();
        int probes = subject.probes();
        int[][] acceptable = new int[probes][];
        for (int p = 0; p < probes; p++) {
            acceptable[p] = subject.acceptable(p);
        }
        AtomicLong checks = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        AtomicReference<Throwable> readerError = new AtomicReference<>();
        // The dance starts with B present, before any reader looks.
        subject.danceAdd(false);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            int offset = r * 7;
            Thread reader = new Thread(() -> {
                try {
                    long local = 0;
                    while (!stop.get()) {
                        for (int i = 0; i < probes; i++) {
                            int p = (i + offset) % probes;
                            int got = subject.lookup(p);
                            if (Arrays.binarySearch(acceptable[p], got) < 0) {
                                failures.incrementAndGet();
                                firstFailure.compareAndSet(null, "probe " + p + " got " + got
                                        + " acceptable " + Arrays.toString(acceptable[p]));
                            }
                        }
                        local += probes;
                    }
                    checks.addAndGet(local);
                } catch (Throwable t) {
                    readerError.compareAndSet(null, t);
                }
            }, "fib-reader-" + r);
            reader.start();
            readers.add(reader);
        }

        int[] current = new int[routes];
        Arrays.fill(current, -1);
        boolean aPresent = false;
        boolean bPresent = true;
        long writes = 0;
        long deadline = System.nanoTime() + RUN_NANOS;
        int dance = 0;
        while (System.nanoTime() < deadline) {
            int operation = random.nextInt(100);
            if (operation < 2) {
                // Bulk phase: everything in, in random order, then a random half out.
                for (int route : shuffled(routes, random)) {
                    current[route] = FIRST_HOP + 2 * route + random.nextInt(2);
                    subject.add(route, current[route]);
                }
                for (int route : shuffled(routes, random)) {
                    if (random.nextBoolean()) {
                        assertTrue(subject.remove(route));
                        current[route] = -1;
                    }
                }
                writes += routes * 2L;
            } else {
                int route = random.nextInt(routes);
                if (operation < 60) {
                    current[route] = FIRST_HOP + 2 * route + random.nextInt(2);
                    subject.add(route, current[route]);
                } else {
                    assertEquals(current[route] >= 0, subject.remove(route));
                    current[route] = -1;
                }
                writes++;
            }
            switch (dance++ & 3) {
                case 0 -> { subject.danceAdd(true); aPresent = true; }
                case 1 -> { subject.danceRemove(false); bPresent = false; }
                case 2 -> { subject.danceAdd(false); bPresent = true; }
                default -> { subject.danceRemove(true); aPresent = false; }
            }
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
        assertTrue(writes > 1_000, "writer made only " + writes + " updates");
        for (int p = 0; p < probes; p++) {
            assertEquals(subject.expected(p, current, aPresent, bPresent), subject.lookup(p), "final state, probe " + p);
        }
    }

    private static int[] shuffled(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static int[] sorted(TreeSet<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    // ------------------------------------------------------------------ IPv4

    private static final class Ipv4Subject implements Subject {
        // Fixed routes (prefix, length, next hop); no default route, so NO_ROUTE is sometimes right.
        private final int[][] fixed = {
                {Ipv4FibTest.ip(10, 0, 0, 0), 8, 1}, {Ipv4FibTest.ip(10, 1, 0, 0), 16, 2},
                {Ipv4FibTest.ip(10, 1, 2, 0), 24, 3}, {Ipv4FibTest.ip(192, 168, 0, 0), 16, 4},
                {Ipv4FibTest.ip(99, 0, 0, 0), 8, DANCE_C}};
        // The dance: A = 99.1.2.0/25 inside B = 99.1.0.0/16 inside C = 99.0.0.0/8.
        private final int[] danceA = {Ipv4FibTest.ip(99, 1, 2, 0), 25};
        private final int[] danceB = {Ipv4FibTest.ip(99, 1, 0, 0), 16};
        private final int[] prefixes;
        private final int[] lengths;
        private final int[] probeAddresses;
        private final Ipv4Fib fib = new Ipv4Fib();

        Ipv4Subject(Random random) {
            int[] bases = {Ipv4FibTest.ip(10, 1, 2, 0), Ipv4FibTest.ip(10, 7, 0, 0), Ipv4FibTest.ip(192, 168, 3, 0),
                    Ipv4FibTest.ip(172, 16, 0, 0), Ipv4FibTest.ip(20, 0, 0, 0), Ipv4FibTest.ip(200, 1, 1, 0)};
            int n = 400;
            prefixes = new int[n];
            lengths = new int[n];
            // Distinct routes, none equal to a fixed one.
            Set<Long> taken = new HashSet<>();
            for (int[] route : fixed) {
                taken.add((route[0] & 0xFFFF_FFFFL) << 6 | route[1]);
            }
            for (int i = 0; i < n; i++) {
                int length;
                int pick = random.nextInt(10);
                length = pick < 5 ? 25 + random.nextInt(8) : pick < 9 ? 9 + random.nextInt(16) : random.nextInt(9);
                int base = bases[random.nextInt(bases.length)];
                // Spread routes longer than /24 over many /24s so that groups are created, freed and reused.
                int address = base ^ (random.nextInt(1 << 12) << 4) ^ random.nextInt(16);
                int mask = length == 0 ? 0 : -1 << (32 - length);
                if (overlapsDance(address & mask, length) || !taken.add((address & mask & 0xFFFF_FFFFL) << 6 | length)) {
                    i--;
                    continue;
                }
                prefixes[i] = address & mask;
                lengths[i] = length;
            }
            for (int[] route : fixed) {
                fib.add(route[0], route[1], route[2]);
            }
            List<Integer> probeList = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int hostMask = lengths[i] == 32 ? 0 : -1 >>> lengths[i];
                probeList.add(prefixes[i] | (random.nextInt() & hostMask));
            }
            for (int i = 0; i < 32; i++) {
                probeList.add(danceA[0] | random.nextInt(128));
            }
            for (int i = 0; i < 32; i++) {
                probeList.add(random.nextInt());
            }
            probeAddresses = probeList.stream().mapToInt(Integer::intValue).toArray();
        }

        private boolean overlapsDance(int prefix, int length) {
            return covers(prefix, length, DANCE_REGION, 8) || covers(DANCE_REGION, 8, prefix, length);
        }

        private static final int DANCE_REGION = Ipv4FibTest.ip(99, 0, 0, 0);

        private static boolean covers(int prefix, int length, int address, int addressLength) {
            if (length > addressLength) {
                return false;
            }
            int mask = length == 0 ? 0 : -1 << (32 - length);
            return (address & mask) == prefix;
        }

        @Override public int routes() {
            return prefixes.length;
        }

        @Override public void add(int route, int nextHop) {
            fib.add(prefixes[route], lengths[route], nextHop);
        }

        @Override public boolean remove(int route) {
            return fib.remove(prefixes[route], lengths[route]);
        }

        @Override public void danceAdd(boolean a) {
            int[] route = a ? danceA : danceB;
            fib.add(route[0], route[1], a ? DANCE_A : DANCE_B);
        }

        @Override public void danceRemove(boolean a) {
            int[] route = a ? danceA : danceB;
            assertTrue(fib.remove(route[0], route[1]));
        }

        @Override public int probes() {
            return probeAddresses.length;
        }

        @Override public int lookup(int probe) {
            return fib.lookup(probeAddresses[probe]);
        }

        private int fixedBest(int address, int[] bestLength) {
            int best = Ipv4Fib.NO_ROUTE;
            bestLength[0] = -1;
            for (int[] route : fixed) {
                if (covers(route[0], route[1], address, 32) && route[1] > bestLength[0]) {
                    bestLength[0] = route[1];
                    best = route[2];
                }
            }
            return best;
        }

        @Override public int expected(int probe, int[] current, boolean aPresent, boolean bPresent) {
            int address = probeAddresses[probe];
            int[] bestLength = new int[1];
            int best = fixedBest(address, bestLength);
            for (int i = 0; i < prefixes.length; i++) {
                if (current[i] >= 0 && covers(prefixes[i], lengths[i], address, 32) && lengths[i] > bestLength[0]) {
                    bestLength[0] = lengths[i];
                    best = current[i];
                }
            }
            if (bPresent && covers(danceB[0], danceB[1], address, 32) && danceB[1] > bestLength[0]) {
                bestLength[0] = danceB[1];
                best = DANCE_B;
            }
            if (aPresent && covers(danceA[0], danceA[1], address, 32) && danceA[1] > bestLength[0]) {
                best = DANCE_A;
            }
            return best;
        }

        @Override public int[] acceptable(int probe) {
            int address = probeAddresses[probe];
            TreeSet<Integer> answers = new TreeSet<>();
            if (covers(danceA[0], danceA[1], address, 32)) {
                answers.add(DANCE_A);
                answers.add(DANCE_B);
                return sorted(answers);
            }
            if (covers(danceB[0], danceB[1], address, 32)) {
                answers.add(DANCE_B);
                answers.add(DANCE_C);
                return sorted(answers);
            }
            int[] bestLength = new int[1];
            answers.add(fixedBest(address, bestLength));
            for (int i = 0; i < prefixes.length; i++) {
                if (covers(prefixes[i], lengths[i], address, 32) && lengths[i] > bestLength[0]) {
                    answers.add(FIRST_HOP + 2 * i);
                    answers.add(FIRST_HOP + 2 * i + 1);
                }
            }
            return sorted(answers);
        }
    }

    // ------------------------------------------------------------------ IPv6

    private static final class Ipv6Subject implements Subject {
        private static final long DOC = 0x2001_0db8_0000_0000L;
        // Fixed routes {hi, lo, length, nextHop}: a /3 (directory entries), the documentation /32, a /48.
        private final long[][] fixed = {
                {0x2000_0000_0000_0000L, 0, 3, 1}, {DOC, 0, 32, 2}, {DOC | 0x0001_0000L, 0, 48, 3},
                {0x3000_0000_0000_0000L, 0, 8, DANCE_C}};
        // Two dances inside C = 3000::/8: one within a /16 (A /64 in B /48) and one across the
        // directory (A /64 in B /16), where B lives in the short-route entry.
        private final long[][] danceA = {{0x30aa_0000_0001_0001L, 0, 64}, {0x30bb_0000_0000_0001L, 0, 64}};
        private final long[][] danceB = {{0x30aa_0000_0001_0000L, 0, 48}, {0x30bb_0000_0000_0000L, 0, 16}};
        private final long[] his;
        private final long[] los;
        private final int[] lengths;
        private final long[] probeHis;
        private final long[] probeLos;
        private final Ipv6Fib fib = new Ipv6Fib();

        Ipv6Subject(Random random) {
            long[] bases = {DOC, DOC | 0x0001_0000L, 0x2001_0db9_0000_0000L, 0x2400_cb00_0000_0000L,
                    0x2a00_1450_4000_0000L, 0xfd00_0000_0000_0000L};
            int n = 600;
            his = new long[n];
            lengths = new int[n];
            los = new long[n];
            // Distinct routes, none equal to a fixed one.
            Set<List<Long>> taken = new HashSet<>();
            for (long[] route : fixed) {
                taken.add(List.of(route[0], route[1], route[2]));
            }
            for (int i = 0; i < n; i++) {
                int pick = random.nextInt(10);
                int length = pick < 3 ? 48 + random.nextInt(17) : pick < 5 ? 65 + random.nextInt(64)
                        : pick < 8 ? 17 + random.nextInt(31) : random.nextInt(17);
                long hi = bases[random.nextInt(bases.length)] ^ (random.nextLong() >>> 36) ^ ((long) random.nextInt(4) << 44);
                long lo = random.nextLong();
                long hiMask = Ipv6FibTest.Reference6.hiMask(length);
                long loMask = Ipv6FibTest.Reference6.loMask(length);
                if (covers(hi & hiMask, lo & loMask, length, 0x3000_0000_0000_0000L, 0, 8)
                        || covers(0x3000_0000_0000_0000L, 0, 8, hi & hiMask, lo & loMask, length)
                        || !taken.add(List.of(hi & hiMask, lo & loMask, (long) length))) {
                    i--;
                    continue;
                }
                his[i] = hi & hiMask;
                los[i] = lo & loMask;
                lengths[i] = length;
            }
            for (long[] route : fixed) {
                fib.add(route[0], route[1], (int) route[2], (int) route[3]);
            }
            List<long[]> probeList = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long hiMask = Ipv6FibTest.Reference6.hiMask(lengths[i]);
                long loMask = Ipv6FibTest.Reference6.loMask(lengths[i]);
                probeList.add(new long[] {his[i] | (random.nextLong() & ~hiMask), los[i] | (random.nextLong() & ~loMask)});
            }
            for (long[] a : danceA) {
                for (int i = 0; i < 16; i++) {
                    probeList.add(new long[] {a[0], random.nextLong()});
                }
            }
            for (int i = 0; i < 32; i++) {
                probeList.add(new long[] {random.nextLong(), random.nextLong()});
            }
            probeHis = probeList.stream().mapToLong(a -> a[0]).toArray();
            probeLos = probeList.stream().mapToLong(a -> a[1]).toArray();
        }

        private static boolean covers(long hi, long lo, long length, long addressHi, long addressLo, long addressLength) {
            if (length > addressLength) {
                return false;
            }
            int l = (int) length;
            return (addressHi & Ipv6FibTest.Reference6.hiMask(l)) == hi && (addressLo & Ipv6FibTest.Reference6.loMask(l)) == lo;
        }

        @Override public int routes() {
            return his.length;
        }

        @Override public void add(int route, int nextHop) {
            fib.add(his[route], los[route], lengths[route], nextHop);
        }

        @Override public boolean remove(int route) {
            return fib.remove(his[route], los[route], lengths[route]);
        }

        @Override public void danceAdd(boolean a) {
            for (long[] route : a ? danceA : danceB) {
                fib.add(route[0], route[1], (int) route[2], a ? DANCE_A : DANCE_B);
            }
        }

        @Override public void danceRemove(boolean a) {
            for (long[] route : a ? danceA : danceB) {
                assertTrue(fib.remove(route[0], route[1], (int) route[2]));
            }
        }

        @Override public int probes() {
            return probeHis.length;
        }

        @Override public int lookup(int probe) {
            return fib.lookup(probeHis[probe], probeLos[probe]);
        }

        private boolean coversProbe(long[] route, int probe) {
            return covers(route[0], route[1], route[2], probeHis[probe], probeLos[probe], 128);
        }

        private int fixedBest(int probe, int[] bestLength) {
            int best = Ipv6Fib.NO_ROUTE;
            bestLength[0] = -1;
            for (long[] route : fixed) {
                if (coversProbe(route, probe) && route[2] > bestLength[0]) {
                    bestLength[0] = (int) route[2];
                    best = (int) route[3];
                }
            }
            return best;
        }

        @Override public int expected(int probe, int[] current, boolean aPresent, boolean bPresent) {
            int[] bestLength = new int[1];
            int best = fixedBest(probe, bestLength);
            for (int i = 0; i < his.length; i++) {
                if (current[i] >= 0 && lengths[i] > bestLength[0]
                        && covers(his[i], los[i], lengths[i], probeHis[probe], probeLos[probe], 128)) {
                    bestLength[0] = lengths[i];
                    best = current[i];
                }
            }
            for (int d = 0; d < danceA.length; d++) {
                if (aPresent && coversProbe(danceA[d], probe)) {
                    return DANCE_A;
                }
                if (bPresent && coversProbe(danceB[d], probe)) {
                    return DANCE_B;
                }
            }
            return best;
        }

        @Override public int[] acceptable(int probe) {
            TreeSet<Integer> answers = new TreeSet<>();
            for (int d = 0; d < danceA.length; d++) {
                if (coversProbe(danceA[d], probe)) {
                    answers.add(DANCE_A);
                    answers.add(DANCE_B);
                    return sorted(answers);
                }
                if (coversProbe(danceB[d], probe)) {
                    answers.add(DANCE_B);
                    answers.add(DANCE_C);
                    return sorted(answers);
                }
            }
            int[] bestLength = new int[1];
            answers.add(fixedBest(probe, bestLength));
            for (int i = 0; i < his.length; i++) {
                if (lengths[i] > bestLength[0] && covers(his[i], los[i], lengths[i], probeHis[probe], probeLos[probe], 128)) {
                    answers.add(FIRST_HOP + 2 * i);
                    answers.add(FIRST_HOP + 2 * i + 1);
                }
            }
            return sorted(answers);
        }
    }
}
