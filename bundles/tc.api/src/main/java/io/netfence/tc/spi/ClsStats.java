package io.netfence.tc.spi;

import io.netfence.tc.api.TcStats;
import java.util.List;

/** FLOW_CLS_STATS: the filter's own counters and, in list order, its actions'. */
public record ClsStats(TcStats filter, List<TcStats> actions) {
    public ClsStats {
        actions = List.copyOf(actions);
    }
}
