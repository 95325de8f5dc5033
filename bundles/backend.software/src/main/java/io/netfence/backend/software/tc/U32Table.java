package io.netfence.backend.software.tc;

import io.netfence.packet.FlowKey;
import io.netfence.packet.PacketBuffer;

/**
 * A {@code u32} instance, walked as Linux's u32_classify: the nodes of the root table in handle
 * order; a node whose keys match and that links to a table descends into the bucket its hash key
 * picks; what the table does not decide comes back to the linking node, which runs its own actions
 * if it is terminal; a {@code continue} verdict goes on with the next node. Plain keys read from
 * the network header (FlowKey.l3Offset, moved by {@code eat}); nexthdr+ keys from the header an
 * offset clause locates, or without one from the transport header the dissector found
 * (FlowKey.l4Offset; Linux would read them from the network header). Descent stops at
 * {@value #MAX_DEPTH} levels, Linux's TC_U32_MAXDEPTH.
 */
final class U32Table extends ClassifierInstance {
    static final int MAX_DEPTH = 8;

    private final U32Node[] root;
    private final U32Tables tables;

    U32Table(int prio, int protocol, U32Node[] root, U32Tables tables) {
        super(prio, protocol);
        this.root = root;
        this.tables = tables;
    }

    @Override
    int classify(PacketBuffer p, ClassifyContext ctx) {
        FlowKey k = p.key;
        if (k.l3Offset < 0) {
            return Verdict.UNSPEC;
        }
        return walk(root, p, ctx, k.l3Offset, k.l4Offset, 0);
    }

    private int walk(U32Node[] nodes, PacketBuffer p, ClassifyContext ctx, int off, int nexthdr, int depth) {
        for (U32Node n : nodes) {
            int nh = n.nextHeader(p, off, nexthdr);
            if (!n.matches(p, off, nh)) {
                continue;
            }
            if (n.link != 0 && depth + 1 < MAX_DEPTH) {
                int verdict = descend(n, p, ctx, off, nh, depth);
                if (verdict != Verdict.UNSPEC) {
                    return verdict;
                }
            }
            if (n.filter != null) {
                int verdict = n.filter.execute(p, ctx);
                if (verdict != Verdict.UNSPEC) {
                    return verdict;
                }
            }
        }
        return Verdict.UNSPEC;
    }

    private int descend(U32Node n, PacketBuffer p, ClassifyContext ctx, int off, int nh, int depth) {
        U32Node[][] table = tables.table(n.link);
        if (table == null) {
            return Verdict.UNSPEC;
        }
        int bucket = n.bucket(p, off, table.length);
        if (bucket < 0) {
            return Verdict.UNSPEC;
        }
        int childOff = off;
        int childNexthdr = nh;
        if (n.eats()) {
            // eat: the located header becomes the base of the linked table's keys.
            if (nh < 0 || nh >= p.offset + p.length) {
                return Verdict.UNSPEC;
            }
            childOff = nh;
        }
        return walk(table[bucket], p, ctx, childOff, childNexthdr, depth + 1);
    }
}
