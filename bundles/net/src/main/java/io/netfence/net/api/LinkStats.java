package io.netfence.net.api;

import java.util.Map;

/**
 * Counters of one link, as {@code ip -s link} shows them. {@code rxDropped} counts packets that
 * arrived and were dropped anywhere in the packet path, broken down by reason in {@code dropReasons}
 * (label to count, only non-zero reasons). {@code txDropped} counts packets the driver refused.
 */
public record LinkStats(long rxPackets, long rxBytes, long rxDropped, long txPackets, long txBytes,
                        long txDropped, Map<String, Long> dropReasons) {
    public LinkStats {
        dropReasons = Map.copyOf(dropReasons);
    }
}
