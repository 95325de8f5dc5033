package io.netfence.backend.software.tc;

import io.netfence.packet.Bytes;
import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.U32Match;
import java.util.List;

/**
 * A u32 filter as the packet path runs it (Linux's tc_u_knode): keys compared as 32-bit
 * big-endian words, an optional link to another table with the hash key that picks the bucket,
 * an optional offset clause that locates the next header, and the filter to run when it is
 * terminal (it has actions or a classid; a link-only node runs nothing itself).
 */
final class U32Node {
    final long handle;
    private final int[] keyOffsets;
    private final int[] keyValues;
    private final int[] keyMasks;
    private final boolean[] keyNexthdr;
    private final boolean anyNexthdr;
    /** Table linked to, 0 for none. */
    final int link;
    private final int hashMask;
    private final int hashOffset;
    private final int hashShift;
    private final U32Match.Offset offset;
    /** Null when not terminal. */
    final CompiledFilter filter;

    U32Node(U32Match m, long handle, CompiledFilter filter) {
        this.handle = handle;
        List<U32Match.Key> keys = m.keys();
        int n = keys.size();
        keyOffsets = new int[n];
        keyValues = new int[n];
        keyMasks = new int[n];
        keyNexthdr = new boolean[n];
        boolean nexthdr = false;
        for (int i = 0; i < n; i++) {
            U32Match.Key k = keys.get(i);
            keyOffsets[i] = k.offset();
            keyValues[i] = k.value();
            keyMasks[i] = k.mask();
            keyNexthdr[i] = k.nexthdr();
            nexthdr |= k.nexthdr();
        }
        anyNexthdr = nexthdr;
        link = m.link();
        hashMask = m.hashMask();
        hashOffset = m.hashOffset();
        hashShift = m.hashShift();
        offset = m.offset();
        this.filter = filter;
    }

    /**
     * Where the next header is for this node's nexthdr+ keys and its linked table: located by its
     * own offset clause ({@code (plus + ((u16 at off+at) & mask) >> shift)}, rounded to 4 as the
     * kernel does), else the one inherited from the node that linked here. -1 if it cannot be read.
     */
    int nextHeader(PacketBuffer p, int off, int inheritedNexthdr) {
        if (offset == null) {
            return inheritedNexthdr;
        }
        int rel = offset.plus() + 3;
        if (offset.mask() != 0) {
            int at = off + offset.at();
            if (at < p.offset || at > p.offset + p.length - 2) {
                return -1;
            }
            rel += (Bytes.u16(p.data, at) & offset.mask()) >>> offset.shift();
        }
        return off + (rel & ~3);
    }

    boolean eats() {
        return offset != null && offset.eat();
    }

    /** All keys match, reading at {@code off} (the network header) or {@code nexthdr}; a word outside the frame does not. */
    boolean matches(PacketBuffer p, int off, int nexthdr) {
        if (anyNexthdr && nexthdr < 0) {
            return false;
        }
        byte[] b = p.data;
        int start = p.offset;
        int last = p.offset + p.length - 4;
        for (int i = 0; i < keyOffsets.length; i++) {
            int at = (keyNexthdr[i] ? nexthdr : off) + keyOffsets[i];
            if (at < start || at > last || ((Bytes.i32(b, at) ^ keyValues[i]) & keyMasks[i]) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The bucket of a {@code divisor}-bucket table this node's hash key picks, -1 if the word is outside the frame. */
    int bucket(PacketBuffer p, int off, int divisor) {
        if (divisor <= 1) {
            return 0;
        }
        int at = off + hashOffset;
        if (at < p.offset || at > p.offset + p.length - 4) {
            return -1;
        }
        return ((Bytes.i32(p.data, at) & hashMask) >>> hashShift) & (divisor - 1);
    }
}
