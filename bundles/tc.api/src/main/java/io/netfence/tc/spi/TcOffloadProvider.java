package io.netfence.tc.spi;

import io.netfence.tc.api.TcHook;

/**
 * What a backend implements to run tc filters, in the shape of Linux's block and classifier
 * offload: a block is bound to a device hook ({@code FLOW_BLOCK_BIND}), then filters of that block
 * are replaced ({@code FLOW_CLS_REPLACE}) and destroyed ({@code FLOW_CLS_DESTROY}) by cookie, and
 * their counters read ({@code FLOW_CLS_STATS}). The core owns the tables and validation; a provider
 * only says yes or no, with a reason, and counts.
 *
 * <p>The software backend is the provider with {@link #software()} true: it runs every filter
 * without {@code skip_sw} on the packet path and never counts as hardware ({@code in_hw}). Device
 * backends take filters without {@code skip_hw} for the devices they drive.
 */
public interface TcOffloadProvider {
    /** Short name shown by {@code tc filter show} reasons and {@code offload} commands. */
    String name();

    /** True for the software dataplane, false for a device. */
    boolean software();

    /** True if this provider drives {@code dev} (software: every port). */
    boolean drives(String dev);

    /** FLOW_BLOCK_BIND: block {@code block} now serves {@code dev}'s {@code hook}. Null, or the refusal. */
    TcRefusal bind(String dev, TcHook hook, long block);

    /** FLOW_BLOCK_UNBIND. */
    void unbind(String dev, TcHook hook, long block);

    /** FLOW_CLS_REPLACE: installs (or replaces, same cookie) a filter of a bound block. Null, or the refusal. */
    TcRefusal replace(ClsOffload filter);

    /** FLOW_CLS_DESTROY. Unknown cookies are ignored. */
    void destroy(long block, long cookie);

    /** FLOW_CLS_STATS: the filter's counters since it was installed here, or null if unknown. */
    ClsStats stats(long block, long cookie);

    /**
     * Chain order and priorities as a whole: after a batch of replace/destroy calls the core calls
     * this once so the provider can publish its new tables to the packet path in one step.
     */
    default void commit() {
    }
}
