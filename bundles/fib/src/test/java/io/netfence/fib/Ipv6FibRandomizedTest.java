package io.netfence.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * {@link Ipv6Fib} against a naive reference, one map per prefix length probed longest first,
 * over many random route sets: adds, replaces and removes interleaved with lookups. Routes are
 * clustered around a few random bases so that blocks fill up and empty again at every depth
 * (chunks split into nodes and nodes merge back), and lengths cover /0 to /128.
 */
class Ipv6FibRandomizedTest {

    /** The reference: a HashMap per length, probed from /128 down to /0; the first hit wins. */
    static final class NaiveLpm6 {
        record Prefix(long hi, long lo) {
        }

        @SuppressWarnings("unchecked")
        final Map<Prefix, Integer>[] byLength = new Map[129];

        NaiveLpm6() {
            for (int length = 0; length <= 128; length++) {
                byLength[length] = new HashMap<>();
            }
        }

        static Prefix key(long hi, long lo, int length) {
            return new Prefix(hi & hiMask(length), lo & loMask(length));
        }

        void add(long hi, long lo, int length, int nextHop) {
            byLength[length].put(key(hi, lo, length), nextHop);
        }

        boolean remove(long hi, long lo, int length) {
            return byLength[length].remove(key(hi, lo, length)) != null;
        }

        int get(long hi, long lo, int length) {
            return byLength[length].getOrDefault(key(hi, lo, length), Ipv6Fib.NO_ROUTE);
        }

        int lookup(long hi, long lo) {
            for (int length = 128; length >= 0; length--) {
                Integer nextHop = byLength[length].get(key(hi, lo, length));
                if (nextHop != null) {
                    return nextHop;
                }
            }
            return Ipv6Fib.NO_ROUTE;
        }

        /** The longest route strictly shorter than {@code length} covering the prefix, as its length, or -1. */
        int coveringLength(long hi, long lo, int length) {
            for (int shorter = length - 1; shorter >= 0; shorter--) {
                if (byLength[shorter].containsKey(key(hi, lo, shorter))) {
                    return shorter;
                }
            }
            return -1;
        }

        int size() {
            int size = 0;
            for (Map<Prefix, Integer> map : byLength) {
                size += map.size();
            }
            return size;
        }

        static long hiMask(int length) {
            return length == 0 ? 0L : length >= 64 ? -1L : -1L << (64 - length);
        }

        static long loMask(int length) {
            return length <= 64 ? 0L : -1L << (128 - length);
        }
    }

    /** One route: prefix (masked), length. */
    record Route(long hi, long lo, int length) {
    }

    @Test
    void manyRandomRouteSetsAgreeWithTheNaiveReference() {
        long lookups = 0;
        for (long seed = 1; seed <= 60; seed++) {
            lookups += runOneSet(seed);
        }
        assertTrue(lookups > 200_000, "checked only " + lookups + " lookups");
    }

    /** Builds, churns and empties one random route set; returns the number of lookups checked. */
    private static long runOneSet(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Ipv6Fib fib = new Ipv6Fib();
        NaiveLpm6 naive = new NaiveLpm6();
        // A few bases; every route shares a random number of leading bits with one of them, so some
        // blocks hold hundreds of routes at every depth and others one or two.
        long[][] bases = new long[1 + random.nextInt(6)][];
        for (int i = 0; i < bases.length; i++) {
            bases[i] = new long[] {random.nextLong(), random.nextLong()};
        }
        if (seed % 3 == 0) {
            bases[0] = new long[] {0, 0};
        } else if (seed % 3 == 1) {
            bases[0] = new long[] {-1, -1};
        }
        List<Route> present = new ArrayList<>();
        int target = 50 + random.nextInt(seed % 10 == 0 ? 5000 : 800);
        long checked = 0;
        int steps = target * 4;
        for (int step = 0; step < steps; step++) {
            int operation = random.nextInt(100);
            // Grow towards the target in the first half, shrink to nothing in the second.
            boolean growing = step < steps / 2;
            if (present.isEmpty() || operation < (growing ? 65 : 25)) {
                Route r = randomRoute(random, bases);
                int nextHop = random.nextInt(16) == 0 ? Ipv6Fib.MAX_NEXT_HOP : random.nextInt(4096);
                boolean fresh = naive.get(r.hi, r.lo, r.length) == Ipv6Fib.NO_ROUTE;
                fib.add(r.hi, r.lo, r.length, nextHop);
                naive.add(r.hi, r.lo, r.length, nextHop);
                if (fresh) {
                    present.add(r);
                }
            } else if (operation < 90) {
                Route r = present.remove(random.nextInt(present.size()));
                // A removed route's addresses must fall back to its longest covering route.
                int covering = naive.coveringLength(r.hi, r.lo, r.length);
                assertTrue(fib.remove(r.hi, r.lo, r.length), () -> "seed " + seed + " remove " + r);
                naive.remove(r.hi, r.lo, r.length);
                long[] inside = inside(random, r);
                int expected = naive.lookup(inside[0], inside[1]);
                assertEquals(expected, fib.lookup(inside[0], inside[1]),
                        () -> "seed " + seed + " after removing " + r + " (covering /" + covering + ")");
                checked++;
            } else if (operation < 95) {
                // Replace the next hop of an existing route.
                Route r = present.get(random.nextInt(present.size()));
                int nextHop = random.nextInt(4096);
                fib.add(r.hi ^ randomHostBits(random, r.length)[0], r.lo, r.length, nextHop);
                naive.add(r.hi, r.lo, r.length, nextHop);
            } else {
                Route r = randomRoute(random, bases);
                assertEquals(naive.get(r.hi, r.lo, r.length) != Ipv6Fib.NO_ROUTE, fib.remove(r.hi, r.lo, r.length));
                if (naive.remove(r.hi, r.lo, r.length)) {
                    present.remove(r);
                }
            }
            if (step % 97 == 0) {
                checked += verify(fib, naive, random, bases, present, seed);
            }
        }
        checked += verify(fib, naive, random, bases, present, seed);
        // Empty it in random order, checking that the covered addresses fall back at every step.
        Collections.shuffle(present, new java.util.Random(seed));
        for (Route r : present) {
            assertTrue(fib.remove(r.hi, r.lo, r.length));
            naive.remove(r.hi, r.lo, r.length);
            for (int i = 0; i < 4; i++) {
                long[] inside = inside(random, r);
                assertEquals(naive.lookup(inside[0], inside[1]), fib.lookup(inside[0], inside[1]), "seed " + seed);
                checked++;
            }
        }
        assertEquals(0, fib.size());
        assertEquals(Ipv6Fib.NO_ROUTE, fib.lookup(bases[0][0], bases[0][1]));
        assertEquals(Ipv6Fib.NO_ROUTE, fib.lookup(random.nextLong(), random.nextLong()));
        return checked;
    }

    private static long verify(Ipv6Fib fib, NaiveLpm6 naive, SplittableRandom random, long[][] bases,
                               List<Route> present, long seed) {
        assertEquals(naive.size(), fib.size(), "seed " + seed);
        long checked = 0;
        for (int i = 0; i < 250; i++) {
            long[] address;
            int kind = random.nextInt(8);
            if (kind == 0 || present.isEmpty()) {
                address = new long[] {random.nextLong(), random.nextLong()};
            } else if (kind < 3) {
                address = near(random, bases);
            } else {
                Route r = present.get(random.nextInt(present.size()));
                address = switch (kind) {
                    case 3 -> new long[] {r.hi, r.lo}; // first address of the route
                    case 4 -> { // last address of the route
                        long[] host = hostMasks(r.length);
                        yield new long[] {r.hi | host[0], r.lo | host[1]};
                    }
                    case 5 -> { // just past the route
                        long[] host = hostMasks(r.length);
                        long lo = (r.lo | host[1]) + 1;
                        yield new long[] {(r.hi | host[0]) + (lo == 0 ? 1 : 0), lo};
                    }
                    default -> inside(random, r);
                };
            }
            int expected = naive.lookup(address[0], address[1]);
            assertEquals(expected, fib.lookup(address[0], address[1]),
                    () -> "seed " + seed + " address " + Long.toHexString(address[0]) + ":" + Long.toHexString(address[1]));
            checked++;
        }
        for (int i = 0; i < 20 && !present.isEmpty(); i++) {
            Route r = present.get(random.nextInt(present.size()));
            assertEquals(naive.get(r.hi, r.lo, r.length), fib.get(r.hi, r.lo, r.length));
        }
        return checked;
    }

    /** A route near one of the bases: lengths weighted like a BGP table plus /0, /128 and everything else. */
    static Route randomRoute(SplittableRandom random, long[][] bases) {
        int length = switch (random.nextInt(12)) {
            case 0 -> random.nextInt(6) == 0 ? 0 : 128;
            case 1 -> 48;
            case 2 -> 32 + random.nextInt(17);
            case 3 -> 56 + random.nextInt(17);
            case 4 -> 12 + random.nextInt(9);
            case 5 -> 120 + random.nextInt(9);
            default -> random.nextInt(129);
        };
        long[] address = near(random, bases);
        return new Route(address[0] & NaiveLpm6.hiMask(length), address[1] & NaiveLpm6.loMask(length), length);
    }

    /** An address sharing a random number of leading bits with a base (often many: dense blocks). */
    static long[] near(SplittableRandom random, long[][] bases) {
        long[] base = bases[random.nextInt(bases.length)];
        int keep = random.nextBoolean() ? 128 - random.nextInt(24) : random.nextInt(129);
        long hiMask = NaiveLpm6.hiMask(keep);
        long loMask = NaiveLpm6.loMask(keep);
        return new long[] {(base[0] & hiMask) | (random.nextLong() & ~hiMask), (base[1] & loMask) | (random.nextLong() & ~loMask)};
    }

    static long[] inside(SplittableRandom random, Route r) {
        long[] host = randomHostBits(random, r.length);
        return new long[] {r.hi | host[0], r.lo | host[1]};
    }

    private static long[] randomHostBits(SplittableRandom random, int length) {
        long[] host = hostMasks(length);
        return new long[] {random.nextLong() & host[0], random.nextLong() & host[1]};
    }

    private static long[] hostMasks(int length) {
        return new long[] {~NaiveLpm6.hiMask(length), ~NaiveLpm6.loMask(length)};
    }

    /**
     * A chain of nested routes at one address, /0 to /128, inside a block dense enough that the
     * chain crosses nodes at every depth: removing each route, in any order, must expose the
     * longest of the remaining ones, and re-adding it must hide them again.
     */
    @Test
    void removingANestedRouteExposesTheNextShorterOneAtEveryDepth() {
        long hi = 0x2001_0db8_85a3_1234L;
        long lo = 0x5678_9abc_def0_4321L;
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            Ipv6Fib fib = new Ipv6Fib();
            NaiveLpm6 naive = new NaiveLpm6();
            // Siblings: at every depth, routes that share the chain's prefix up to there and then differ.
            for (int depth = 1; depth <= 127; depth++) {
                for (int i = 0; i < 3; i++) {
                    int length = Math.min(128, depth + 1 + random.nextInt(24));
                    long flipHi = depth < 64 ? 1L << (63 - depth) : 0;
                    long flipLo = depth >= 64 ? 1L << (127 - depth) : 0;
                    long siblingHi = (hi ^ flipHi ^ (random.nextLong() & ~NaiveLpm6.hiMask(depth + 1))) & NaiveLpm6.hiMask(length);
                    long siblingLo = (lo ^ flipLo ^ (random.nextLong() & ~NaiveLpm6.loMask(depth + 1))) & NaiveLpm6.loMask(length);
                    fib.add(siblingHi, siblingLo, length, 5000 + depth);
                    naive.add(siblingHi, siblingLo, length, 5000 + depth);
                }
            }
            List<Integer> chain = new ArrayList<>();
            for (int length = 0; length <= 128; length++) {
                if (length % 8 == 0 || random.nextInt(3) == 0) {
                    chain.add(length);
                    fib.add(hi, lo, length, length);
                    naive.add(hi, lo, length, length);
                }
            }
            assertEquals(128, fib.lookup(hi, lo));
            List<Integer> order = new ArrayList<>(chain);
            if (seed % 2 == 0) {
                Collections.shuffle(order, new java.util.Random(seed));
            } else {
                Collections.reverse(order); // longest first: each removal exposes the next one
            }
            for (int length : order) {
                assertTrue(fib.remove(hi, lo, length));
                naive.remove(hi, lo, length);
                int expected = naive.lookup(hi, lo);
                assertEquals(expected, fib.lookup(hi, lo), "seed " + seed + " after removing /" + length);
                for (int bit = 0; bit < 128; bit += 3) {
                    long ahi = bit < 64 ? hi ^ (1L << bit) : hi;
                    long alo = bit >= 64 ? lo ^ (1L << (bit - 64)) : lo;
                    assertEquals(naive.lookup(ahi, alo), fib.lookup(ahi, alo), "seed " + seed + " bit " + bit);
                }
                if (random.nextInt(4) == 0) {
                    fib.add(hi, lo, length, 900 + length);
                    assertEquals(naive.lookup(hi, lo) == Ipv6Fib.NO_ROUTE || length >= longest(naive, hi, lo)
                            ? 900 + length : naive.lookup(hi, lo), fib.lookup(hi, lo));
                    assertTrue(fib.remove(hi, lo, length));
                    assertEquals(expected, fib.lookup(hi, lo));
                }
            }
            assertEquals(naive.size(), fib.size());
        }
    }

    private static int longest(NaiveLpm6 naive, long hi, long lo) {
        for (int length = 128; length >= 0; length--) {
            if (naive.byLength[length].containsKey(NaiveLpm6.key(hi, lo, length))) {
                return length;
            }
        }
        return -1;
    }

    /** Fills one /40 with thousands of routes of every length beyond it and empties it again, twice. */
    @Test
    void aDenseBlockSplitsAndMergesWithoutLosingRoutes() {
        SplittableRandom random = new SplittableRandom(99);
        Ipv6Fib fib = new Ipv6Fib();
        NaiveLpm6 naive = new NaiveLpm6();
        long baseHi = 0x2a00_1450_4000_0000L;
        fib.add(baseHi, 0, 40, 1);
        naive.add(baseHi, 0, 40, 1);
        for (int round = 0; round < 2; round++) {
            List<Route> routes = new ArrayList<>();
            for (int i = 0; i < 6000; i++) {
                int length = 41 + random.nextInt(88);
                long hi = (baseHi | (random.nextLong() >>> 40)) & NaiveLpm6.hiMask(length);
                long lo = (random.nextInt(4) == 0 ? 0 : random.nextLong()) & NaiveLpm6.loMask(length);
                Route r = new Route(hi, lo, length);
                if (naive.get(hi, lo, length) == Ipv6Fib.NO_ROUTE) {
                    routes.add(r);
                }
                fib.add(hi, lo, length, 10 + i);
                naive.add(hi, lo, length, 10 + i);
            }
            check(fib, naive, random, routes);
            Collections.shuffle(routes, new java.util.Random(round));
            for (int i = 0; i < routes.size(); i++) {
                Route r = routes.get(i);
                assertTrue(fib.remove(r.hi, r.lo, r.length));
                naive.remove(r.hi, r.lo, r.length);
                if (i % 500 == 0 || routes.size() - i < 40) {
                    check(fib, naive, random, routes);
                }
            }
            assertEquals(1, fib.size());
            assertEquals(1, fib.lookup(baseHi | 12345, 678));
        }
    }

    private static void check(Ipv6Fib fib, NaiveLpm6 naive, SplittableRandom random, List<Route> routes) {
        for (int i = 0; i < 300; i++) {
            Route r = routes.get(random.nextInt(routes.size()));
            long[] address = inside(random, r);
            assertEquals(naive.lookup(address[0], address[1]), fib.lookup(address[0], address[1]));
        }
    }
}
