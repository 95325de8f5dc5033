package io.netfence.net.internal;

import io.netfence.net.spi.PortDevice;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import java.util.Map;

/**
 * The device of {@code lo}. Nothing is ever received from it, and nothing is transmitted to it:
 * the packet path delivers packets routed to {@code lo} locally before they reach a device.
 */
final class LoopbackDevice implements PortDevice {
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
        return false;
    }

    @Override
    public Map<String, String> details() {
        return Map.of();
    }

    @Override
    public void close() {
    }
}
