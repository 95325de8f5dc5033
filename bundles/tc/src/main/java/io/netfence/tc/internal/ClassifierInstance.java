package io.netfence.tc.internal;

import io.netfence.tc.api.Classifier;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.TcException;
import io.netfence.tc.api.U32Match;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The filters of one (chain, prio) of a block: one classifier of one kind for one protocol, as the
 * kernel's {@code tcf_proto}. It owns the handle space of its kind: flower from 1 up, matchall a
 * single filter, u32 {@code table:bucket:node} with node ids from 0x800 and hash tables made by
 * {@code divisor} filters (the root table 800: always exists).
 */
final class ClassifierInstance {
    private static final long U32_HTID_MASK = 0xFFFF_F000L;
    private static final long U32_NODE_MASK = 0xFFFL;
    private static final long U32_FIRST_AUTO_NODE = 0x800;
    private static final long FLOWER_LAST_AUTO = Integer.MAX_VALUE;

    final int chain;
    final int prio;
    final int protocol;
    final String kind;
    final Map<Long, FilterEntry> filters = new HashMap<>();
    /** u32 only: hash table id to its divisor; the root table always has one bucket. */
    final Map<Integer, Integer> u32Tables = new HashMap<>();
    /** Per handle space (its first auto handle), no free handle lies below this one. */
    private final Map<Long, Long> freeFloor = new HashMap<>();

    ClassifierInstance(int chain, int prio, int protocol, String kind) {
        this.chain = chain;
        this.prio = prio;
        this.protocol = protocol;
        this.kind = kind;
        if (isU32()) {
            u32Tables.put(U32Match.ROOT_TABLE, 1);
        }
    }

    boolean isU32() {
        return kind.equals("u32");
    }

    /**
     * The handle a filter asks for, in this kind's form: u32 completes {@code ::node} with the
     * filter's table and bucket (and a hash-table filter's handle is its table) as the kernel does;
     * 0 still means "choose one".
     */
    long requestedHandle(Classifier classifier, long handle) {
        if (!(classifier instanceof U32Match m)) {
            return handle;
        }
        if (m.divisor() > 0) {
            long table = (long) m.table() << 20;
            if (handle != 0 && handle != table) {
                throw new TcException("handle " + handleText(kind, handle) + ": a hash table's handle is its id (" + handleText(kind, table) + ")");
            }
            return table;
        }
        long htid = htid(m);
        if ((handle & U32_HTID_MASK) != 0 && (handle & U32_HTID_MASK) != htid) {
            throw new TcException("handle " + handleText(kind, handle) + ": not in ht " + handleText(kind, htid)
                    + " (Handle specified hash table address mismatch)");
        }
        long node = handle & U32_NODE_MASK;
        return node == 0 ? 0 : htid | node;
    }

    /** The lowest free handle for a new filter of {@code classifier}. */
    long allocateHandle(Classifier classifier) {
        if (classifier instanceof U32Match m) {
            long htid = htid(m);
            return allocate(htid | U32_FIRST_AUTO_NODE, htid | U32_NODE_MASK, "ht " + handleText(kind, htid));
        }
        return allocate(1, kind.equals("matchall") ? 1 : FLOWER_LAST_AUTO, "prio " + prio);
    }

    private long allocate(long first, long last, String where) {
        long h = Math.max(first, freeFloor.getOrDefault(first, first));
        while (h <= last && filters.containsKey(h)) {
            h++;
        }
        if (h > last) {
            throw new TcException("handle: no free handle left in " + where + " of chain " + chain + "; give one");
        }
        freeFloor.put(first, h);
        return h;
    }

    /** Checks that a filter of {@code classifier} with {@code handle} fits here ({@code old}: the one it replaces). */
    void checkFits(Classifier classifier, long handle, FilterEntry old) {
        if (kind.equals("matchall") && old == null && !filters.isEmpty()) {
            throw new TcException("handle " + handleText(kind, handle) + ": prio " + prio + " of chain " + chain
                    + " already holds its matchall filter (one per priority)");
        }
        if (!(classifier instanceof U32Match m)) {
            return;
        }
        if (m.divisor() > 0) {
            if (m.table() == U32Match.ROOT_TABLE) {
                throw new TcException("ht 800: the root table exists; a new hash table needs another id");
            }
            if (old != null) {
                throw new TcException("handle " + handleText(kind, handle) + ": a hash table cannot be changed; delete it and add it again");
            }
            return;
        }
        Integer divisor = u32Tables.get(m.table());
        if (divisor == null) {
            throw new TcException("ht " + Integer.toHexString(m.table()) + ": Specified hash table not found (add it with divisor first)");
        }
        if (m.bucket() >= divisor) {
            throw new TcException("ht " + Integer.toHexString(m.table()) + ":" + Integer.toHexString(m.bucket()) + ": bucket beyond the table's divisor "
                    + divisor);
        }
        if (m.link() != 0 && !u32Tables.containsKey(m.link())) {
            throw new TcException("link " + Integer.toHexString(m.link()) + ": Link hash table not found");
        }
    }

    /** u32: how many other filters sit in, or link to, the hash table {@code e} makes (0 for other filters). */
    int u32TableUsers(FilterEntry e) {
        if (!(e.filter.classifier() instanceof U32Match t) || t.divisor() == 0) {
            return 0;
        }
        int users = 0;
        for (FilterEntry f : filters.values()) {
            if (f != e && f.filter.classifier() instanceof U32Match m && m.divisor() == 0 && (m.table() == t.table() || m.link() == t.table())) {
                users++;
            }
        }
        return users;
    }

    void put(FilterEntry e) {
        filters.put(e.handle(), e);
        if (e.filter.classifier() instanceof U32Match m && m.divisor() > 0) {
            u32Tables.put(m.table(), m.divisor());
        }
    }

    void remove(FilterEntry e) {
        filters.remove(e.handle());
        if (e.filter.classifier() instanceof U32Match m && m.divisor() > 0) {
            u32Tables.remove(m.table());
        }
        long space = isU32() ? (e.handle() & U32_HTID_MASK) | U32_FIRST_AUTO_NODE : 1;
        freeFloor.computeIfPresent(space, (k, floor) -> Math.min(floor, e.handle()));
    }

    /** The filters in listing order: by handle, u32 hash tables first (a link must find its table on reload). */
    List<FilterEntry> sorted() {
        List<FilterEntry> out = new ArrayList<>(filters.values());
        Comparator<FilterEntry> byHandle = Comparator.comparingLong(FilterEntry::handle);
        if (isU32()) {
            out.sort(Comparator.comparing((FilterEntry e) -> !(e.filter.classifier() instanceof U32Match m && m.divisor() > 0)).thenComparing(byHandle));
        } else {
            out.sort(byHandle);
        }
        return out;
    }

    private static long htid(U32Match m) {
        return ((long) m.table() << 20) | ((long) m.bucket() << 12);
    }

    /** A handle as tc prints it: u32 {@code 800::800} or {@code 1:}, others {@code 0x1}. */
    static String handleText(String kind, long handle) {
        if (!kind.equals("u32")) {
            return "0x" + Long.toHexString(handle);
        }
        long table = handle >>> 20;
        long bucket = (handle >>> 12) & 0xFF;
        long node = handle & U32_NODE_MASK;
        if (bucket == 0 && node == 0) {
            return Long.toHexString(table) + ":";
        }
        return Long.toHexString(table) + ":" + (bucket == 0 ? "" : Long.toHexString(bucket)) + ":" + (node == 0 ? "" : Long.toHexString(node));
    }

    String describe() {
        return "prio " + prio + " of chain " + chain + " (" + kind + ", protocol " + EtherTypes.name(protocol) + ")";
    }
}
