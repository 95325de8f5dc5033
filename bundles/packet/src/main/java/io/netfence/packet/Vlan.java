package io.netfence.packet;

/**
 * An IEEE 802.1Q / 802.1ad tag. {@code off} is the start of the 4-byte tag including its TPID,
 * i.e. frame offset + 12 for the outer tag of an Ethernet frame. The TCI holds PCP (3 bits),
 * DEI (1 bit) and VID (12 bits).
 */
public final class Vlan {
    public static final int TAG_LEN = 4;
    public static final int TPID_8021Q = FlowKey.ETH_P_8021Q;
    public static final int TPID_8021AD = FlowKey.ETH_P_8021AD;
    public static final int MAX_VID = 4095;

    private Vlan() {
    }

    public static boolean isTpid(int ethType) {
        return ethType == TPID_8021Q || ethType == TPID_8021AD;
    }

    public static int tpid(byte[] b, int off) {
        return Bytes.u16(b, off);
    }

    public static int tci(byte[] b, int off) {
        return Bytes.u16(b, off + 2);
    }

    public static int vid(byte[] b, int off) {
        return tci(b, off) & 0xFFF;
    }

    public static int pcp(byte[] b, int off) {
        return tci(b, off) >>> 13;
    }

    public static int dei(byte[] b, int off) {
        return (tci(b, off) >>> 12) & 1;
    }

    /** The EtherType that follows this tag (another TPID for stacked tags). */
    public static int innerType(byte[] b, int off) {
        return Bytes.u16(b, off + 4);
    }

    public static int makeTci(int vid, int pcp) {
        return ((pcp & 7) << 13) | (vid & 0xFFF);
    }

    public static void write(byte[] b, int off, int tpid, int vid, int pcp) {
        Bytes.put16(b, off, tpid);
        Bytes.put16(b, off + 2, makeTci(vid, pcp));
    }

    /** Rewrites VID and PCP of an existing tag, keeping its TPID and DEI. */
    public static void modify(byte[] b, int off, int vid, int pcp) {
        int dei = tci(b, off) & 0x1000;
        Bytes.put16(b, off + 2, makeTci(vid, pcp) | dei);
    }

    /**
     * Inserts a tag as the new outer tag of the Ethernet frame in {@code p}: the two MAC addresses
     * move 4 bytes to the front and the tag goes between them and the old EtherType, so the network
     * header keeps its absolute offset. Returns the new frame offset, or -1 (frame unchanged) when
     * there is no headroom or the frame is shorter than an Ethernet header. If the key describes
     * this frame its L2 offset and VLAN fields are updated.
     */
    public static int push(PacketBuffer p, int tpid, int vid, int pcp) {
        if (p.offset < TAG_LEN || p.length < Ethernet.HEADER_LEN) {
            return -1;
        }
        byte[] b = p.data;
        int old = p.offset;
        int off = old - TAG_LEN;
        System.arraycopy(b, old, b, off, 2 * Ethernet.ADDR_LEN);
        write(b, off + Ethernet.TYPE_OFFSET, tpid, vid, pcp);
        p.offset = off;
        p.length += TAG_LEN;
        FlowKey k = p.key;
        if (k.l2Offset == old) {
            k.l2Offset = off;
            k.cvlanId = k.vlanId;
            k.vlanId = vid & 0xFFF;
            k.vlanPrio = pcp & 7;
        }
        return off;
    }

    /**
     * Removes the outer tag of the Ethernet frame in {@code p} (the reverse of {@link #push}).
     * Does nothing when the frame carries no 802.1Q/802.1ad tag or is too short to hold one;
     * callers that care check {@code key.vlanId} first.
     */
    public static void pop(PacketBuffer p) {
        if (p.length < Ethernet.HEADER_LEN + TAG_LEN) {
            return;
        }
        byte[] b = p.data;
        int old = p.offset;
        if (!isTpid(Ethernet.type(b, old))) {
            return;
        }
        int off = old + TAG_LEN;
        System.arraycopy(b, old, b, off, 2 * Ethernet.ADDR_LEN);
        p.offset = off;
        p.length -= TAG_LEN;
        FlowKey k = p.key;
        if (k.l2Offset == old) {
            k.l2Offset = off;
            k.vlanId = k.cvlanId;
            k.cvlanId = -1;
            // The former inner tag (if any) now sits at the outer position.
            k.vlanPrio = k.vlanId >= 0 ? pcp(b, off + Ethernet.TYPE_OFFSET) : 0;
        }
    }
}
