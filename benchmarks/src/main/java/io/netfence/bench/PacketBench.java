package io.netfence.bench;

import io.netfence.packet.DropReason;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.FlowKey;
import io.netfence.packet.Ipv4;
import io.netfence.packet.Ipv6;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import io.netfence.packet.Tcp;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The packet library's per-packet costs, measured the way the dataplane calls it: over a batch
 * of {@link PacketBatch#DEFAULT_SIZE} buffers with varied addresses and ports, one operation
 * per packet (the score is <b>ns per frame</b>).
 * <ul>
 * <li>{@link #dissect} runs the flow dissector over typical frames ({@link Frames#frame});
 * {@link #dissectReferenceCopy}, its reference, copies the same frames with
 * {@code System.arraycopy} into a scratch buffer: the least any packet path does per frame
 * (a driver copy, as in {@link PacketBuffer#load}), so the ratio reads "one dissection costs
 * N frame copies".</li>
 * <li>{@link #ipv4TtlDecrementIncrementalChecksum} (what forwarding does) against its reference
 * {@link #ipv4TtlDecrementFullChecksum}, a full recomputation of the header checksum.</li>
 * </ul>
 * Run with e.g. {@code java -jar benchmarks/target/benchmarks.jar -f 2 -i 3 -r 1s PacketBench}
 * (see docs/PERFORMANCE-jmh.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = "-XX:+UseCompactObjectHeaders")
public class PacketBench {
    static final int BATCH = PacketBatch.DEFAULT_SIZE;
    private static final long MAC_A = 0x0200_0000_0001L;
    private static final long MAC_B = 0x0200_0000_0002L;

    /** A batch of one kind of frame, every frame checked to dissect without a drop. */
    @State(Scope.Thread)
    public static class Frames {
        /**
         * udp4: 64-byte Ethernet/IPv4/UDP. tcp6: 86-byte Ethernet/IPv6/TCP (an ACK with room
         * for timestamps). tcp6ext: 128-byte TCP/IPv6 behind a hop-by-hop and a destination-options
         * header. vlan: 68-byte 802.1Q-tagged IPv4/UDP. arp: 60-byte ARP request.
         */
        @Param({"udp4", "tcp6", "tcp6ext", "vlan", "arp"})
        public String frame;

        PacketBatch batch;
        final byte[] scratch = new byte[PacketBuffer.HEADROOM + 2048];

        @Setup
        public void setup() {
            SplittableRandom r = new SplittableRandom(64);
            batch = PacketBatch.owning(BATCH, 2048);
            for (int i = 0; i < BATCH; i++) {
                byte[] f = build(frame, r);
                PacketBuffer p = batch.next();
                p.load(f, 0, f.length);
                batch.commit();
            }
            for (int i = 0; i < BATCH; i++) {
                PacketBuffer p = batch.get(i);
                int code = FlowDissector.dissect(p);
                if (code != -1) {
                    throw new IllegalStateException(frame + " frame " + i + " is dropped as " + DropReason.of(code));
                }
                check(frame, p.key);
            }
        }
    }

    /** A batch of IPv4/UDP frames for the TTL/checksum benchmarks. */
    @State(Scope.Thread)
    public static class Checksums {
        PacketBatch batch;

        @Setup
        public void setup() {
            SplittableRandom r = new SplittableRandom(65);
            batch = PacketBatch.owning(BATCH, 2048);
            for (int i = 0; i < BATCH; i++) {
                byte[] f = build("udp4", r);
                PacketBuffer p = batch.next();
                p.load(f, 0, f.length);
                batch.commit();
            }
        }
    }

    /** One frame of the given kind with random (but valid) addresses and ports. */
    static byte[] build(String kind, SplittableRandom r) {
        // Varied addresses and ports, as real traffic has, so nothing is constant-folded.
        int src4 = 0x0A00_0000 | r.nextInt(1 << 24);
        int dst4 = 0xC0A8_0000 | r.nextInt(1 << 16);
        long srcHi = 0x2001_0DB8_0000_0000L | (r.nextInt() & 0xFFFF_FFFFL);
        long dstHi = 0x2001_0DB8_0001_0000L;
        int sport = r.nextInt(1024, 65536);
        return switch (kind) {
            case "udp4" -> PacketBuilder.ethernet(MAC_B, MAC_A).ipv4(src4, dst4).ttl(64).udp(sport, 53).size(64).build();
            case "tcp6" -> PacketBuilder.ethernet(MAC_B, MAC_A).ipv6(srcHi, r.nextLong(), dstHi, r.nextLong())
                    .tcp(sport, 443, Tcp.ACK).size(86).build();
            case "tcp6ext" -> PacketBuilder.ethernet(MAC_B, MAC_A).ipv6(srcHi, r.nextLong(), dstHi, r.nextLong())
                    .extensionHeader(Ipv6.HOPOPTS, 8).extensionHeader(Ipv6.DSTOPTS, 16)
                    .tcp(sport, 443, Tcp.ACK).size(128).build();
            case "vlan" -> PacketBuilder.ethernet(MAC_B, MAC_A).vlan(r.nextInt(1, 4095), r.nextInt(8))
                    .ipv4(src4, dst4).ttl(64).udp(sport, 53).size(68).build();
            case "arp" -> PacketBuilder.ethernet(0xFFFF_FFFF_FFFFL, MAC_A).arpRequest(MAC_A, src4, dst4).size(60).build();
            default -> throw new IllegalArgumentException("unknown frame kind " + kind);
        };
    }

    /** Fails unless the dissector really went through the headers the frame kind promises. */
    static void check(String kind, FlowKey k) {
        boolean ok = switch (kind) {
            case "udp4" -> k.ipVersion == 4 && k.ipProto == 17 && k.dstPort == 53 && k.vlanId == -1;
            case "tcp6", "tcp6ext" -> k.ipVersion == 6 && k.ipProto == Tcp.PROTO && k.dstPort == 443;
            case "vlan" -> k.vlanId > 0 && k.ipVersion == 4 && k.ipProto == 17 && k.dstPort == 53;
            case "arp" -> k.ethType == FlowKey.ETH_P_ARP && k.ipProto == 1 && k.ipv4Src != 0;
            default -> false;
        };
        if (!ok) {
            throw new IllegalStateException(kind + " frame dissected into an unexpected key");
        }
    }

    /** The flow dissector over a batch of typical frames. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void dissect(Frames f, Blackhole bh) {
        PacketBatch b = f.batch;
        for (int i = 0; i < BATCH; i++) {
            PacketBuffer p = b.get(i);
            bh.consume(FlowDissector.dissect(p));
            bh.consume(p.key.ipv4Src ^ p.key.srcPort);
        }
    }

    /** Reference for {@link #dissect}: a plain copy of each of the same frames (same length). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void dissectReferenceCopy(Frames f, Blackhole bh) {
        PacketBatch b = f.batch;
        byte[] scratch = f.scratch;
        for (int i = 0; i < BATCH; i++) {
            PacketBuffer p = b.get(i);
            System.arraycopy(p.data, p.offset, scratch, PacketBuffer.HEADROOM, p.length);
            bh.consume(scratch[PacketBuffer.HEADROOM + p.length - 1]);
        }
    }

    /** TTL decrement with a full recomputation of the header checksum (reference). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void ipv4TtlDecrementFullChecksum(Checksums c, Blackhole bh) {
        PacketBatch b = c.batch;
        for (int i = 0; i < BATCH; i++) {
            PacketBuffer p = b.get(i);
            byte[] d = p.data;
            int ip = p.offset + 14;
            int ttl = rewind(d, ip);
            d[ip + 8] = (byte) (ttl - 1);
            Ipv4.setChecksum(d, ip);
            bh.consume(Ipv4.checksum(d, ip));
        }
    }

    /** TTL decrement with the RFC 1624 incremental update, as forwarding does it. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void ipv4TtlDecrementIncrementalChecksum(Checksums c, Blackhole bh) {
        PacketBatch b = c.batch;
        for (int i = 0; i < BATCH; i++) {
            PacketBuffer p = b.get(i);
            byte[] d = p.data;
            int ip = p.offset + 14;
            rewind(d, ip);
            Ipv4.decrementTtl(d, ip);
            bh.consume(Ipv4.checksum(d, ip));
        }
    }

    /** Keeps the state stationary: a TTL about to expire is set back to 255 (once per 254 calls, in both variants). */
    private static int rewind(byte[] d, int ip) {
        int ttl = Ipv4.ttl(d, ip);
        if (ttl <= 1) {
            Ipv4.setTtl(d, ip, 255);
            ttl = 255;
        }
        return ttl;
    }
}
