package io.netfence.tc.internal;

import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.api.TcException;
import io.netfence.tc.api.TcHook;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The qdiscs of the devices and the blocks their hooks use. A hook's own block lives and dies
 * with its qdisc; shared block N lives while any qdisc names it (Linux), filters included.
 * Changes are journaled.
 */
final class BlockTable {
    /** A device's qdisc and the block behind each of its hooks (egress null for {@code ingress}). */
    record QdiscEntry(Qdisc qdisc, Block ingress, Block egress) {
        Block block(TcHook hook) {
            return hook == TcHook.INGRESS ? ingress : egress;
        }
    }

    private final Map<String, QdiscEntry> qdiscs = new LinkedHashMap<>();
    private final Map<Long, Block> sharedByIndex = new HashMap<>();
    /** Every live block by id, oldest first (the order providers are replayed in). */
    private final Map<Long, Block> byId = new TreeMap<>();
    private long nextId = 1;

    QdiscEntry qdisc(String dev) {
        return qdiscs.get(dev);
    }

    List<Qdisc> qdiscs() {
        List<Qdisc> out = new ArrayList<>(qdiscs.size());
        qdiscs.values().forEach(e -> out.add(e.qdisc()));
        return out;
    }

    Collection<Block> blocks() {
        return byId.values();
    }

    /** The block {@code where} names; refused when no qdisc provides it. */
    Block resolve(BlockRef where) {
        if (where == null) {
            throw new TcException("dev: expected dev DEV ingress|egress or block N");
        }
        if (where.isShared()) {
            Block b = sharedByIndex.get(where.block());
            if (b == null) {
                throw new TcException("block " + where.block() + ": Block of given index was not found (no qdisc has ingress_block or egress_block "
                        + where.block() + ")");
            }
            return b;
        }
        QdiscEntry e = qdiscs.get(where.dev());
        if (e == null) {
            throw new TcException("dev " + where.dev() + ": has no clsact or ingress qdisc (tc qdisc add dev " + where.dev() + " clsact)");
        }
        if (!e.qdisc().has(where.hook())) {
            throw new TcException(where.hook().word() + ": dev " + where.dev() + " has an ingress qdisc, which has no egress hook (use clsact)");
        }
        return e.block(where.hook());
    }

    /** Gives {@code q}'s hooks their blocks (made as needed) and records the qdisc; returns it. */
    QdiscEntry attach(Qdisc q, Journal journal) {
        Block ingress = bind(q, TcHook.INGRESS, journal);
        Block egress = q.has(TcHook.EGRESS) ? bind(q, TcHook.EGRESS, journal) : null;
        QdiscEntry e = new QdiscEntry(q, ingress, egress);
        qdiscs.put(q.dev(), e);
        journal.undo(() -> qdiscs.remove(q.dev()));
        return e;
    }

    /** Removes the qdisc and its hooks' bindings; returns the blocks nothing uses any more (they die). */
    List<Block> detach(QdiscEntry e, Journal journal) {
        String dev = e.qdisc().dev();
        qdiscs.remove(dev);
        journal.undo(() -> qdiscs.put(dev, e));
        List<Block> dead = new ArrayList<>();
        for (TcHook hook : TcHook.values()) {
            Block b = e.block(hook);
            if (b == null) {
                continue;
            }
            Binding binding = new Binding(dev, hook);
            int at = b.bindings.indexOf(binding);
            b.bindings.remove(at);
            journal.undo(() -> b.bindings.add(at, binding));
            if (b.bindings.isEmpty()) {
                forget(b);
                journal.undo(() -> remember(b));
                dead.add(b);
            }
        }
        return dead;
    }

    private Block bind(Qdisc q, TcHook hook, Journal journal) {
        Binding binding = new Binding(q.dev(), hook);
        long index = q.block(hook);
        Block b = index == 0 ? null : sharedByIndex.get(index);
        if (b == null) {
            // Ids are never reused, not even after a rollback: a provider must never see an old id again.
            b = index == 0 ? Block.own(nextId++, binding) : Block.shared(nextId++, index);
            Block made = b;
            remember(made);
            journal.undo(() -> forget(made));
        }
        Block block = b;
        block.bindings.add(binding);
        journal.undo(() -> block.bindings.remove(binding));
        return block;
    }

    private void remember(Block b) {
        byId.put(b.id, b);
        if (b.sharedIndex != 0) {
            sharedByIndex.put(b.sharedIndex, b);
        }
    }

    private void forget(Block b) {
        byId.remove(b.id);
        if (b.sharedIndex != 0) {
            sharedByIndex.remove(b.sharedIndex, b);
        }
    }
}
