package io.netfence.tc.internal;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.Qdisc;
import java.util.List;

/**
 * Everything needed to build the tc configuration again, in an order that works when replayed
 * into an empty core: qdiscs ({@code addQdisc}), the actions {@code tc actions add} created
 * ({@code addAction}; actions filters created inline come back with their filters), chains created
 * empty ({@code addChain}), then filters ({@code addFilters}, ADD), each with its block as tc names
 * it, its prio and handle, and its actions with their indexes.
 */
public record TcConfiguration(List<Qdisc> qdiscs, List<Action> actions, List<ChainRef> chains, List<Filter> filters) {
    /** A chain created with {@code tc chain add}. */
    public record ChainRef(BlockRef where, int chain) {
    }

    public TcConfiguration {
        qdiscs = List.copyOf(qdiscs);
        actions = List.copyOf(actions);
        chains = List.copyOf(chains);
        filters = List.copyOf(filters);
    }
}
