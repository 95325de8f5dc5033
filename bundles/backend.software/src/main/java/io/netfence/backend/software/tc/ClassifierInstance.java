package io.netfence.backend.software.tc;

import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.EtherTypes;

/**
 * The filters of one (chain, prio, protocol): Linux's tcf_proto. It sees only frames of its
 * protocol (or all), finds the filter that matches and runs its actions.
 */
abstract class ClassifierInstance {
    final int prio;
    final int protocol;

    ClassifierInstance(int prio, int protocol) {
        this.prio = prio;
        this.protocol = protocol;
    }

    final boolean accepts(int frameProtocol) {
        return protocol == EtherTypes.ALL || protocol == frameProtocol;
    }

    /** The verdict of the matching filter's actions, or {@link Verdict#UNSPEC} to go on with the next instance. */
    abstract int classify(PacketBuffer p, ClassifyContext ctx);
}
