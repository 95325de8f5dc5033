package io.netfence.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.fib.Ipv4Fib;
import io.netfence.fib.Ipv6Fib;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.PacketBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Keeps the benchmarks honest, quickly (about a second, no JMH run): the naive references give
 * the same answers as the FIBs on the benchmark's kind of routes and addresses, and every frame
 * kind of {@link PacketBench} builds and dissects as intended.
 */
class ReferenceTest {
    @Test
    void naiveIpv4AgreesWithFib() {
        RouteSets.Routes4 r = RouteSets.ipv4(20_000, 4);
        Ipv4Fib fib = new Ipv4Fib();
        NaiveLpm4 naive = new NaiveLpm4();
        for (int i = 0; i < r.size(); i++) {
            fib.add(r.prefixes()[i], r.lengths()[i], r.nextHops()[i]);
            naive.add(r.prefixes()[i], r.lengths()[i], r.nextHops()[i]);
        }
        int hits = 0;
        for (int d : RouteSets.ipv4Destinations(r, 100_000, 44)) {
            int expected = naive.lookup(d);
            assertEquals(expected, fib.lookup(d), () -> "address " + Integer.toUnsignedString(d, 16));
            hits += expected >= 0 ? 1 : 0;
        }
        assertTrue(hits > 80_000, "most destinations lie inside a route: " + hits);
    }

    @Test
    void naiveIpv6AgreesWithFib() {
        RouteSets.Routes6 r = RouteSets.ipv6(20_000, 6);
        Ipv6Fib fib = new Ipv6Fib();
        NaiveLpm6 naive = new NaiveLpm6();
        for (int i = 0; i < r.size(); i++) {
            fib.add(r.his()[i], r.los()[i], r.lengths()[i], r.nextHops()[i]);
            naive.add(r.his()[i], r.los()[i], r.lengths()[i], r.nextHops()[i]);
        }
        long[][] d = RouteSets.ipv6Destinations(r, 100_000, 66);
        int hits = 0;
        for (int i = 0; i < d[0].length; i++) {
            int expected = naive.lookup(d[0][i], d[1][i]);
            assertEquals(expected, fib.lookup(d[0][i], d[1][i]), "destination " + i);
            hits += expected >= 0 ? 1 : 0;
        }
        assertTrue(hits > 80_000, "most destinations lie inside a route: " + hits);
    }

    @Test
    void naiveReferencesDoLongestPrefixMatch() {
        NaiveLpm4 v4 = new NaiveLpm4();
        assertEquals(NaiveLpm4.NO_ROUTE, v4.lookup(0x0A01_0203));
        v4.add(0, 0, 1);
        v4.add(0x0A00_0000, 8, 2);
        v4.add(0x0A01_0200, 24, 3);
        assertEquals(3, v4.lookup(0x0A01_0203));
        assertEquals(2, v4.lookup(0x0A02_0203));
        assertEquals(1, v4.lookup(0x0B01_0203));
        NaiveLpm6 v6 = new NaiveLpm6();
        v6.add(0x2001_0DB8_0000_0000L, 0, 32, 1);
        v6.add(0x2001_0DB8_0000_0000L, 0x1L, 128, 2);
        assertEquals(2, v6.lookup(0x2001_0DB8_0000_0000L, 1));
        assertEquals(1, v6.lookup(0x2001_0DB8_0000_0000L, 2));
        assertEquals(NaiveLpm6.NO_ROUTE, v6.lookup(0x2001_0DB9_0000_0000L, 1));
    }

    @Test
    void everyFrameKindDissects() {
        for (String kind : new String[] {"udp4", "tcp6", "tcp6ext", "vlan", "arp"}) {
            PacketBench.Frames frames = new PacketBench.Frames();
            frames.frame = kind;
            frames.setup(); // throws unless all frames dissect into the expected key
            PacketBuffer p = frames.batch.get(0);
            assertEquals(-1, FlowDissector.dissect(p), kind);
        }
        new PacketBench.Checksums().setup();
    }

    @Test
    void frameKindsHaveTheDocumentedSizes() {
        SplittableRandom r = new SplittableRandom(1);
        assertEquals(64, PacketBench.build("udp4", r).length);
        assertEquals(86, PacketBench.build("tcp6", r).length);
        assertEquals(128, PacketBench.build("tcp6ext", r).length);
        assertEquals(68, PacketBench.build("vlan", r).length);
        assertEquals(60, PacketBench.build("arp", r).length);
    }
}
