package io.netfence.port.gen.internal;

import io.netfence.net.spi.PortDevice;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counts and discards what is transmitted into it; never receives. */
final class SinkDevice implements PortDevice {
    // Striped counters: many workers transmit at once and must not fight over one cache line.
    private final LongAdder packets = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private volatile boolean closed;

    @Override
    public int rxQueues() {
        return 1;
    }

    @Override
    public int receive(int queue, PacketBatch batch) {
        return 0;
    }

    @Override
    public boolean transmit(PacketBuffer packet) {
        if (closed) {
            return false;
        }
        packets.increment();
        bytes.add(packet.length);
        return true;
    }

    long packets() {
        return packets.sum();
    }

    long bytes() {
        return bytes.sum();
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("packets", Long.toString(packets.sum()));
        d.put("bytes", Long.toString(bytes.sum()));
        return d;
    }

    @Override
    public void close() {
        closed = true;
    }
}
