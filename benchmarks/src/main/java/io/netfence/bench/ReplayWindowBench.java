package io.netfence.bench;

import io.netfence.xfrm.api.ReplayWindow;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the anti-replay window costs an arriving ESP packet: {@code check} before decryption and
 * {@code accept} after the ICV verified, for packets in order and for packets that arrive up to a
 * window's width out of order. {@code bench esp ... decrypt} replays one packet with the window
 * off (so the same packet is accepted again and again); this is the part it leaves out.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ReplayWindowBench {
    @Param({"32", "128", "4096"})
    public int window;

    @Param({"false", "true"})
    public boolean esn;

    private ReplayWindow w;
    private long seq;
    /** Reordering pattern: each block of 8 packets arrives as 8,1,2,...,7 shifted by the block. */
    private static final int[] ORDER = {7, 0, 1, 2, 3, 4, 5, 6};

    @Setup
    public void setup() {
        w = new ReplayWindow(window, esn);
        seq = 1;
    }

    @Benchmark
    public long inOrder() {
        long s = seq++;
        long r = w.check((int) s);
        if (r > 0) {
            w.accept(r);
        }
        return r;
    }

    @Benchmark
    public long reordered() {
        long n = seq++;
        long s = (n & ~7L) + ORDER[(int) (n & 7)] + 1;
        long r = w.check((int) s);
        if (r > 0) {
            w.accept(r);
        }
        return r;
    }
}
