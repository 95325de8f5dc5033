package io.netfence.tc.spi;

import io.netfence.tc.api.Filter;
import java.util.List;

/**
 * One filter handed to a provider (flow_cls_offload): its block (the internal id every binding
 * of that block shares), a cookie that names it from now on, and the filter with its actions
 * resolved: shared actions appear as the same {@link SharedAction} object in every filter that
 * binds them, so their counters are shared too.
 */
public record ClsOffload(long block, long cookie, Filter filter, List<SharedAction> actions) {
    public ClsOffload {
        actions = List.copyOf(actions);
    }
}
