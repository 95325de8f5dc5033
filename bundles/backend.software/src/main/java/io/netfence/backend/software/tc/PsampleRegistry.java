package io.netfence.backend.software.tc;

import io.netfence.tc.api.PacketSample;
import io.netfence.tc.api.PsampleGroup;
import io.netfence.tc.api.PsampleService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Linux's psample module for the software dataplane: sample groups by number, each a
 * {@link Ring} of preallocated slots the sample action copies into without allocating.
 *
 * <p>A group is made when a sample action first names it and kept until the backend stops (Linux
 * drops an unreferenced group; keeping it keeps its unread samples and sequence readable). Its
 * slots hold {@value #CAPACITY} samples of up to {@link Ring#maxBytes()} bytes: the largest
 * {@code trunc} of the actions naming the group, or {@value #MAX_BYTES} (a whole 1500-byte frame
 * and its header) without one, as Linux then sends the whole packet; never more than
 * {@value #MAX_BYTES}, so a group costs at most 2 MiB.
 */
final class PsampleRegistry implements PsampleService {
    /** Unread samples a group holds: what a netlink socket buffer would take of small samples. */
    static final int CAPACITY = 1024;
    /** The most bytes of a packet a sample keeps. */
    static final int MAX_BYTES = 2048;

    private final Map<Integer, Ring> groups = new TreeMap<>();

    /** The ring of {@code group}, made or grown for {@code trunc} (0: no truncation). Control plane only. */
    synchronized Ring group(int group, int trunc) {
        int bytes = trunc <= 0 ? MAX_BYTES : Math.min(trunc, MAX_BYTES);
        Ring r = groups.computeIfAbsent(group, g -> new Ring(g, CAPACITY, bytes));
        r.ensureBytes(bytes);
        return r;
    }

    @Override
    public synchronized List<PsampleGroup> groups() {
        List<PsampleGroup> out = new ArrayList<>();
        for (Ring r : groups.values()) {
            out.add(r.info());
        }
        return out;
    }

    @Override
    public List<PacketSample> take(int group) {
        Ring r = ring(group);
        return r == null ? List.of() : r.read(true);
    }

    @Override
    public List<PacketSample> peek(int group) {
        Ring r = ring(group);
        return r == null ? List.of() : r.read(false);
    }

    private synchronized Ring ring(int group) {
        return groups.get(group);
    }

    /**
     * One group's bounded queue: slots allocated up front, written by the packet path under the
     * ring's monitor (one sample in N packets, so contention between workers is rare, and an
     * uncontended monitor allocates nothing). When it is full the new sample is dropped and
     * counted, as netlink drops a multicast to a full socket; its sequence number is used anyway,
     * as psample numbers a sample before sending it, so a reader sees the gap.
     */
    static final class Ring {
        private final int group;
        private final int capacity;
        private byte[][] data;
        private final int[] lengths;
        private final long[] seqs;
        private final int[] iifs;
        private final int[] oifs;
        private final int[] origSizes;
        private final int[] rates;
        private final long[] times;
        /** The slot of the oldest unread sample. */
        private int head;
        private int held;
        private long seq;
        private long dropped;

        Ring(int group, int capacity, int maxBytes) {
            this.group = group;
            this.capacity = capacity;
            data = new byte[capacity][maxBytes];
            lengths = new int[capacity];
            seqs = new long[capacity];
            iifs = new int[capacity];
            oifs = new int[capacity];
            origSizes = new int[capacity];
            rates = new int[capacity];
            times = new long[capacity];
        }

        synchronized int maxBytes() {
            return data[0].length;
        }

        /** Grows every slot to {@code bytes} (a new action with a larger trunc); keeps what they hold. */
        synchronized void ensureBytes(int bytes) {
            if (bytes > data[0].length) {
                byte[][] grown = new byte[capacity][];
                for (int i = 0; i < capacity; i++) {
                    grown[i] = java.util.Arrays.copyOf(data[i], bytes);
                }
                data = grown;
            }
        }

        /**
         * Copies one sample in: {@code len} bytes of {@code src} from {@code off} (cut to the slot),
         * or drops and counts it when the queue is full. Allocates nothing.
         */
        synchronized void offer(byte[] src, int off, int len, int origSize, int iif, int oif, int rate, long timeNanos) {
            long s = seq++;
            if (held == capacity) {
                dropped++;
                return;
            }
            int slot = head + held;
            if (slot >= capacity) {
                slot -= capacity;
            }
            byte[] d = data[slot];
            int n = Math.min(len, d.length);
            System.arraycopy(src, off, d, 0, n);
            lengths[slot] = n;
            seqs[slot] = s;
            iifs[slot] = iif;
            oifs[slot] = oif;
            origSizes[slot] = origSize;
            rates[slot] = rate;
            times[slot] = timeNanos;
            held++;
        }

        synchronized List<PacketSample> read(boolean take) {
            List<PacketSample> out = new ArrayList<>(held);
            for (int i = 0; i < held; i++) {
                int slot = (head + i) % capacity;
                out.add(new PacketSample(group, seqs[slot], iifs[slot], oifs[slot], origSizes[slot], rates[slot], times[slot],
                        java.util.Arrays.copyOf(data[slot], lengths[slot])));
            }
            if (take) {
                head = (head + held) % capacity;
                held = 0;
            }
            return out;
        }

        synchronized PsampleGroup info() {
            return new PsampleGroup(group, seq, held, capacity, data[0].length, dropped);
        }
    }
}
