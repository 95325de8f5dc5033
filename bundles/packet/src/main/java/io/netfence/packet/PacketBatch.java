package io.netfence.packet;

/**
 * An ordered group of packets processed together. A receive batch owns its buffers (allocated
 * once); a transmit batch only refers to buffers owned by a receive batch. Neither allocates
 * after construction.
 */
public final class PacketBatch {
    /** Default burst size, as in DPDK and VPP. */
    public static final int DEFAULT_SIZE = 64;

    private final PacketBuffer[] packets;
    private int count;

    /** A batch that owns {@code size} freshly allocated buffers of {@code frameCapacity} bytes. */
    public static PacketBatch owning(int size, int frameCapacity) {
        PacketBatch b = new PacketBatch(size);
        for (int i = 0; i < size; i++) {
            b.packets[i] = new PacketBuffer(frameCapacity);
        }
        return b;
    }

    /** A batch of references (initially empty) with room for {@code size} packets. */
    public static PacketBatch referring(int size) {
        return new PacketBatch(size);
    }

    private PacketBatch(int size) {
        this.packets = new PacketBuffer[size];
    }

    public int capacity() {
        return packets.length;
    }

    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public boolean isFull() {
        return count == packets.length;
    }

    public PacketBuffer get(int i) {
        if (i >= count) {
            throw new IndexOutOfBoundsException(i + " >= " + count);
        }
        return packets[i];
    }

    /**
     * For an owning batch: the buffer that the next received packet goes into, reset and ready;
     * the caller fills it and then calls {@link #commit()}. Returns null when the batch is full.
     */
    public PacketBuffer next() {
        if (count == packets.length) {
            return null;
        }
        PacketBuffer p = packets[count];
        p.reset();
        return p;
    }

    /** Counts the buffer handed out by {@link #next()} as part of the batch. */
    public void commit() {
        count++;
    }

    /** For a referring batch: appends a reference. Returns false when full. */
    public boolean add(PacketBuffer p) {
        if (count == packets.length) {
            return false;
        }
        packets[count++] = p;
        return true;
    }

    /** Empties the batch; an owning batch keeps its buffers for reuse. */
    public void clear() {
        count = 0;
    }
}
