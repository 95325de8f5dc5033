package io.netfence.bench;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Deterministic random route tables and destination pools, shared by {@link FibBench} and its
 * tests so that the FIB and its reference see exactly the same routes and addresses. Route
 * lengths follow the rough shape of the public Internet tables; destinations are 90% inside a
 * random route and 10% anywhere in the unicast space.
 */
public final class RouteSets {
    private RouteSets() {
    }

    /** IPv4 routes: distinct (prefix, length) pairs in random order. */
    public record Routes4(int[] prefixes, int[] lengths, int[] nextHops) {
        public int size() {
            return prefixes.length;
        }
    }

    /** IPv6 routes: distinct (hi, lo, length) triples in random order. */
    public record Routes6(long[] his, long[] los, int[] lengths, int[] nextHops) {
        public int size() {
            return his.length;
        }
    }

    public static Routes4 ipv4(int routes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] prefixes = new int[routes];
        int[] lengths = new int[routes];
        int[] nextHops = new int[routes];
        Set<Long> seen = new HashSet<>(routes * 2);
        for (int i = 0; i < routes; ) {
            int length = ipv4Length(random);
            int mask = length == 0 ? 0 : -1 << (32 - length);
            // Unicast space 1.0.0.0 .. 223.255.255.255.
            int prefix = (random.nextInt(1, 224) << 24 | random.nextInt(1 << 24)) & mask;
            if (seen.add((prefix & 0xFFFF_FFFFL) << 6 | length)) {
                prefixes[i] = prefix;
                lengths[i] = length;
                nextHops[i] = random.nextInt(1024);
                i++;
            }
        }
        return new Routes4(prefixes, lengths, nextHops);
    }

    public static int[] ipv4Destinations(Routes4 r, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] destinations = new int[count];
        for (int i = 0; i < count; i++) {
            if (random.nextInt(10) == 0) {
                destinations[i] = random.nextInt();
            } else {
                int route = random.nextInt(r.size());
                int length = r.lengths[route];
                int hostMask = length == 32 ? 0 : -1 >>> length;
                destinations[i] = r.prefixes[route] | (random.nextInt() & hostMask);
            }
        }
        return destinations;
    }

    public static Routes6 ipv6(int routes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] his = new long[routes];
        long[] los = new long[routes];
        int[] lengths = new int[routes];
        int[] nextHops = new int[routes];
        Set<Key6> seen = new HashSet<>(routes * 2);
        for (int i = 0; i < routes; ) {
            int length = ipv6Length(random);
            // Global unicast 2000::/3.
            long hi = 0x2000_0000_0000_0000L | (random.nextLong() >>> 3);
            long lo = random.nextLong();
            hi &= length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
            lo &= length <= 64 ? 0 : -1L << (128 - length);
            if (seen.add(new Key6(hi, lo, length))) {
                his[i] = hi;
                los[i] = lo;
                lengths[i] = length;
                nextHops[i] = random.nextInt(1024);
                i++;
            }
        }
        return new Routes6(his, los, lengths, nextHops);
    }

    private record Key6(long hi, long lo, int length) {
    }

    /** Destination pool as {his, los}. */
    public static long[][] ipv6Destinations(Routes6 r, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] his = new long[count];
        long[] los = new long[count];
        for (int i = 0; i < count; i++) {
            if (random.nextInt(10) == 0) {
                his[i] = 0x2000_0000_0000_0000L | (random.nextLong() >>> 3);
                los[i] = random.nextLong();
            } else {
                int route = random.nextInt(r.size());
                int length = r.lengths[route];
                long hiHost = length >= 64 ? 0 : -1L >>> length;
                long loHost = length <= 64 ? -1L : length == 128 ? 0 : -1L >>> (length - 64);
                his[i] = r.his[route] | (random.nextLong() & hiHost);
                los[i] = r.los[route] | (random.nextLong() & loHost);
            }
        }
        return new long[][] {his, los};
    }

    /** About the public IPv4 table: 60% /24, 20% /22-/23, 12% /17-/21, 3% /8-/16, 5% /25-/32. */
    static int ipv4Length(SplittableRandom random) {
        int p = random.nextInt(100);
        if (p < 60) {
            return 24;
        } else if (p < 80) {
            return 22 + random.nextInt(2);
        } else if (p < 92) {
            return 17 + random.nextInt(5);
        } else if (p < 95) {
            return 8 + random.nextInt(9);
        }
        return 25 + random.nextInt(8);
    }

    /** About the public IPv6 table: 45% /48, 12% /32, 8% /44, 6% /40, 4% /36, 3% /29, plus /30-/32, /46-/47, /56, /64, /128. */
    static int ipv6Length(SplittableRandom random) {
        int p = random.nextInt(100);
        if (p < 45) {
            return 48;
        } else if (p < 57) {
            return 32;
        } else if (p < 65) {
            return 44;
        } else if (p < 71) {
            return 40;
        } else if (p < 75) {
            return 36;
        } else if (p < 78) {
            return 29;
        } else if (p < 82) {
            return 46 + random.nextInt(2);
        } else if (p < 87) {
            return 56;
        } else if (p < 94) {
            return 64;
        } else if (p < 97) {
            return 128;
        }
        return 30 + random.nextInt(3);
    }
}
