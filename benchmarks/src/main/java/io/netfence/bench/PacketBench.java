package io.netfence.bench;

import io.netfence.packet.DropReason;
import io.netfence.packet.FlowDissector;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The packet library's per-packet costs, measured the way the dataplane calls it: over a batch
 * of {@link PacketBatch#DEFAULT_SIZE} buffers, one operation per packet. Run with e.g.
 * {@code java -jar benchmarks/target/benchmarks.jar -f 1 -wi 3 -i 5 PacketBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PacketBench {
    private static final int BATCH = PacketBatch.DEFAULT_SIZE;

    private PacketBatch udp4;
    private PacketBatch tcp6;
    private PacketBatch checksums;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(64);
        udp4 = PacketBatch.owning(BATCH, 2048);
        tcp6 = PacketBatch.owning(BATCH, 2048);
        checksums = PacketBatch.owning(BATCH, 2048);
        for (int i = 0; i < BATCH; i++) {
            // Varied addresses and ports, as real traffic has, so nothing is constant-folded.
            int src = 0x0A00_0000 | r.nextInt(1 << 24);
            int dst = 0xC0A8_0000 | r.nextInt(1 << 16);
            byte[] u = PacketBuilder.ethernet(0x0200_0000_0002L, 0x0200_0000_0001L)
                    .ipv4(src, dst).ttl(64).udp(r.nextInt(1024, 65536), 53).size(64).build();
            load(udp4, u);
            byte[] t = PacketBuilder.ethernet(0x0200_0000_0002L, 0x0200_0000_0001L)
                    .ipv6(0x2001_0DB8_0000_0000L | (r.nextInt() & 0xFFFF_FFFFL), r.nextLong(), 0x2001_0DB8_0001_0000L, r.nextLong())
                    .extensionHeader(Ipv6.HOPOPTS, 8).extensionHeader(Ipv6.DSTOPTS, 16)
                    .tcp(r.nextInt(1024, 65536), 443, Tcp.ACK).size(128).build();
            load(tcp6, t);
            load(checksums, PacketBuilder.ethernet(1, 2).ipv4(src, dst).ttl(64).udp(1, 2).size(64).build());
        }
        for (PacketBatch b : new PacketBatch[] {udp4, tcp6}) {
            for (int i = 0; i < BATCH; i++) {
                int code = FlowDissector.dissect(b.get(i));
                if (code != -1) {
                    throw new IllegalStateException("benchmark frame " + i + " is dropped as " + DropReason.of(code));
                }
            }
        }
    }

    private static void load(PacketBatch batch, byte[] frame) {
        PacketBuffer p = batch.next();
        p.load(frame, 0, frame.length);
        batch.commit();
    }

    /** A 64-byte UDP/IPv4 frame: Ethernet, IPv4 with header checksum check, UDP. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void dissectUdp4(Blackhole bh) {
        PacketBatch b = udp4;
        for (int i = 0; i < BATCH; i++) {
            PacketBuffer p = b.get(i);
            bh.consume(FlowDissector.dissect(p));
            bh.consume(p.key.srcPort);
        }
    }

    /** TCP/IPv6 behind a hop-by-hop and a destination-options header. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void dissectTcp6TwoExtensionHeaders(Blackhole bh) {
        PacketBatch b = tcp6;
        for (int i = 0; i < BATCH; i++) {
            PacketBuffer p = b.get(i);
            bh.consume(FlowDissector.dissect(p));
            bh.consume(p.key.srcPort);
        }
    }

    /** TTL decrement with a full recomputation of the header checksum. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void ipv4TtlDecrementFullChecksum(Blackhole bh) {
        PacketBatch b = checksums;
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
    public void ipv4TtlDecrementIncrementalChecksum(Blackhole bh) {
        PacketBatch b = checksums;
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
