package io.netfence.backend.software.tc;

import io.netfence.net.spi.PacketStage;
import io.netfence.net.spi.StageContext;
import io.netfence.packet.DropReason;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.TcHook;

/**
 * One clsact hook of every port: classifies each live packet of a batch with the block bound to
 * the port, read from the provider's snapshot once per batch, and turns the verdict into the
 * packet's fate: {@code shot} drops it, a redirect has set its outPort, everything else lets it
 * go on. Drops are counted as {@link DropReason#TC_DROP}, loops cut short as
 * {@link DropReason#TC_RECLASSIFY_LOOP}.
 * A frame the actions left malformed (a pedit of the IPv4 header without csum) is dropped with
 * the dissector's reason, as Linux's IP input would drop it.
 */
final class TcStage implements PacketStage {
    static final int TC_DROP = DropReason.TC_DROP.ordinal();
    static final int TC_LOOP = DropReason.TC_RECLASSIFY_LOOP.ordinal();

    private final SoftwareTcProvider provider;
    private final TcHook hook;
    /** Per worker; an instance field so the contexts go with the stage when the bundle stops. */
    private final ThreadLocal<ClassifyContext> contexts = ThreadLocal.withInitial(ClassifyContext::new);

    TcStage(SoftwareTcProvider provider, TcHook hook) {
        this.provider = provider;
        this.hook = hook;
    }

    @Override
    public String name() {
        return "tc " + hook.word();
    }

    @Override
    public void process(PacketBatch batch, int port) {
        process(batch, port, null);
    }

    @Override
    public void process(PacketBatch batch, int port, StageContext stage) {
        TcSnapshot snapshot = provider.snapshot();
        CompiledBlock block = snapshot.block(hook, port);
        if (block == null) {
            return;
        }
        ClassifyContext ctx = contexts.get();
        ctx.stage = stage;
        ctx.uncounted = snapshot.uncounted(hook, port);
        ctx.port = port;
        ctx.ingress = hook == TcHook.INGRESS;
        ctx.fakeHeader = snapshot.headerBytesMissing(port);
        ctx.beginBatch(System.currentTimeMillis(), System.nanoTime());
        for (int i = 0; i < batch.count(); i++) {
            PacketBuffer p = batch.get(i);
            if (p.dropReason < 0) {
                classify(block, p, ctx);
            }
        }
    }

    private void classify(CompiledBlock block, PacketBuffer p, ClassifyContext ctx) {
        if (hook == TcHook.EGRESS) {
            // Routing rewrote MACs and TTL after the receive-time dissection: look at the frame as it leaves.
            FlowDissector.dissect(p);
        }
        ctx.beginPacket(p);
        switch (block.classify(p, ctx)) {
            case Verdict.SHOT -> p.dropReason = TC_DROP;
            case Verdict.LOOP_LIMIT -> {
                p.dropReason = TC_LOOP;
                provider.countReclassifyLoop();
            }
            case Verdict.STOLEN -> {
                // Taken by an action that is not a redirect (gact stolen): it goes nowhere.
                if (!ctx.redirected) {
                    p.dropReason = TC_DROP;
                }
            }
            default -> {
            }
        }
        if (p.dropReason < 0 && ctx.editedSinceStart()) {
            ctx.refresh(p);
            if (ctx.defect >= 0) {
                p.dropReason = ctx.defect;
            }
        }
    }
}
