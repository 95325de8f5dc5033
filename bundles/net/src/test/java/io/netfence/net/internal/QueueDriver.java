package io.netfence.net.internal;

import io.netfence.net.api.NetException;
import io.netfence.net.spi.PortDevice;
import io.netfence.net.spi.PortDriver;
import io.netfence.net.spi.PortSpec;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A link type for tests: frames are put into a device's receive queue by the test and what the
 * dataplane transmits is collected, so the whole packet path runs on real worker threads. Its
 * only argument is {@code refuse yes}, which makes {@code open} fail.
 */
final class QueueDriver implements PortDriver {
    static final String TYPE = "queue";
    final Map<String, QueueDevice> devices = new ConcurrentHashMap<>();
    private final String type;

    QueueDriver() {
        this(TYPE);
    }

    /** The same driver under another type name (a second driver that arrives separately). */
    QueueDriver(String type) {
        this.type = type;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public String usage() {
        return "[refuse yes]";
    }

    @Override
    public void validate(PortSpec spec) {
        List<String> a = spec.args();
        if (!a.isEmpty() && !(a.size() == 2 && a.get(0).equals("refuse"))) {
            throw new NetException("argument \"" + a.getFirst() + "\" is wrong: expected [refuse yes]");
        }
    }

    @Override
    public PortDevice open(PortSpec spec) {
        if (spec.args().contains("refuse")) {
            throw new NetException("cannot open " + spec.name() + ": refused by the test");
        }
        QueueDevice d = new QueueDevice(spec.name(), spec.rxQueues());
        devices.put(spec.name(), d);
        return d;
    }

    static final class QueueDevice implements PortDevice {
        final String name;
        final List<ConcurrentLinkedQueue<byte[]>> rx = new ArrayList<>();
        final LinkedBlockingQueue<byte[]> tx = new LinkedBlockingQueue<>();
        volatile boolean up;
        volatile int mtu;
        volatile boolean closed;
        volatile boolean refuseTx;
        /** Count transmitted frames instead of keeping them (allocation-free, for allocation tests). */
        volatile boolean discard;
        long discarded;
        /** Behave like a device that cannot send fragments (read when the configuration is published). */
        volatile boolean noFragments;

        QueueDevice(String name, int queues) {
            this.name = name;
            for (int i = 0; i < queues; i++) {
                rx.add(new ConcurrentLinkedQueue<>());
            }
        }

        /** Puts a frame on receive queue 0. */
        void inject(byte[] frame) {
            rx.getFirst().add(frame.clone());
        }

        /** The next transmitted frame, waiting up to two seconds; null if none came. */
        byte[] sent() throws InterruptedException {
            return tx.poll(2, TimeUnit.SECONDS);
        }

        /** The next transmitted frame dissected, or null. */
        PacketBuffer sentPacket() throws InterruptedException {
            byte[] f = sent();
            if (f == null) {
                return null;
            }
            PacketBuffer p = new PacketBuffer();
            p.load(f, 0, f.length);
            FlowDissector.dissect(p);
            return p;
        }

        /** Nothing is transmitted within {@code millis}. */
        boolean quietFor(long millis) throws InterruptedException {
            return tx.poll(millis, TimeUnit.MILLISECONDS) == null;
        }

        @Override
        public int rxQueues() {
            return rx.size();
        }

        @Override
        public int receive(int queue, PacketBatch batch) {
            int n = 0;
            ConcurrentLinkedQueue<byte[]> q = rx.get(queue);
            while (!batch.isFull()) {
                byte[] f = q.poll();
                if (f == null) {
                    break;
                }
                PacketBuffer p = batch.next();
                p.load(f, 0, f.length);
                batch.commit();
                n++;
            }
            return n;
        }

        @Override
        public boolean transmit(PacketBuffer packet) {
            if (refuseTx) {
                return false;
            }
            if (discard) {
                discarded++;
                return true;
            }
            byte[] f = new byte[packet.length];
            System.arraycopy(packet.data, packet.offset, f, 0, packet.length);
            tx.add(f);
            return true;
        }

        @Override
        public boolean sendsFragments() {
            return !noFragments;
        }

        @Override
        public void configure(boolean up, int mtu) {
            this.up = up;
            this.mtu = mtu;
        }

        @Override
        public Map<String, String> details() {
            return Map.of("queue", name);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
