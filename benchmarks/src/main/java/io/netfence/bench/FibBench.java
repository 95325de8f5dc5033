package io.netfence.bench;

import io.netfence.fib.Ipv4Fib;
import io.netfence.fib.Ipv6Fib;
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
 * Longest-prefix-match cost of the FIBs at 1k, 100k and 1M routes, each next to a reference
 * measured in the same run over the same routes and addresses: {@link NaiveLpm4} /
 * {@link NaiveLpm6}, one {@code HashMap} per prefix length probed longest first (the obvious
 * Java implementation). Method pairs: {@code ipv4Lookup} / {@code ipv4LookupNaive}, and so on.
 * <ul>
 * <li>Lookups: one invocation does 64 lookups (a dataplane batch) over a precomputed pool of
 * 2^20 destinations, 90% inside a random route and 10% anywhere, walked in order so that the
 * caches see a realistic spread rather than a few hot lines. The score is <b>ns per lookup</b>
 * ({@code @OperationsPerInvocation(64)}); the next hops are summed and returned, so no lookup
 * can be eliminated.</li>
 * <li>Inserts: the time per route of loading the table from empty in random order (a full
 * load of {@code routes} routes, then the table is cleared and loaded again; the clear is part
 * of the cost). The score is <b>ns per route</b>.</li>
 * </ul>
 * Route lengths follow the rough shape of the public Internet tables (see {@link RouteSets}).
 * Two forks by default: one fork's figures can differ from another's by up to 2x (JIT and
 * memory layout), which a single fork cannot show. Run with e.g.
 * {@code java -jar benchmarks/target/benchmarks.jar -f 2 -i 3 -r 1s Lookup} (see docs/PERFORMANCE-jmh.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// The naive references need 3-7 s on a busy 2-core machine before C2 has compiled them for
// good (seen with -XX:+PrintCompilation); a shorter warmup flatters the FIB.
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx6g", "-XX:+UseCompactObjectHeaders"})
public class FibBench {
    static final int BATCH = 64;
    static final int DESTINATIONS = 1 << 20;

    /** Routes and destinations of the IPv4 benchmarks, shared by the FIB and the reference. */
    @State(Scope.Benchmark)
    public static class Table4 {
        @Param({"1000", "100000", "1000000"})
        public int routes;

        RouteSets.Routes4 r;
        int[] destinations;

        @Setup(Level.Trial)
        public void generate() {
            r = RouteSets.ipv4(routes, 4);
            destinations = RouteSets.ipv4Destinations(r, DESTINATIONS, 44);
        }
    }

    @State(Scope.Thread)
    public static class Fib4 {
        Ipv4Fib fib;
        int cursor;

        @Setup(Level.Trial)
        public void build(Table4 t) {
            fib = new Ipv4Fib();
            RouteSets.Routes4 r = t.r;
            for (int i = 0; i < r.size(); i++) {
                fib.add(r.prefixes()[i], r.lengths()[i], r.nextHops()[i]);
            }
        }
    }

    @State(Scope.Thread)
    public static class Naive4 {
        NaiveLpm4 lpm;
        int cursor;

        @Setup(Level.Trial)
        public void build(Table4 t) {
            lpm = new NaiveLpm4();
            RouteSets.Routes4 r = t.r;
            for (int i = 0; i < r.size(); i++) {
                lpm.add(r.prefixes()[i], r.lengths()[i], r.nextHops()[i]);
            }
        }
    }

    @State(Scope.Thread)
    public static class Load4 {
        final Ipv4Fib fib = new Ipv4Fib();
        final NaiveLpm4 lpm = new NaiveLpm4();
        int cursor;
    }

    /** Routes and destinations of the IPv6 benchmarks. */
    @State(Scope.Benchmark)
    public static class Table6 {
        @Param({"1000", "100000", "1000000"})
        public int routes;

        RouteSets.Routes6 r;
        long[] destinationHis;
        long[] destinationLos;

        @Setup(Level.Trial)
        public void generate() {
            r = RouteSets.ipv6(routes, 6);
            long[][] d = RouteSets.ipv6Destinations(r, DESTINATIONS, 66);
            destinationHis = d[0];
            destinationLos = d[1];
        }
    }

    @State(Scope.Thread)
    public static class Fib6 {
        Ipv6Fib fib;
        int cursor;

        @Setup(Level.Trial)
        public void build(Table6 t) {
            fib = new Ipv6Fib();
            RouteSets.Routes6 r = t.r;
            for (int i = 0; i < r.size(); i++) {
                fib.add(r.his()[i], r.los()[i], r.lengths()[i], r.nextHops()[i]);
            }
        }
    }

    @State(Scope.Thread)
    public static class Naive6 {
        NaiveLpm6 lpm;
        int cursor;

        @Setup(Level.Trial)
        public void build(Table6 t) {
            lpm = new NaiveLpm6();
            RouteSets.Routes6 r = t.r;
            for (int i = 0; i < r.size(); i++) {
                lpm.add(r.his()[i], r.los()[i], r.lengths()[i], r.nextHops()[i]);
            }
        }
    }

    @State(Scope.Thread)
    public static class Load6 {
        final Ipv6Fib fib = new Ipv6Fib();
        final NaiveLpm6 lpm = new NaiveLpm6();
        int cursor;
    }

    // ------------------------------------------------------------------ lookups (ns per lookup)

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int ipv4Lookup(Table4 t, Fib4 s) {
        Ipv4Fib fib = s.fib;
        int[] destinations = t.destinations;
        int at = s.cursor;
        int sum = 0;
        for (int i = 0; i < BATCH; i++) {
            sum += fib.lookup(destinations[(at + i) & (DESTINATIONS - 1)]);
        }
        s.cursor = at + BATCH;
        return sum;
    }

    /** Reference for {@link #ipv4Lookup}: the same addresses through {@link NaiveLpm4}. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int ipv4LookupNaive(Table4 t, Naive4 s) {
        NaiveLpm4 lpm = s.lpm;
        int[] destinations = t.destinations;
        int at = s.cursor;
        int sum = 0;
        for (int i = 0; i < BATCH; i++) {
            sum += lpm.lookup(destinations[(at + i) & (DESTINATIONS - 1)]);
        }
        s.cursor = at + BATCH;
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int ipv6Lookup(Table6 t, Fib6 s) {
        Ipv6Fib fib = s.fib;
        long[] his = t.destinationHis;
        long[] los = t.destinationLos;
        int at = s.cursor;
        int sum = 0;
        for (int i = 0; i < BATCH; i++) {
            int d = (at + i) & (DESTINATIONS - 1);
            sum += fib.lookup(his[d], los[d]);
        }
        s.cursor = at + BATCH;
        return sum;
    }

    /** Reference for {@link #ipv6Lookup}: the same addresses through {@link NaiveLpm6}. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int ipv6LookupNaive(Table6 t, Naive6 s) {
        NaiveLpm6 lpm = s.lpm;
        long[] his = t.destinationHis;
        long[] los = t.destinationLos;
        int at = s.cursor;
        int sum = 0;
        for (int i = 0; i < BATCH; i++) {
            int d = (at + i) & (DESTINATIONS - 1);
            sum += lpm.lookup(his[d], los[d]);
        }
        s.cursor = at + BATCH;
        return sum;
    }

    // ------------------------------------------------------------------ inserts (ns per route)

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int ipv4Insert(Table4 t, Load4 s) {
        RouteSets.Routes4 r = t.r;
        Ipv4Fib fib = s.fib;
        int at = s.cursor;
        for (int i = 0; i < BATCH; i++) {
            if (at == r.size()) {
                fib.clear();
                at = 0;
            }
            fib.add(r.prefixes()[at], r.lengths()[at], r.nextHops()[at]);
            at++;
        }
        s.cursor = at;
        return fib.size();
    }

    /** Reference for {@link #ipv4Insert}: the same load into {@link NaiveLpm4}. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int ipv4InsertNaive(Table4 t, Load4 s) {
        RouteSets.Routes4 r = t.r;
        NaiveLpm4 lpm = s.lpm;
        int at = s.cursor;
        for (int i = 0; i < BATCH; i++) {
            if (at == r.size()) {
                lpm.clear();
                at = 0;
            }
            lpm.add(r.prefixes()[at], r.lengths()[at], r.nextHops()[at]);
            at++;
        }
        s.cursor = at;
        return at;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int ipv6Insert(Table6 t, Load6 s) {
        RouteSets.Routes6 r = t.r;
        Ipv6Fib fib = s.fib;
        int at = s.cursor;
        for (int i = 0; i < BATCH; i++) {
            if (at == r.size()) {
                fib.clear();
                at = 0;
            }
            fib.add(r.his()[at], r.los()[at], r.lengths()[at], r.nextHops()[at]);
            at++;
        }
        s.cursor = at;
        return fib.size();
    }

    /** Reference for {@link #ipv6Insert}: the same load into {@link NaiveLpm6}. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int ipv6InsertNaive(Table6 t, Load6 s) {
        RouteSets.Routes6 r = t.r;
        NaiveLpm6 lpm = s.lpm;
        int at = s.cursor;
        for (int i = 0; i < BATCH; i++) {
            if (at == r.size()) {
                lpm.clear();
                at = 0;
            }
            lpm.add(r.his()[at], r.los()[at], r.lengths()[at], r.nextHops()[at]);
            at++;
        }
        s.cursor = at;
        return at;
    }
}
