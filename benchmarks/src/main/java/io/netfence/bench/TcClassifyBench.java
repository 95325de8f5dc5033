package io.netfence.bench;

import io.netfence.backend.software.tc.SoftwareTcProvider;
import io.netfence.net.spi.PacketStage;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.IpAddress;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import io.netfence.shell.bench.BenchTc;
import io.netfence.tc.api.Action;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.GactAction;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.spi.ClsOffload;
import io.netfence.tc.spi.SharedAction;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * tc ingress classification alone: a batch of 32 UDP packets (256 flows in turn) through the
 * software backend's ingress stage with 10, 10k and 100k flower rules over four masks — the rule
 * set of {@code bench tc} ({@link BenchTc}), exactly one rule matching. The cost must follow the
 * number of masks, not rules. Reported per batch; divide by 32 for a packet.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class TcClassifyBench {
    private static final int PORT = 1;
    private static final IpAddress SOURCE = IpAddress.parse("198.18.0.2");

    @Param({"10", "10000", "100000"})
    public int rules;

    private PacketStage ingress;
    private final PacketBuffer[] packets = new PacketBuffer[256];
    private final PacketBatch batch = PacketBatch.referring(32);
    private int next;

    @Setup
    public void setUp() {
        SoftwareTcProvider tc = new SoftwareTcProvider(dev -> dev.equals("eth0") ? PORT : -1);
        tc.bind("eth0", TcHook.INGRESS, 1);
        long cookie = 0;
        for (Filter f : BenchTc.rules("eth0", rules, SOURCE, 9)) {
            cookie++;
            Action pass = ((GactAction) f.actions().getFirst()).withIndex((int) cookie);
            Filter numbered = f.withHandle(cookie).withActions(List.of(pass));
            if (tc.replace(new ClsOffload(1, cookie, numbered, List.of(new SharedAction(pass)))) != null) {
                throw new IllegalStateException("rule " + cookie + " refused");
            }
        }
        tc.commit();
        ingress = tc.ingressStage();
        for (int i = 0; i < packets.length; i++) {
            byte[] frame = PacketBuilder.ethernet(0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L).ipv4(SOURCE.v4bits(), 0xC613_8001)
                    .udp(1024 + i, 9).size(64).build();
            PacketBuffer p = new PacketBuffer();
            p.load(frame, 0, frame.length);
            packets[i] = p;
        }
    }

    @Setup(Level.Invocation)
    public void fill() {
        batch.clear();
        for (int i = 0; i < 32; i++) {
            PacketBuffer p = packets[next];
            next = (next + 1) & 255;
            p.inPort = PORT;
            p.outPort = -1;
            p.dropReason = -1;
            FlowDissector.dissect(p);
            batch.add(p);
        }
    }

    @Benchmark
    public int classifyBatch() {
        ingress.process(batch, PORT);
        return batch.get(31).dropReason;
    }
}
