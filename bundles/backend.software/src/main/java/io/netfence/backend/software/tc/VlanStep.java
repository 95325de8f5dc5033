package io.netfence.backend.software.tc;

import io.netfence.packet.Bytes;
import io.netfence.packet.Ethernet;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.Vlan;
import io.netfence.tc.api.VlanAction;

/**
 * {@code vlan push|pop|modify}, in place: a push moves the MAC addresses into the headroom, a pop
 * moves them back, so the network header never moves. As in Linux's act_vlan: pop and modify of
 * an untagged frame do nothing; modify rewrites the TPID too and keeps DEI (and the priority
 * unless one is given); a push that finds no headroom drops the packet.
 */
final class VlanStep extends ActionStep {
    private static final int TAG = Ethernet.TYPE_OFFSET;

    private final VlanAction.Op op;
    private final int id;
    private final int priority;
    private final int tpid;

    VlanStep(Counters counters, VlanAction a) {
        super(counters, a.control());
        this.op = a.op();
        this.id = a.id();
        this.priority = a.priority();
        this.tpid = a.protocol();
    }

    @Override
    int act(PacketBuffer p, ClassifyContext ctx) {
        byte[] b = p.data;
        boolean tagged = p.length >= Ethernet.HEADER_LEN + Vlan.TAG_LEN && Vlan.isTpid(Ethernet.type(b, p.offset));
        switch (op) {
            case PUSH -> {
                if (Vlan.push(p, tpid, id, Math.max(priority, 0)) < 0) {
                    return Verdict.SHOT;
                }
            }
            case POP -> {
                if (!tagged) {
                    return control(ctx);
                }
                Vlan.pop(p);
            }
            case MODIFY -> {
                if (!tagged) {
                    return control(ctx);
                }
                int at = p.offset + TAG;
                int tci = (Vlan.tci(b, at) & ~Vlan.MAX_VID) | id;
                if (priority >= 0) {
                    tci = (tci & 0x1FFF) | (priority << 13);
                }
                Bytes.put16(b, at, tpid);
                Bytes.put16(b, at + 2, tci);
            }
        }
        ctx.edited();
        return control(ctx);
    }
}
