package io.netfence.tc.api;

import java.util.List;

/**
 * A filter as installed: the filter (prio and handle assigned), its place in hardware —
 * {@code inHwCount} devices hold it ({@code in_hw in_hw_count N}), or none, with the reason
 * ({@code not_in_hw}: no device under the block, the device refused it and why, or
 * {@code skip_hw}) — its actions as installed, and {@code indevGone}: the device its flower
 * {@code indev} names does not exist (the filter matches nothing until it does).
 */
public record FilterInfo(Filter filter, int inHwCount, String notInHwReason, List<ActionInfo> actions, TcStats software,
        TcStats hardware, boolean indevGone) {
    public FilterInfo {
        actions = List.copyOf(actions);
    }

    public FilterInfo(Filter filter, int inHwCount, String notInHwReason, List<ActionInfo> actions, TcStats software, TcStats hardware) {
        this(filter, inHwCount, notInHwReason, actions, software, hardware, false);
    }

    public boolean inHw() {
        return inHwCount > 0;
    }

    /** Software plus hardware, as tc reports. */
    public TcStats stats() {
        return software.plus(hardware);
    }
}
