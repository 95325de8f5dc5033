package io.netfence.backend.software.tc;

import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.TcLimits;
import java.util.Arrays;

/**
 * A block's chains as the packet path runs them, immutable. Classification follows Linux's
 * tcf_classify: chain 0's instances by prio, each seeing only frames of its protocol; the first
 * verdict other than {@code continue} ends it, except {@code reclassify} (back to chain 0) and
 * {@code goto chain N} (on in chain N; a chain without filters decides nothing). Those two may
 * happen {@link TcLimits#MAX_RECLASSIFY} times per packet; one more is {@link Verdict#LOOP_LIMIT}.
 */
final class CompiledBlock {
    static final CompiledBlock EMPTY = new CompiledBlock(new int[0], new ClassifierInstance[0][]);

    private final int[] chainIndexes;
    private final ClassifierInstance[][] chains;
    private final ClassifierInstance[] chain0;

    /** {@code chains[i]} is chain {@code chainIndexes[i]} (ascending), its instances in prio order. */
    CompiledBlock(int[] chainIndexes, ClassifierInstance[][] chains) {
        this.chainIndexes = chainIndexes;
        this.chains = chains;
        this.chain0 = chain(0);
    }

    boolean isEmpty() {
        return chains.length == 0;
    }

    private ClassifierInstance[] chain(int index) {
        int i = Arrays.binarySearch(chainIndexes, index);
        return i < 0 ? null : chains[i];
    }

    int classify(PacketBuffer p, ClassifyContext ctx) {
        ClassifierInstance[] chain = chain0;
        int resets = 0;
        while (true) {
            int verdict = run(chain, p, ctx);
            if (verdict == Verdict.RECLASSIFY) {
                chain = chain0;
            } else if (verdict == Verdict.GOTO_CHAIN) {
                chain = chain(ctx.value);
            } else {
                return verdict;
            }
            if (++resets > TcLimits.MAX_RECLASSIFY) {
                return Verdict.LOOP_LIMIT;
            }
        }
    }

    private static int run(ClassifierInstance[] chain, PacketBuffer p, ClassifyContext ctx) {
        if (chain == null) {
            return Verdict.UNSPEC;
        }
        for (ClassifierInstance c : chain) {
            // An action of the previous instance may have changed the frame (and its protocol).
            ctx.refresh(p);
            if (c.accepts(ctx.frameProtocol)) {
                int verdict = c.classify(p, ctx);
                if (verdict != Verdict.UNSPEC) {
                    return verdict;
                }
            }
        }
        return Verdict.UNSPEC;
    }
}
