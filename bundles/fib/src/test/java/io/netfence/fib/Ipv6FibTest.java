package io.netfence.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class Ipv6FibTest {

    static final long DOC = 0x2001_0db8_0000_0000L; // 2001:db8::/32

    @Test
    void emptyTableHasNoRoute() {
        Ipv6Fib fib = new Ipv6Fib();
        assertEquals(Ipv6Fib.NO_ROUTE, fib.lookup(0, 0));
        assertEquals(Ipv6Fib.NO_ROUTE, fib.lookup(-1, -1));
        assertEquals(Ipv6Fib.NO_ROUTE, fib.get(DOC, 0, 32));
        assertFalse(fib.remove(DOC, 0, 32));
        assertEquals(0, fib.size());
        List<String> none = new ArrayList<>();
        fib.forEach((hi, lo, length, nextHop) -> none.add(hi + "/" + length));
        assertTrue(none.isEmpty());
    }

    @Test
    void defaultRouteCoversEverythingUntilRemoved() {
        Ipv6Fib fib = new Ipv6Fib();
        fib.add(DOC, 1, 0, 7); // host bits ignored: this is ::/0
        assertEquals(7, fib.get(0, 0, 0));
        assertEquals(7, fib.lookup(0, 0));
        assertEquals(7, fib.lookup(-1, -1));
        assertEquals(7, fib.lookup(DOC, 5));
        fib.add(DOC, 0, 32, 8);
        assertEquals(8, fib.lookup(DOC | 0xFFFF_FFFFL, -1));
        assertEquals(7, fib.lookup(DOC + (1L << 32), 0));
        assertTrue(fib.remove(0, 0, 0));
        assertEquals(Ipv6Fib.NO_ROUTE, fib.lookup(DOC + (1L << 32), 0));
        assertEquals(8, fib.lookup(DOC, 0));
        assertEquals(1, fib.size());
    }

    @Test
    void hostRoutesAndRemovalRestoreTheNextCoveringRoute() {
        Ipv6Fib fib = new Ipv6Fib();
        long site = DOC | 0x0001_0000L;     // 2001:db8:1::/48
        long subnet = site | 0x0002L;        // 2001:db8:1:2::/64
        fib.add(0, 0, 0, 1);
        fib.add(0x2000_0000_0000_0000L, 0, 3, 2);
        fib.add(DOC, 0, 32, 3);
        fib.add(site, 0, 48, 4);
        fib.add(subnet, 0, 64, 5);
        fib.add(subnet, 0x8000_0000_0000_0000L, 65, 6);
        fib.add(subnet, 0x8000_0000_0000_0001L, 128, 7);
        fib.add(subnet, 0, 128, 8);

        assertEquals(7, fib.lookup(subnet, 0x8000_0000_0000_0001L));
        assertEquals(6, fib.lookup(subnet, 0x8000_0000_0000_0002L));
        assertEquals(8, fib.lookup(subnet, 0));
        assertEquals(5, fib.lookup(subnet, 1));
        assertEquals(4, fib.lookup(site | 3, 0));
        assertEquals(3, fib.lookup(DOC | 0x0002_0000L, 0));
        assertEquals(2, fib.lookup(0x3fff_0000_0000_0000L, 0));
        assertEquals(1, fib.lookup(0xfe80_0000_0000_0000L, 1));

        assertTrue(fib.remove(subnet, 0x8000_0000_0000_0001L, 128));
        assertEquals(6, fib.lookup(subnet, 0x8000_0000_0000_0001L));
        assertTrue(fib.remove(subnet, 0x8000_0000_0000_0000L, 65));
        assertEquals(5, fib.lookup(subnet, 0x8000_0000_0000_0001L));
        assertTrue(fib.remove(subnet, 0, 64));
        assertEquals(4, fib.lookup(subnet, 0x8000_0000_0000_0001L));
        assertEquals(8, fib.lookup(subnet, 0));
        assertTrue(fib.remove(site, 0, 48));
        assertEquals(3, fib.lookup(subnet, 5));
        assertTrue(fib.remove(DOC, 0, 32));
        assertEquals(2, fib.lookup(subnet, 5));
        assertTrue(fib.remove(0x2000_0000_0000_0000L, 0, 3));
        assertEquals(1, fib.lookup(subnet, 5));
        assertEquals(8, fib.lookup(subnet, 0));
        assertFalse(fib.remove(DOC, 0, 32));
        assertEquals(2, fib.size());
    }

    @Test
    void shortRoutesNestWithinTheDirectory() {
        Ipv6Fib fib = new Ipv6Fib();
        fib.add(0x2000_0000_0000_0000L, 0, 4, 1);
        fib.add(0x2001_0000_0000_0000L, 0, 16, 2);
        fib.add(0x2000_0000_0000_0000L, 0, 12, 3);
        fib.add(0x2001_0db8_0000_0000L, 0, 17, 4);
        assertEquals(4, fib.lookup(0x2001_0db8_0000_0000L, 0));
        assertEquals(2, fib.lookup(0x2001_8000_0000_0000L, 0));
        assertEquals(3, fib.lookup(0x2002_0000_0000_0000L, 0));
        assertEquals(1, fib.lookup(0x2f00_0000_0000_0000L, 0));
        assertTrue(fib.remove(0x2001_0000_0000_0000L, 0, 16));
        assertEquals(3, fib.lookup(0x2001_8000_0000_0000L, 0));
        assertEquals(4, fib.lookup(0x2001_0db8_0000_0000L, 0));
        assertTrue(fib.remove(0x2000_0000_0000_0000L, 0, 12));
        assertEquals(1, fib.lookup(0x2001_8000_0000_0000L, 0));
    }

    @Test
    void replaceChangesTheNextHopAtEveryLength() {
        Ipv6Fib fib = new Ipv6Fib();
        long hi = 0x2001_0db8_1234_5678L;
        long lo = 0x9abc_def0_1357_9bdfL;
        int[] lengths = {0, 8, 16, 17, 32, 48, 63, 64, 65, 96, 127, 128};
        for (int length : lengths) {
            fib.add(hi, lo, length, 100 + length);
        }
        for (int length : lengths) {
            fib.add(hi, lo, length, 300 + length);
            assertEquals(300 + length, fib.get(hi, lo, length));
        }
        assertEquals(lengths.length, fib.size());
        assertEquals(428, fib.lookup(hi, lo));
        assertEquals(427, fib.lookup(hi, lo ^ 1));
        assertEquals(396, fib.lookup(hi, lo ^ 0x8000_0000L));
        assertEquals(364, fib.lookup(hi, lo ^ Long.MIN_VALUE));
        assertEquals(363, fib.lookup(hi ^ 1, 0));
        assertEquals(316, fib.lookup(hi ^ 0x8000_0000_0000L, 0));
        assertEquals(317, fib.lookup(hi ^ 0x4000_0000_0000L, 0));
        assertEquals(300, fib.lookup(0x8000_0000_0000_0000L, 0));
    }

    @Test
    void largestNextHopRoundTrips() {
        Ipv6Fib fib = new Ipv6Fib();
        fib.add(DOC, 0, 32, Ipv6Fib.MAX_NEXT_HOP);
        fib.add(DOC, 1, 128, 0);
        assertEquals(Ipv6Fib.MAX_NEXT_HOP, fib.lookup(DOC, 2));
        assertEquals(0, fib.lookup(DOC, 1));
    }

    @Test
    void badArgumentsNameTheFieldAndTheAcceptedRange() {
        Ipv6Fib fib = new Ipv6Fib();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fib.add(0, 0, 129, 1));
        assertEquals("length must be 0..128, got 129", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> fib.add(0, 0, -1, 1));
        assertEquals("length must be 0..128, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> fib.add(0, 0, 64, -1));
        assertEquals("nextHop must be 0..16777215, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> fib.add(0, 0, 64, 1 << 24));
        assertEquals("nextHop must be 0..16777215, got 16777216", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> fib.remove(0, 0, 200));
        assertThrows(IllegalArgumentException.class, () -> fib.get(0, 0, 200));
        assertEquals(0, fib.size());
    }

    @Test
    void forEachListsRoutesByPrefixThenLength() {
        Ipv6Fib fib = new Ipv6Fib();
        fib.add(0xfe80_0000_0000_0000L, 0, 10, 1);
        fib.add(DOC, 0, 48, 2);
        fib.add(DOC, 0, 32, 3);
        fib.add(0, 0, 0, 4);
        fib.add(DOC, 1, 128, 5);
        fib.add(-1, -1, 128, 6);
        List<String> seen = new ArrayList<>();
        fib.forEach((hi, lo, length, nextHop) ->
                seen.add(Long.toHexString(hi) + ":" + Long.toHexString(lo) + "/" + length + "=" + nextHop));
        assertEquals(List.of("0:0/0=4", "20010db800000000:0/32=3", "20010db800000000:0/48=2",
                "20010db800000000:1/128=5", "fe80000000000000:0/10=1", "ffffffffffffffff:ffffffffffffffff/128=6"), seen);
    }

    @Test
    void clearEmptiesAndTheTableIsReusable() {
        Ipv6Fib fib = new Ipv6Fib();
        fib.add(0, 0, 0, 1);
        fib.add(DOC, 1, 128, 2);
        fib.clear();
        assertEquals(0, fib.size());
        assertEquals(Ipv6Fib.NO_ROUTE, fib.lookup(DOC, 1));
        fib.add(DOC, 1, 128, 3);
        assertEquals(3, fib.lookup(DOC, 1));
        assertEquals(Ipv6Fib.NO_ROUTE, fib.lookup(DOC, 2));
        assertEquals(1, fib.size());
    }

    @Test
    void tablesGrowAndShrinkWithoutLosingRoutes() {
        Ipv6Fib fib = new Ipv6Fib();
        fib.add(DOC, 0, 32, 1);
        int routes = 20_000;
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < routes; i++) {
                fib.add(DOC | i, 0, 64, 2 + i);
            }
            for (int i = 0; i < routes; i++) {
                assertEquals(2 + i, fib.lookup(DOC | i, 99));
            }
            for (int i = 0; i < routes; i += 2) {
                assertTrue(fib.remove(DOC | i, 0, 64));
            }
            for (int i = 0; i < routes; i++) {
                assertEquals(i % 2 == 0 ? 1 : 2 + i, fib.lookup(DOC | i, 99));
            }
            for (int i = 1; i < routes; i += 2) {
                assertTrue(fib.remove(DOC | i, 0, 64));
            }
            assertEquals(1, fib.size());
            assertEquals(1, fib.lookup(DOC | 7, 0));
        }
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
        Ipv6Fib fib = new Ipv6Fib();
        Reference6 reference = new Reference6();
        long[][] bases = new long[24][];
        for (int i = 0; i < bases.length; i++) {
            bases[i] = new long[] {random.nextLong(), random.nextLong()};
        }
        bases[0] = new long[] {0, 0};
        bases[1] = new long[] {-1, -1};
        bases[2] = new long[] {DOC, 0};
        bases[3] = new long[] {DOC | 0x10000L, 0};
        for (int step = 0; step < 6000; step++) {
            long[] prefix = nearBase(random, bases);
            int length = randomLength(random);
            int operation = random.nextInt(10);
            if (operation < 6) {
                int nextHop = random.nextInt(10) == 0 ? Ipv6Fib.MAX_NEXT_HOP - random.nextInt(3) : random.nextInt(1000);
                fib.add(prefix[0], prefix[1], length, nextHop);
                reference.add(prefix[0], prefix[1], length, nextHop);
            } else if (operation < 9) {
                if (!reference.routes.isEmpty() && random.nextBoolean()) {
                    Reference6.Key key = reference.anyKey(random);
                    prefix = new long[] {key.hi(), key.lo()};
                    length = key.length();
                }
                assertEquals(reference.remove(prefix[0], prefix[1], length), fib.remove(prefix[0], prefix[1], length));
            } else {
                assertEquals(reference.get(prefix[0], prefix[1], length), fib.get(prefix[0], prefix[1], length));
            }
            assertEquals(reference.routes.size(), fib.size());
            if (step % 500 == 499) {
                verify(fib, reference, random, bases, seed);
            }
        }
        verify(fib, reference, random, bases, seed);
        for (Reference6.Key key : new ArrayList<>(reference.routes.keySet())) {
            assertTrue(fib.remove(key.hi(), key.lo(), key.length()));
            reference.remove(key.hi(), key.lo(), key.length());
        }
        verify(fib, reference, random, bases, seed);
        assertEquals(0, fib.size());
    }

    private static void verify(Ipv6Fib fib, Reference6 reference, Random random, long[][] bases, long seed) {
        for (int i = 0; i < 3000; i++) {
            long[] address = random.nextInt(4) == 0
                    ? new long[] {random.nextLong(), random.nextLong()}
                    : nearBase(random, bases);
            assertEquals(reference.lookup(address[0], address[1]), fib.lookup(address[0], address[1]),
                    () -> "seed " + seed + " address " + Long.toHexString(address[0]) + ":" + Long.toHexString(address[1]));
        }
        long[] his = new long[64];
        long[] los = new long[64];
        int[] nextHops = new int[64];
        for (int i = 0; i < his.length; i++) {
            long[] address = nearBase(random, bases);
            his[i] = address[0];
            los[i] = address[1];
        }
        fib.lookup(his, los, nextHops, his.length);
        for (int i = 0; i < his.length; i++) {
            assertEquals(reference.lookup(his[i], los[i]), nextHops[i]);
        }
        List<Reference6.Key> listed = new ArrayList<>();
        fib.forEach((hi, lo, length, nextHop) -> {
            assertEquals(reference.get(hi, lo, length), nextHop);
            listed.add(new Reference6.Key(hi, lo, length));
        });
        List<Reference6.Key> expected = new ArrayList<>(reference.routes.keySet());
        expected.sort(Comparator.<Reference6.Key>comparingLong(k -> k.hi() ^ Long.MIN_VALUE)
                .thenComparingLong(k -> k.lo() ^ Long.MIN_VALUE).thenComparingInt(Reference6.Key::length));
        assertEquals(expected, listed);
    }

    static long[] nearBase(Random random, long[][] bases) {
        long[] base = bases[random.nextInt(bases.length)];
        int keep = random.nextInt(129);
        long hiMask = Reference6.hiMask(keep);
        long loMask = Reference6.loMask(keep);
        return new long[] {(base[0] & hiMask) | (random.nextLong() & ~hiMask),
                (base[1] & loMask) | (random.nextLong() & ~loMask)};
    }

    /** All lengths, weighted towards /0, /16 and its neighbours, /64 and /128. */
    static int randomLength(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> random.nextInt(4) == 0 ? 0 : 128;
            case 1 -> 14 + random.nextInt(5);
            case 2 -> 62 + random.nextInt(5);
            case 3 -> 32 + 4 * random.nextInt(8);
            default -> random.nextInt(129);
        };
    }

    /** Brute force: scans every route. */
    static final class Reference6 {
        record Key(long hi, long lo, int length) {
        }

        final Map<Key, Integer> routes = new HashMap<>();

        static long hiMask(int length) {
            return length == 0 ? 0L : length >= 64 ? -1L : -1L << (64 - length);
        }

        static long loMask(int length) {
            return length <= 64 ? 0L : -1L << (128 - length);
        }

        static Key key(long hi, long lo, int length) {
            return new Key(hi & hiMask(length), lo & loMask(length), length);
        }

        void add(long hi, long lo, int length, int nextHop) {
            routes.put(key(hi, lo, length), nextHop);
        }

        boolean remove(long hi, long lo, int length) {
            return routes.remove(key(hi, lo, length)) != null;
        }

        int get(long hi, long lo, int length) {
            return routes.getOrDefault(key(hi, lo, length), Ipv6Fib.NO_ROUTE);
        }

        Key anyKey(Random random) {
            int skip = random.nextInt(routes.size());
            for (Key key : routes.keySet()) {
                if (skip-- == 0) {
                    return key;
                }
            }
            throw new AssertionError();
        }

        int lookup(long hi, long lo) {
            int bestLength = -1;
            int best = Ipv6Fib.NO_ROUTE;
            for (Map.Entry<Key, Integer> route : routes.entrySet()) {
                Key key = route.getKey();
                if ((hi & hiMask(key.length())) == key.hi() && (lo & loMask(key.length())) == key.lo()
                        && key.length() > bestLength) {
                    bestLength = key.length();
                    best = route.getValue();
                }
            }
            return best;
        }
    }
}
