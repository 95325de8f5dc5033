package io.netfence.tc.internal;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.TcException;
import io.netfence.tc.spi.SharedAction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Actions by kind and index (each kind has its own index space, as in tc). Indexes chosen by the
 * table are the lowest free one from 1, like the kernel's idr. Every change is journaled.
 */
final class ActionTable {
    private final Map<String, Map<Integer, ActionEntry>> byKind = new HashMap<>();
    /** Per kind, no free index is below this one: allocation scans up from here, not from 1. */
    private final Map<String, Integer> freeFloor = new HashMap<>();

    ActionEntry get(String kind, int index) {
        Map<Integer, ActionEntry> m = byKind.get(kind);
        return m == null ? null : m.get(index);
    }

    /** The actions of {@code kind} (null: every kind) by kind, then index. */
    List<ActionEntry> list(String kind) {
        List<ActionEntry> out = new ArrayList<>();
        if (kind != null) {
            Map<Integer, ActionEntry> m = byKind.get(kind);
            if (m != null) {
                out.addAll(m.values());
            }
        } else {
            byKind.values().forEach(m -> out.addAll(m.values()));
        }
        out.sort(Comparator.<ActionEntry, String>comparing(e -> e.kind).thenComparingInt(e -> e.index));
        return out;
    }

    /** The lowest index of {@code kind} nobody holds. */
    int freeIndex(String kind) {
        Map<Integer, ActionEntry> m = byKind.get(kind);
        int i = freeFloor.getOrDefault(kind, 1);
        while (m != null && m.containsKey(i)) {
            if (i == Integer.MAX_VALUE) {
                throw new TcException("index: every " + kind + " action index is in use");
            }
            i++;
        }
        freeFloor.put(kind, i);
        return i;
    }

    /** Creates an entry for {@code action}, whose index is set and free; nothing binds it yet. */
    ActionEntry create(Action action, boolean heldByTable, long nowMillis, Journal journal) {
        ActionEntry e = new ActionEntry(action, heldByTable, nowMillis);
        put(e);
        journal.undo(() -> drop(e));
        return e;
    }

    void remove(ActionEntry e, Journal journal) {
        drop(e);
        journal.undo(() -> put(e));
    }

    /** A filter binds it: one more bind and one more reference. */
    void bind(ActionEntry e, Journal journal) {
        e.bindCount++;
        journal.undo(() -> e.bindCount--);
    }

    /**
     * A filter lets go of it. An action created by a filter dies with its last binding; one the
     * table holds stays, and gets a fresh {@link SharedAction} so a provider that sees it again later
     * counts from zero rather than from a counter object it may still keep for the old one.
     */
    void release(ActionEntry e, Journal journal) {
        e.bindCount--;
        journal.undo(() -> e.bindCount++);
        if (e.bindCount == 0) {
            if (e.heldByTable) {
                renew(e, e.action, journal);
            } else {
                remove(e, journal);
            }
        }
    }

    /** Gives the action new parameters (and so a new shared object); the index stays. */
    void renew(ActionEntry e, Action action, Journal journal) {
        Action oldAction = e.action;
        SharedAction oldShared = e.shared;
        e.action = action;
        e.shared = new SharedAction(action);
        journal.undo(() -> {
            e.action = oldAction;
            e.shared = oldShared;
        });
    }

    private void put(ActionEntry e) {
        byKind.computeIfAbsent(e.kind, k -> new HashMap<>()).put(e.index, e);
    }

    private void drop(ActionEntry e) {
        Map<Integer, ActionEntry> m = byKind.get(e.kind);
        if (m != null && m.remove(e.index) == e) {
            // No entry means the floor is 1 already (a fresh table, as after a restart): lowering it
            // to the freed index would raise it instead and hide the free ones below.
            freeFloor.computeIfPresent(e.kind, (k, floor) -> Math.min(floor, e.index));
            if (m.isEmpty()) {
                byKind.remove(e.kind);
            }
        }
    }
}
