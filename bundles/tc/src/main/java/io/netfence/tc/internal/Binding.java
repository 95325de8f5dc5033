package io.netfence.tc.internal;

import io.netfence.tc.api.TcHook;

/** One device hook a block serves ({@code FLOW_BLOCK_BIND}); a hook is bound to one block at a time. */
record Binding(String dev, TcHook hook) {
    @Override
    public String toString() {
        return dev + " " + hook.word();
    }
}
