package io.netfence.backend.software.tc;

import io.netfence.tc.api.PortRange;

/**
 * A flower filter inside its mask group: what is left to check after the masked key hit (the port
 * ranges, which cannot be hashed; a filter without a range accepts 0-65535) and the filter to run.
 */
final class FlowerRule {
    final long handle;
    private final int srcMin;
    private final int srcMax;
    private final int dstMin;
    private final int dstMax;
    final CompiledFilter filter;

    FlowerRule(CompiledFilter filter, PortRange src, PortRange dst) {
        this.handle = filter.handle;
        this.filter = filter;
        this.srcMin = src != null && src.isRange() ? src.min() : 0;
        this.srcMax = src != null && src.isRange() ? src.max() : 0xFFFF;
        this.dstMin = dst != null && dst.isRange() ? dst.min() : 0;
        this.dstMax = dst != null && dst.isRange() ? dst.max() : 0xFFFF;
    }

    boolean portsMatch(int srcPort, int dstPort) {
        return srcPort >= srcMin && srcPort <= srcMax && dstPort >= dstMin && dstPort <= dstMax;
    }
}
