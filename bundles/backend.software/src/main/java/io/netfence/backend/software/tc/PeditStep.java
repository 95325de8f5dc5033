package io.netfence.backend.software.tc;

import io.netfence.packet.Bytes;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.Tcp;
import io.netfence.packet.Udp;
import io.netfence.tc.api.PeditAction;
import java.util.List;

/**
 * {@code pedit}: edits 32-bit words relative to a header, as Linux's tcf_pedit_act:
 * {@code set} gives the bits outside the kept mask the key's value, {@code add} adds the value to
 * the big-endian word and keeps the result's bits outside the mask. A key whose header the frame
 * does not have (an ipv4 key on IPv6, a tcp key on UDP) or whose word lies outside the frame stops
 * the action there and counts an overlimit, as Linux does for a word it cannot reach; the packet
 * goes on with the action's control. Checksums are left to {@code csum}.
 */
final class PeditStep extends ActionStep {
    private final PeditAction.Header[] headers;
    private final int[] offsets;
    private final int[] values;
    private final int[] masks;
    private final boolean[] adds;

    PeditStep(Counters counters, PeditAction a) {
        super(counters, a.control());
        List<PeditAction.Key> keys = a.keys();
        int n = keys.size();
        headers = new PeditAction.Header[n];
        offsets = new int[n];
        values = new int[n];
        masks = new int[n];
        adds = new boolean[n];
        for (int i = 0; i < n; i++) {
            PeditAction.Key k = keys.get(i);
            headers[i] = k.header();
            offsets[i] = k.offset();
            values[i] = k.value();
            masks[i] = k.mask();
            adds[i] = k.cmd() == PeditAction.Cmd.ADD;
        }
    }

    @Override
    int act(PacketBuffer p, ClassifyContext ctx) {
        ctx.refresh(p);
        byte[] b = p.data;
        int start = p.offset;
        int end = p.offset + p.length;
        int l3 = p.key.l3Offset;
        for (int i = 0; i < headers.length; i++) {
            int base = switch (headers[i]) {
                case ETH -> start;
                case NETWORK -> l3;
                case IP4 -> FrameHeaders.isIpv4(p) ? l3 : -1;
                case IP6 -> FrameHeaders.isIpv6(p) ? l3 : -1;
                case TCP -> FrameHeaders.transportProtocol(p) == Tcp.PROTO ? FrameHeaders.transportOffset(p) : -1;
                case UDP -> FrameHeaders.transportProtocol(p) == Udp.PROTO ? FrameHeaders.transportOffset(p) : -1;
            };
            int at = base + offsets[i];
            if (base < 0 || at < start || at > end - 4) {
                counters.overlimit();
                break;
            }
            int word = Bytes.i32(b, at);
            int changed = adds[i] ? (word + values[i]) & ~masks[i] : values[i];
            Bytes.put32(b, at, (word & masks[i]) | changed);
            ctx.edited();
        }
        return control(ctx);
    }
}
