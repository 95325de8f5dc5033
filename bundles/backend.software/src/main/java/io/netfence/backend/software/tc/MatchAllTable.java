package io.netfence.backend.software.tc;

import io.netfence.packet.PacketBuffer;

/** {@code matchall}: every frame of the instance's protocol runs the filter's actions (Linux holds one filter per instance; with several, the lowest handle). */
final class MatchAllTable extends ClassifierInstance {
    private final CompiledFilter filter;

    MatchAllTable(int prio, int protocol, CompiledFilter filter) {
        super(prio, protocol);
        this.filter = filter;
    }

    @Override
    int classify(PacketBuffer p, ClassifyContext ctx) {
        return filter.execute(p, ctx);
    }
}
