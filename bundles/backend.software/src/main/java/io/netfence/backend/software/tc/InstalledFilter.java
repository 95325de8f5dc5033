package io.netfence.backend.software.tc;

import io.netfence.tc.spi.ClsOffload;

/**
 * A filter as the control plane holds it: what the core sent, its action states in list order,
 * the port its flower indev resolved to ({@link #NO_INDEV}, or {@link #INDEV_GONE}: the device named
 * does not exist, so the filter matches nothing) and its own counters, which a replace of the same
 * cookie keeps.
 */
record InstalledFilter(ClsOffload offload, ActionState[] actions, int indevPort, Counters counters) {
    static final int NO_INDEV = -1;
    static final int INDEV_GONE = -2;

    long handle() {
        return offload.filter().handle();
    }

    CompiledFilter compile() {
        ActionStep[] steps = new ActionStep[actions.length];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = actions[i].step();
        }
        return new CompiledFilter(handle(), counters, steps);
    }

    boolean binds(ActionState s) {
        for (ActionState a : actions) {
            if (a == s) {
                return true;
            }
        }
        return false;
    }
}
