package io.netfence.tc.internal;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.GactAction;
import io.netfence.tc.api.PoliceAction;
import io.netfence.tc.api.TcStats;
import io.netfence.tc.spi.SharedAction;
import java.util.function.IntConsumer;

/**
 * An action in the table, by (kind, index). Counted as tc counts: every filter that binds it adds
 * one to {@code bind} and one to {@code ref}; {@code tc actions add} adds a reference of the
 * table's own ({@link #heldByTable}), so such an action outlives its filters while one created
 * inline by a filter dies with its last one. {@link #shared} is the one object every provider sees
 * for it, in every filter that binds it.
 */
final class ActionEntry {
    final String kind;
    final int index;
    final long installedMillis;
    Action action;
    SharedAction shared;
    int bindCount;
    boolean heldByTable;
    long firstUsedMillis;
    /**
     * Counters of earlier {@link SharedAction} objects of this action (before a replace, or before
     * its last filter let go): providers count per object, the action keeps counting across them.
     */
    TcStats retainedSoftware = TcStats.ZERO;
    TcStats retainedHardware = TcStats.ZERO;

    ActionEntry(Action action, boolean heldByTable, long installedMillis) {
        this.kind = action.kind();
        this.index = action.index();
        this.action = action;
        this.shared = new SharedAction(action);
        this.heldByTable = heldByTable;
        this.installedMillis = installedMillis;
    }

    int refCount() {
        return bindCount + (heldByTable ? 1 : 0);
    }

    /** The chains this action may send a packet to with {@code goto chain}, in any of its verdicts. */
    static void gotoTargets(Action action, IntConsumer out) {
        addTarget(action.control(), out);
        if (action instanceof PoliceAction p) {
            addTarget(p.conform(), out);
        } else if (action instanceof GactAction g) {
            addTarget(g.randomControl(), out);
        }
    }

    private static void addTarget(Control c, IntConsumer out) {
        if (c != null && c.kind() == Control.Kind.GOTO_CHAIN) {
            out.accept(c.value());
        }
    }

    @Override
    public String toString() {
        return "action " + kind + " index " + index;
    }
}
