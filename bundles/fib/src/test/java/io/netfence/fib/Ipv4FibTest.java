package io.netfence.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class Ipv4FibTest {

    static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    @Test
    void emptyTableHasNoRoute() {
        Ipv4Fib fib = new Ipv4Fib();
        assertEquals(Ipv4Fib.NO_ROUTE, fib.lookup(0));
        assertEquals(Ipv4Fib.NO_ROUTE, fib.lookup(ip(10, 1, 2, 3)));
        assertEquals(Ipv4Fib.NO_ROUTE, fib.lookup(-1));
        assertEquals(Ipv4Fib.NO_ROUTE, fib.get(0, 0));
        assertEquals(0, fib.size());
        assertFalse(fib.remove(ip(10, 0, 0, 0), 8));
    }

    @Test
    void defaultRouteCoversEverythingUntilRemoved() {
        Ipv4Fib fib = new Ipv4Fib();
        fib.add(ip(1, 2, 3, 4), 0, 7); // host bits ignored: this is 0.0.0.0/0
        assertEquals(7, fib.get(0, 0));
        for (int address : new int[] {0, -1, ip(10, 0, 0, 1), ip(128, 0, 0, 0), ip(255, 255, 255, 254)}) {
            assertEquals(7, fib.lookup(address));
        }
        fib.add(ip(10, 0, 0, 0), 8, 8);
        assertEquals(8, fib.lookup(ip(10, 200, 1, 1)));
        assertEquals(7, fib.lookup(ip(11, 0, 0, 0)));
        assertTrue(fib.remove(0, 0));
        assertEquals(Ipv4Fib.NO_ROUTE, fib.lookup(ip(11, 0, 0, 0)));
        assertEquals(8, fib.lookup(ip(10, 0, 0, 0)));
        assertEquals(1, fib.size());
    }

    @Test
    void hostRoutesAndRemovalRestoreTheNextCoveringRoute() {
        Ipv4Fib fib = new Ipv4Fib();
        fib.add(0, 0, 1);
        fib.add(ip(10, 0, 0, 0), 8, 2);
        fib.add(ip(10, 1, 0, 0), 16, 3);
        fib.add(ip(10, 1, 2, 0), 24, 4);
        fib.add(ip(10, 1, 2, 128), 25, 5);
        fib.add(ip(10, 1, 2, 200), 32, 6);
        fib.add(ip(10, 1, 2, 0), 32, 9);
        fib.add(ip(10, 1, 2, 255), 32, 10);

        assertEquals(6, fib.lookup(ip(10, 1, 2, 200)));
        assertEquals(5, fib.lookup(ip(10, 1, 2, 201)));
        assertEquals(5, fib.lookup(ip(10, 1, 2, 128)));
        assertEquals(4, fib.lookup(ip(10, 1, 2, 127)));
        assertEquals(9, fib.lookup(ip(10, 1, 2, 0)));
        assertEquals(10, fib.lookup(ip(10, 1, 2, 255)));
        assertEquals(3, fib.lookup(ip(10, 1, 3, 0)));
        assertEquals(2, fib.lookup(ip(10, 2, 0, 0)));
        assertEquals(1, fib.lookup(ip(11, 0, 0, 0)));

        assertTrue(fib.remove(ip(10, 1, 2, 200), 32));
        assertEquals(5, fib.lookup(ip(10, 1, 2, 200)));
        assertTrue(fib.remove(ip(10, 1, 2, 128), 25));
        assertEquals(4, fib.lookup(ip(10, 1, 2, 200)));
        assertEquals(10, fib.lookup(ip(10, 1, 2, 255)));
        assertTrue(fib.remove(ip(10, 1, 2, 0), 24));
        assertEquals(3, fib.lookup(ip(10, 1, 2, 200)));
        assertEquals(9, fib.lookup(ip(10, 1, 2, 0)));
        assertTrue(fib.remove(ip(10, 1, 2, 0), 32));
        assertTrue(fib.remove(ip(10, 1, 2, 255), 32));
        assertEquals(0, fib.groupsInUse());
        assertEquals(3, fib.lookup(ip(10, 1, 2, 255)));
        assertTrue(fib.remove(ip(10, 1, 0, 0), 16));
        assertEquals(2, fib.lookup(ip(10, 1, 2, 255)));
        assertTrue(fib.remove(ip(10, 0, 0, 0), 8));
        assertEquals(1, fib.lookup(ip(10, 1, 2, 255)));
        assertFalse(fib.remove(ip(10, 0, 0, 0), 8));
        assertEquals(1, fib.size());
    }

    @Test
    void moreSpecificAddedBeforeCoveringRouteKeepsPriority() {
        Ipv4Fib fib = new Ipv4Fib();
        fib.add(ip(192, 168, 1, 7), 32, 3);
        fib.add(ip(192, 168, 1, 0), 24, 2);
        fib.add(ip(192, 0, 0, 0), 8, 1);
        assertEquals(3, fib.lookup(ip(192, 168, 1, 7)));
        assertEquals(2, fib.lookup(ip(192, 168, 1, 8)));
        assertEquals(1, fib.lookup(ip(192, 168, 2, 8)));
        fib.add(0, 0, 0);
        assertEquals(3, fib.lookup(ip(192, 168, 1, 7)));
        assertEquals(0, fib.lookup(ip(193, 0, 0, 0)));
    }

    @Test
    void replaceChangesTheNextHopAtEveryLength() {
        Ipv4Fib fib = new Ipv4Fib();
        int[] lengths = {0, 4, 8, 12, 16, 24, 25, 30, 32};
        for (int length : lengths) {
            fib.add(ip(172, 16, 5, 9), length, 100 + length);
        }
        assertEquals(lengths.length, fib.size());
        for (int length : lengths) {
            fib.add(ip(172, 16, 5, 9), length, 200 + length);
            assertEquals(200 + length, fib.get(ip(172, 16, 5, 9), length));
        }
        assertEquals(lengths.length, fib.size());
        assertEquals(232, fib.lookup(ip(172, 16, 5, 9)));
        assertEquals(230, fib.lookup(ip(172, 16, 5, 10)));
        assertEquals(225, fib.lookup(ip(172, 16, 5, 100)));
        assertEquals(224, fib.lookup(ip(172, 16, 5, 200)));
        assertEquals(208, fib.lookup(ip(172, 99, 0, 0)));
        assertEquals(200, fib.lookup(ip(8, 8, 8, 8)));
    }

    @Test
    void largestNextHopRoundTrips() {
        Ipv4Fib fib = new Ipv4Fib();
        fib.add(ip(1, 1, 1, 0), 24, Ipv4Fib.MAX_NEXT_HOP);
        fib.add(ip(1, 1, 1, 1), 32, 0);
        assertEquals(Ipv4Fib.MAX_NEXT_HOP, fib.lookup(ip(1, 1, 1, 2)));
        assertEquals(0, fib.lookup(ip(1, 1, 1, 1)));
    }

    @Test
    void badArgumentsNameTheFieldAndTheAcceptedRange() {
        Ipv4Fib fib = new Ipv4Fib();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fib.add(0, 33, 1));
        assertEquals("length must be 0..32, got 33", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> fib.add(0, -1, 1));
        assertEquals("length must be 0..32, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> fib.add(0, 8, -1));
        assertEquals("nextHop must be 0..16777215, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> fib.add(0, 8, 1 << 24));
        assertEquals("nextHop must be 0..16777215, got 16777216", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> fib.remove(0, 40));
        assertThrows(IllegalArgumentException.class, () -> fib.get(0, 40));
        assertEquals(0, fib.size());
    }

    @Test
    void forEachListsRoutesByPrefixThenLength() {
        Ipv4Fib fib = new Ipv4Fib();
        fib.add(ip(200, 0, 0, 0), 8, 1);
        fib.add(ip(10, 1, 0, 0), 16, 2);
        fib.add(ip(10, 0, 0, 0), 8, 3);
        fib.add(0, 0, 4);
        fib.add(ip(10, 0, 0, 0), 32, 5);
        fib.add(ip(255, 255, 255, 255), 32, Ipv4Fib.MAX_NEXT_HOP);
        List<String> seen = new ArrayList<>();
        fib.forEach((prefix, length, nextHop) ->
                seen.add(Integer.toUnsignedString(prefix, 16) + "/" + length + "=" + nextHop));
        assertEquals(List.of("0/0=4", "a000000/8=3", "a000000/32=5", "a010000/16=2", "c8000000/8=1",
                "ffffffff/32=16777215"), seen);
    }

    @Test
    void clearEmptiesAndTheTableIsReusable() {
        Ipv4Fib fib = new Ipv4Fib();
        fib.add(0, 0, 1);
        fib.add(ip(10, 0, 0, 1), 32, 2);
        fib.clear();
        assertEquals(0, fib.size());
        assertEquals(Ipv4Fib.NO_ROUTE, fib.lookup(ip(10, 0, 0, 1)));
        assertEquals(Ipv4Fib.NO_ROUTE, fib.get(0, 0));
        fib.add(ip(10, 0, 0, 1), 32, 3);
        assertEquals(3, fib.lookup(ip(10, 0, 0, 1)));
        assertEquals(Ipv4Fib.NO_ROUTE, fib.lookup(ip(10, 0, 0, 2)));
    }

    @Test
    void secondLevelGroupsAreRecycledAndThePoolGrows() {
        Ipv4Fib fib = new Ipv4Fib();
        fib.add(ip(20, 0, 0, 0), 8, 1);
        int networks = 5000; // far beyond the initial pool of 16 groups
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < networks; i++) {
                fib.add(ip(20, i >>> 8, i & 0xFF, 77), 32, 10 + i + round);
            }
            assertEquals(networks, fib.groupsInUse());
            for (int i = 0; i < networks; i++) {
                assertEquals(10 + i + round, fib.lookup(ip(20, i >>> 8, i & 0xFF, 77)));
                assertEquals(1, fib.lookup(ip(20, i >>> 8, i & 0xFF, 78)));
            }
            for (int i = 0; i < networks; i++) {
                assertTrue(fib.remove(ip(20, i >>> 8, i & 0xFF, 77), 32));
            }
            assertEquals(0, fib.groupsInUse());
            assertEquals(1, fib.lookup(ip(20, 1, 2, 77)));
        }
        assertEquals(1, fib.size());
    }

    /** Random adds, replaces and removes of nested and overlapping prefixes, checked against brute force. */
    @Test
    void matchesBruteForceReference() {
        for (long seed = 1; seed <= 4; seed++) {
            checkAgainstReference(seed);
        }
    }

    private static void checkAgainstReference(long seed) {
        Random random = new Random(seed);
        Ipv4Fib fib = new Ipv4Fib();
        Reference4 reference = new Reference4();
        int[] bases = new int[24];
        for (int i = 0; i < bases.length; i++) {
            bases[i] = random.nextInt();
        }
        bases[0] = 0;
        bases[1] = -1;
        for (int step = 0; step < 6000; step++) {
            int prefix = prefixNearBase(random, bases);
            int length = randomLength(random);
            int operation = random.nextInt(10);
            if (operation < 6) {
                int nextHop = random.nextInt(10) == 0 ? Ipv4Fib.MAX_NEXT_HOP - random.nextInt(3) : random.nextInt(1000);
                fib.add(prefix, length, nextHop);
                reference.add(prefix, length, nextHop);
            } else if (operation < 9) {
                // Prefer removing something that exists.
                if (!reference.routes.isEmpty() && random.nextBoolean()) {
                    long key = reference.anyKey(random);
                    prefix = (int) (key >>> 6);
                    length = (int) key & 63;
                }
                assertEquals(reference.remove(prefix, length), fib.remove(prefix, length), "remove seed " + seed);
            } else {
                assertEquals(reference.get(prefix, length), fib.get(prefix, length));
            }
            assertEquals(reference.routes.size(), fib.size());
            if (step % 500 == 499) {
                verify(fib, reference, random, bases, seed);
            }
        }
        verify(fib, reference, random, bases, seed);
        // Drain: everything must come out and leave an empty table.
        for (long key : new ArrayList<>(reference.routes.keySet())) {
            assertTrue(fib.remove((int) (key >>> 6), (int) key & 63));
            reference.remove((int) (key >>> 6), (int) key & 63);
        }
        verify(fib, reference, random, bases, seed);
        assertEquals(0, fib.groupsInUse());
    }

    private static void verify(Ipv4Fib fib, Reference4 reference, Random random, int[] bases, long seed) {
        for (int i = 0; i < 3000; i++) {
            int address = random.nextInt(4) == 0 ? random.nextInt() : nearBase(random, bases);
            assertEquals(reference.lookup(address), fib.lookup(address),
                    () -> "seed " + seed + " address " + Integer.toUnsignedString(address, 16));
        }
        int[] addresses = new int[64];
        int[] nextHops = new int[64];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = nearBase(random, bases);
        }
        fib.lookup(addresses, nextHops, addresses.length);
        for (int i = 0; i < addresses.length; i++) {
            assertEquals(reference.lookup(addresses[i]), nextHops[i]);
        }
        List<Long> listed = new ArrayList<>();
        fib.forEach((prefix, length, nextHop) -> {
            assertEquals(reference.get(prefix, length), nextHop);
            listed.add((prefix & 0xFFFF_FFFFL) << 6 | length);
        });
        assertEquals(new ArrayList<>(new TreeMap<>(reference.routes).keySet()), listed);
    }

    /** An address near a base: the base with a random number of its low bits randomised. */
    static int nearBase(Random random, int[] bases) {
        return nearBase(random, bases, random.nextInt(33));
    }

    /**
     * A prefix near a base, keeping at least the base's /8 so that prefixes nest and overlap, and
     * routes longer than /8 fill a few dozen pages rather than all 256: that keeps the many
     * /0../8 updates (each rewrites every allocated page) cheap enough for a unit test.
     */
    static int prefixNearBase(Random random, int[] bases) {
        return nearBase(random, bases, 8 + random.nextInt(25));
    }

    private static int nearBase(Random random, int[] bases, int keep) {
        int base = bases[random.nextInt(bases.length)];
        int mask = keep == 0 ? 0 : -1 << (32 - keep);
        return (base & mask) | (random.nextInt() & ~mask);
    }

    /** All lengths, weighted towards /0, /24, /32 and around /24; short routes are the costly updates. */
    static int randomLength(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> random.nextInt(4) == 0 ? 0 : 32;
            case 1 -> 24;
            case 2, 3 -> 20 + random.nextInt(13);
            case 4 -> random.nextInt(9);
            default -> 9 + random.nextInt(24);
        };
    }

    /** Brute force: scans every route. */
    static final class Reference4 {
        final Map<Long, Integer> routes = new HashMap<>();

        static long key(int prefix, int length) {
            int mask = length == 0 ? 0 : -1 << (32 - length);
            return (prefix & mask & 0xFFFF_FFFFL) << 6 | length;
        }

        void add(int prefix, int length, int nextHop) {
            routes.put(key(prefix, length), nextHop);
        }

        boolean remove(int prefix, int length) {
            return routes.remove(key(prefix, length)) != null;
        }

        int get(int prefix, int length) {
            return routes.getOrDefault(key(prefix, length), Ipv4Fib.NO_ROUTE);
        }

        long anyKey(Random random) {
            int skip = random.nextInt(routes.size());
            for (long key : routes.keySet()) {
                if (skip-- == 0) {
                    return key;
                }
            }
            throw new AssertionError();
        }

        int lookup(int address) {
            int bestLength = -1;
            int best = Ipv4Fib.NO_ROUTE;
            for (Map.Entry<Long, Integer> route : routes.entrySet()) {
                int length = (int) (route.getKey() & 63);
                int prefix = (int) (route.getKey() >>> 6);
                int mask = length == 0 ? 0 : -1 << (32 - length);
                if ((address & mask) == prefix && length > bestLength) {
                    bestLength = length;
                    best = route.getValue();
                }
            }
            return best;
        }
    }
}
