package io.netfence.packet;

/**
 * One packet in a reusable byte array. The frame occupies {@code data[offset, offset+length)};
 * {@link #HEADROOM} bytes are kept in front so encapsulations (VLAN push, ESP, outer IP) can grow
 * the packet without copying. Buffers are owned by one worker and recycled batch after batch, so
 * nothing here allocates after construction.
 */
public final class PacketBuffer {
    /** Bytes reserved in front of a received frame for headers pushed later. */
    public static final int HEADROOM = 128;
    /** Default frame capacity: a 9000-byte jumbo MTU plus Ethernet and two VLAN tags. */
    public static final int DEFAULT_CAPACITY = 9216;

    /** Backing storage; never reallocated. */
    public final byte[] data;
    /** Index of the first byte of the frame (the Ethernet header). */
    public int offset;
    /** Frame length in bytes. */
    public int length;

    /** Index of the port the packet arrived on (ifindex), or -1. */
    public int inPort;
    /** Index of the port the packet leaves by (ifindex), or -1 while undecided. */
    public int outPort;
    /** Why the packet was dropped ({@link DropReason} ordinal), or -1 while it is alive. */
    public int dropReason;
    /** skbedit-style metadata carried with the packet. */
    public int mark;
    public int priority;
    /**
     * The SA that decrypted this packet (an xfrm handle + 1), 0 if it arrived in clear (Linux's
     * sec_path); {@link #ENCAPSULATED} for an outer packet this appliance just built, which output
     * policies must not see again.
     */
    public int secPath;
    public static final int ENCAPSULATED = -1;
    /** Receive timestamp in nanoseconds (System.nanoTime at rx), 0 if unknown. */
    public long rxNanos;
    /**
     * How many stage-made hops (tc mirred redirects and mirrors) the packet has behind it; the
     * packet path refuses more than its nest limit, so redirects that point at each other end.
     */
    public int hops;

    /** What the dissector found; valid after {@link FlowDissector#dissect}. */
    public final FlowKey key = new FlowKey();

    public PacketBuffer() {
        this(DEFAULT_CAPACITY);
    }

    public PacketBuffer(int frameCapacity) {
        this.data = new byte[HEADROOM + frameCapacity];
        reset();
    }

    /** Prepares the buffer to receive a new frame at the standard headroom. */
    public void reset() {
        offset = HEADROOM;
        length = 0;
        inPort = -1;
        outPort = -1;
        dropReason = -1;
        mark = 0;
        priority = 0;
        secPath = 0;
        rxNanos = 0;
        hops = 0;
        key.clear();
    }

    /** Largest frame that fits at the current offset. */
    public int tailroom() {
        return data.length - offset;
    }

    public boolean isDropped() {
        return dropReason >= 0;
    }

    public void drop(DropReason reason) {
        dropReason = reason.ordinal();
    }

    /** Copies {@code len} bytes from {@code src} into this buffer at the standard headroom. */
    public void load(byte[] src, int srcOff, int len) {
        if (len > data.length - HEADROOM) {
            throw new IllegalArgumentException("frame of " + len + " bytes exceeds buffer capacity " + (data.length - HEADROOM));
        }
        reset();
        System.arraycopy(src, srcOff, data, HEADROOM, len);
        length = len;
    }

    /** Copies the frame and metadata of {@code other} into this buffer. */
    public void copyFrom(PacketBuffer other) {
        load(other.data, other.offset, other.length);
        inPort = other.inPort;
        outPort = other.outPort;
        dropReason = other.dropReason;
        mark = other.mark;
        priority = other.priority;
        secPath = other.secPath;
        rxNanos = other.rxNanos;
        hops = other.hops;
    }

    /** Grows the frame at the front by {@code n} bytes (an encapsulation); returns the new offset. */
    public int push(int n) {
        if (n > offset) {
            throw new IllegalStateException("headroom exhausted: need " + n + ", have " + offset);
        }
        offset -= n;
        length += n;
        return offset;
    }

    /** Shrinks the frame at the front by {@code n} bytes (a decapsulation); returns the new offset. */
    public int pull(int n) {
        if (n > length) {
            throw new IllegalStateException("cannot pull " + n + " bytes from a " + length + "-byte frame");
        }
        offset += n;
        length -= n;
        return offset;
    }

    /** A copy of the frame bytes; for tests and the control plane only, never the packet path. */
    public byte[] toByteArray() {
        byte[] out = new byte[length];
        System.arraycopy(data, offset, out, 0, length);
        return out;
    }
}
