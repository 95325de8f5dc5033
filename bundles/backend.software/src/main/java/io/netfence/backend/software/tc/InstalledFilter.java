package io.netfence.backend.software.tc;

import io.netfence.tc.spi.ClsOffload;

/**
 * A filter as the control plane holds it: what the core sent, its action states in list order,
 * the port its flower indev resolved to (-1: none) and its own counters, which a replace of the
 * same cookie keeps.
 */
record InstalledFilter(ClsOffload offload, ActionState[] actions, int indevPort, Counters counters) {
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
