package io.netfence.backend.software.tc;

import static org.junit.jupiter.api.Assertions.assertNull;

import io.netfence.packet.FlowDissector;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import io.netfence.tc.api.Action;
import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.Classifier;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.GactAction;
import io.netfence.tc.api.MatchAll;
import io.netfence.tc.api.SkbeditAction;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.spi.ClsOffload;
import io.netfence.tc.spi.ClsStats;
import io.netfence.tc.spi.SharedAction;
import io.netfence.tc.spi.TcRefusal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A provider on three ports (eth0=1, eth1=2, eth2=3) with block {@link #BLOCK} bound to eth0's
 * ingress, and the steps a core would take: number actions, offer filters, commit, send packets
 * through the stages.
 */
final class TcKit {
    static final int ETH0 = 1;
    static final int ETH1 = 2;
    static final int ETH2 = 3;
    static final long BLOCK = 7;
    static final BlockRef WHERE = BlockRef.shared(BLOCK);
    static final long MAC_A = 0x02_00_00_00_00_0AL;
    static final long MAC_B = 0x02_00_00_00_00_0BL;
    private static final Map<String, Integer> PORTS = Map.of("eth0", ETH0, "eth1", ETH1, "eth2", ETH2);

    /** The devices as the provider resolves them: tests delete and add some (then call linksChanged). */
    final Map<String, Integer> ports = new HashMap<>(PORTS);
    /** Devices without a link-layer header in Linux (xfrm interfaces), as the resolver reports them. */
    final java.util.Set<String> headerless = new java.util.HashSet<>();
    final SoftwareTcProvider tc = new SoftwareTcProvider(new PortResolver() {
        @Override
        public int indexOf(String dev) {
            return ports.getOrDefault(dev, -1);
        }

        @Override
        public boolean headerless(String dev) {
            return headerless.contains(dev);
        }
    });
    private final Map<String, Integer> lastIndex = new HashMap<>();
    private long lastCookie;
    private long lastHandle;

    TcKit() {
        assertNull(tc.bind("eth0", TcHook.INGRESS, BLOCK));
    }

    // --- filters ---------------------------------------------------------------------------------

    static Filter filter(int chain, int prio, int protocol, long handle, Classifier classifier, Action... actions) {
        return new Filter(WHERE, chain, prio, protocol, handle, classifier, List.of(actions), false, false, 0);
    }

    static Filter matchAll(int chain, int prio, Action... actions) {
        return filter(chain, prio, EtherTypes.ALL, 0, new MatchAll(), actions);
    }

    static GactAction gact(Control c) {
        return GactAction.of(c);
    }

    /** skbedit setting the bits of {@code bits} in the mark: shows which filters ran. */
    static SkbeditAction markBits(int bits) {
        return new SkbeditAction(0, Control.PIPE, bits, bits, -1);
    }

    /** The action with the next free index of its kind, as the core would number it. */
    SharedAction share(Action a) {
        if (a.index() > 0) {
            return new SharedAction(a);
        }
        int index = lastIndex.merge(a.kind(), 1, Integer::sum);
        return new SharedAction(a.withIndex(index));
    }

    /** Offers {@code f} (handle numbered if 0) with its actions numbered; returns the cookie, or throws on a refusal. */
    long add(Filter f) {
        List<SharedAction> shared = new ArrayList<>();
        for (Action a : f.actions()) {
            shared.add(share(a));
        }
        return add(f, shared);
    }

    long add(Filter f, List<SharedAction> shared) {
        long cookie = ++lastCookie;
        TcRefusal r = offer(f, shared, cookie);
        if (r != null) {
            throw new AssertionError("refused: " + r);
        }
        tc.commit();
        return cookie;
    }

    /** Offers without committing; the refusal or null. */
    TcRefusal offer(Filter f, List<SharedAction> shared, long cookie) {
        Filter numbered = f.handle() == 0 ? f.withHandle(++lastHandle) : f;
        return tc.replace(new ClsOffload(BLOCK, cookie, numbered, shared));
    }

    TcRefusal offer(Filter f) {
        List<SharedAction> shared = new ArrayList<>();
        for (Action a : f.actions()) {
            shared.add(share(a));
        }
        return offer(f, shared, ++lastCookie);
    }

    ClsStats stats(long cookie) {
        return tc.stats(BLOCK, cookie);
    }

    // --- packets ---------------------------------------------------------------------------------

    static PacketBuilder eth() {
        return PacketBuilder.ethernet(MAC_A, MAC_B);
    }

    /** The frame received on eth0 and run through eth0's ingress. */
    PacketBuffer ingress(byte[] frame) {
        return ingress(ETH0, frame);
    }

    PacketBuffer ingress(int port, byte[] frame) {
        PacketBuffer p = packet(frame, port, -1);
        run(tc.ingressStage()::process, p, port);
        return p;
    }

    /** As {@link #ingress(byte[])}, with the packet path's stage context the dataplane would give. */
    PacketBuffer ingress(byte[] frame, io.netfence.net.spi.StageContext context) {
        PacketBuffer p = packet(frame, ETH0, -1);
        PacketBatch batch = PacketBatch.referring(1);
        batch.add(p);
        tc.ingressStage().process(batch, ETH0, context);
        return p;
    }

    /** The frame, received on eth2, leaving by {@code port} through its egress. */
    PacketBuffer egress(int port, byte[] frame) {
        PacketBuffer p = packet(frame, ETH2, port);
        run(tc.egressStage()::process, p, port);
        return p;
    }

    static PacketBuffer packet(byte[] frame, int inPort, int outPort) {
        PacketBuffer p = new PacketBuffer();
        p.load(frame, 0, frame.length);
        p.inPort = inPort;
        p.outPort = outPort;
        int defect = FlowDissector.dissect(p);
        if (defect >= 0) {
            throw new AssertionError("test frame does not dissect: reason " + defect);
        }
        return p;
    }

    private interface Stage {
        void process(PacketBatch batch, int port);
    }

    private static void run(Stage stage, PacketBuffer p, int port) {
        PacketBatch batch = PacketBatch.referring(1);
        batch.add(p);
        stage.process(batch, port);
    }

    static boolean alive(PacketBuffer p) {
        return p.dropReason < 0;
    }

    static byte[] frameOf(PacketBuffer p) {
        return p.toByteArray();
    }

    static boolean sameFrame(byte[] a, PacketBuffer p) {
        return Arrays.equals(a, p.toByteArray());
    }
}
