package io.netfence.bench;

import io.netfence.fib.Ipv4Fib;
import io.netfence.fib.Ipv6Fib;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Longest-prefix-match cost of the FIBs at 1k, 100k and 1M routes: lookups in batches of 64
 * (as the dataplane does them, one result per packet; the score is ns per lookup) over a 1M
 * destination pool, 90% inside a random route and 10% anywhere, so the caches see a realistic
 * spread rather than a few hot lines; and insertion, the time per route of loading a table from
 * empty in random order (a full load of {@code routes} routes, then the table is cleared and
 * loaded again). Route lengths follow the rough shape of the public Internet tables.
 * Run with e.g. {@code java -jar benchmarks/target/benchmarks.jar -f 1 -wi 3 -i 5 FibBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-XX:+UseCompactObjectHeaders"})
public class FibBench {
    private static final int BATCH = 64;
    private static final int DESTINATIONS = 1 << 20;

    /** Routes of the Ipv4 benchmarks: prefixes, lengths and next hops, in random order. */
    @State(Scope.Benchmark)
    public static class Routes4 {
        @Param({"1000", "100000", "1000000"})
        public int routes;

        int[] prefixes;
        int[] lengths;
        int[] nextHops;

        @Setup(Level.Trial)
        public void generate() {
            SplittableRandom random = new SplittableRandom(4);
            prefixes = new int[routes];
            lengths = new int[routes];
            nextHops = new int[routes];
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
        }
    }

    @State(Scope.Thread)
    public static class Lookup4 {
        Ipv4Fib fib;
        int[] destinations;
        int cursor;

        @Setup(Level.Trial)
        public void build(Routes4 r) {
            fib = new Ipv4Fib();
            for (int i = 0; i < r.routes; i++) {
                fib.add(r.prefixes[i], r.lengths[i], r.nextHops[i]);
            }
            SplittableRandom random = new SplittableRandom(44);
            destinations = new int[DESTINATIONS];
            for (int i = 0; i < DESTINATIONS; i++) {
                if (random.nextInt(10) == 0) {
                    destinations[i] = random.nextInt();
                } else {
                    int route = random.nextInt(r.routes);
                    int length = r.lengths[route];
                    int hostMask = length == 32 ? 0 : -1 >>> length;
                    destinations[i] = r.prefixes[route] | (random.nextInt() & hostMask);
                }
            }
        }
    }

    @State(Scope.Thread)
    public static class Insert4 {
        Ipv4Fib fib = new Ipv4Fib();
        int cursor;
    }

    /** Routes of the Ipv6 benchmarks. */
    @State(Scope.Benchmark)
    public static class Routes6 {
        @Param({"1000", "100000", "1000000"})
        public int routes;

        long[] his;
        long[] los;
        int[] lengths;
        int[] nextHops;

        @Setup(Level.Trial)
        public void generate() {
            SplittableRandom random = new SplittableRandom(6);
            his = new long[routes];
            los = new long[routes];
            lengths = new int[routes];
            nextHops = new int[routes];
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
        }
    }

    record Key6(long hi, long lo, int length) {
    }

    @State(Scope.Thread)
    public static class Lookup6 {
        Ipv6Fib fib;
        long[] destinationHis;
        long[] destinationLos;
        int cursor;

        @Setup(Level.Trial)
        public void build(Routes6 r) {
            fib = new Ipv6Fib();
            for (int i = 0; i < r.routes; i++) {
                fib.add(r.his[i], r.los[i], r.lengths[i], r.nextHops[i]);
            }
            SplittableRandom random = new SplittableRandom(66);
            destinationHis = new long[DESTINATIONS];
            destinationLos = new long[DESTINATIONS];
            for (int i = 0; i < DESTINATIONS; i++) {
                if (random.nextInt(10) == 0) {
                    destinationHis[i] = 0x2000_0000_0000_0000L | (random.nextLong() >>> 3);
                    destinationLos[i] = random.nextLong();
                } else {
                    int route = random.nextInt(r.routes);
                    int length = r.lengths[route];
                    long hiHost = length >= 64 ? 0 : -1L >>> length;
                    long loHost = length <= 64 ? -1L : length == 128 ? 0 : -1L >>> (length - 64);
                    destinationHis[i] = r.his[route] | (random.nextLong() & hiHost);
                    destinationLos[i] = r.los[route] | (random.nextLong() & loHost);
                }
            }
        }
    }

    @State(Scope.Thread)
    public static class Insert6 {
        Ipv6Fib fib = new Ipv6Fib();
        int cursor;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int ipv4Lookup(Lookup4 s) {
        Ipv4Fib fib = s.fib;
        int[] destinations = s.destinations;
        int at = s.cursor;
        int sum = 0;
        for (int i = 0; i < BATCH; i++) {
            sum += fib.lookup(destinations[(at + i) & (DESTINATIONS - 1)]);
        }
        s.cursor = at + BATCH;
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int ipv6Lookup(Lookup6 s) {
        Ipv6Fib fib = s.fib;
        long[] his = s.destinationHis;
        long[] los = s.destinationLos;
        int at = s.cursor;
        int sum = 0;
        for (int i = 0; i < BATCH; i++) {
            int d = (at + i) & (DESTINATIONS - 1);
            sum += fib.lookup(his[d], los[d]);
        }
        s.cursor = at + BATCH;
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int ipv4Insert(Routes4 r, Insert4 s) {
        Ipv4Fib fib = s.fib;
        int at = s.cursor;
        for (int i = 0; i < BATCH; i++) {
            if (at == r.routes) {
                fib.clear();
                at = 0;
            }
            fib.add(r.prefixes[at], r.lengths[at], r.nextHops[at]);
            at++;
        }
        s.cursor = at;
        return fib.size();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int ipv6Insert(Routes6 r, Insert6 s) {
        Ipv6Fib fib = s.fib;
        int at = s.cursor;
        for (int i = 0; i < BATCH; i++) {
            if (at == r.routes) {
                fib.clear();
                at = 0;
            }
            fib.add(r.his[at], r.los[at], r.lengths[at], r.nextHops[at]);
            at++;
        }
        s.cursor = at;
        return fib.size();
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

    /** About the public IPv6 table: 45% /48, 12% /32, 8% /44, 6% /40, 4% /36, 3% /29, plus /46-/47, /56, /64, /128. */
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
