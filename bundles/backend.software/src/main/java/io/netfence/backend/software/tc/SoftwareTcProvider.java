package io.netfence.backend.software.tc;

import io.netfence.net.spi.PacketStage;
import io.netfence.tc.api.Action;
import io.netfence.tc.api.ActionRef;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.CsumAction;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.MirredAction;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.api.TcStats;
import io.netfence.tc.spi.ClsOffload;
import io.netfence.tc.spi.ClsStats;
import io.netfence.tc.spi.SharedAction;
import io.netfence.tc.spi.TcOffloadProvider;
import io.netfence.tc.spi.TcRefusal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The software tc dataplane behind the offload SPI. The control plane keeps blocks, bindings,
 * filters and shared actions in plain collections under one lock; {@link #commit()} compiles the
 * blocks that changed and publishes a new {@link TcSnapshot} with one volatile write, so the two
 * packet stages ({@link #ingressStage()}, {@link #egressStage()}) never lock.
 *
 * <p>How the core drives it: {@link #bind} a block to a device hook (effective at once, with
 * the block's last committed filters), {@link #replace} and {@link #destroy} filters by block and
 * cookie, then {@link #commit()} once per batch to make them run; {@link #stats} at any time.
 * Shared actions (one {@link SharedAction} in several filters) are kept per kind and index and
 * share counters and state; an action's counters live while some filter binds it.
 *
 * <p>Refused: {@code skip_sw} filters; mirred redirect with a control other than {@code stolen}
 * (Linux then sends a clone and keeps the original: that is a mirror); mirred, flower indev and
 * bind naming a device that does not exist; csum udplite and sctp.
 */
public final class SoftwareTcProvider implements TcOffloadProvider {
    public static final String NAME = "software";

    private record DevHook(String dev, TcHook hook) {
    }

    private record Bound(long block, int port) {
    }

    private record ActionKey(String kind, int index) {
    }

    /**
     * A block's filters by cookie and what was last compiled from them. {@code dirty}: compile the
     * block again; {@code appended}: new flower filters only, which go into their instances in
     * place when those exist (a burst of single adds stays linear, not quadratic).
     */
    private static final class BlockTables {
        final Map<Long, InstalledFilter> filters = new LinkedHashMap<>();
        BlockCompiler.Compiled compiled = BlockCompiler.Compiled.EMPTY;
        boolean dirty;
        final List<InstalledFilter> appended = new ArrayList<>();
    }

    private final PortResolver ports;
    private final Object lock = new Object();
    private final Map<DevHook, Bound> bindings = new HashMap<>();
    private final Map<Long, BlockTables> blocks = new HashMap<>();
    private final Map<ActionKey, ActionState> actions = new HashMap<>();
    private final LongAdder reclassifyLoopDrops = new LongAdder();
    private final TcStage ingress = new TcStage(this, TcHook.INGRESS);
    private final TcStage egress = new TcStage(this, TcHook.EGRESS);
    private volatile TcSnapshot snapshot = TcSnapshot.EMPTY;

    /** {@code ports} turns device names into port indexes (ifindex), -1 for a device that does not exist. */
    public SoftwareTcProvider(PortResolver ports) {
        this.ports = ports;
    }

    /** The stage to register at the INGRESS hook. */
    public PacketStage ingressStage() {
        return ingress;
    }

    /** The stage to register at the EGRESS hook. */
    public PacketStage egressStage() {
        return egress;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean software() {
        return true;
    }

    @Override
    public boolean drives(String dev) {
        return true;
    }

    @Override
    public TcRefusal bind(String dev, TcHook hook, long block) {
        int port = ports.indexOf(dev);
        if (port < 0) {
            return refuse("Device \"" + dev + "\" does not exist.");
        }
        synchronized (lock) {
            bindings.put(new DevHook(dev, hook), new Bound(block, port));
            blocks.computeIfAbsent(block, b -> new BlockTables());
            publish();
        }
        return null;
    }

    @Override
    public void unbind(String dev, TcHook hook, long block) {
        synchronized (lock) {
            DevHook key = new DevHook(dev, hook);
            Bound b = bindings.get(key);
            if (b != null && b.block() == block) {
                bindings.remove(key);
                publish();
            }
        }
    }

    @Override
    public TcRefusal replace(ClsOffload offload) {
        Filter f = offload.filter();
        if (f.skipSw()) {
            return refuse("skip_sw: the filter is for hardware only");
        }
        List<SharedAction> list = offload.actions();
        if (list.size() != f.actions().size()) {
            return refuse("action: the filter has " + f.actions().size() + " actions but " + list.size() + " were resolved");
        }
        int indev = -1;
        if (f.classifier() instanceof FlowerMatch m && m.indev() != null) {
            indev = ports.indexOf(m.indev());
            if (indev < 0) {
                return refuse("indev: device \"" + m.indev() + "\" does not exist");
            }
        }
        int[] targets = new int[list.size()];
        for (int i = 0; i < targets.length; i++) {
            Action a = list.get(i).action();
            String why = unsupported(a);
            if (why != null) {
                return refuse(why);
            }
            targets[i] = -1;
            if (a instanceof MirredAction m) {
                targets[i] = ports.indexOf(m.dev());
                if (targets[i] < 0) {
                    return refuse("mirred: device \"" + m.dev() + "\" does not exist");
                }
            }
        }
        synchronized (lock) {
            BlockTables t = blocks.computeIfAbsent(offload.block(), b -> new BlockTables());
            ActionState[] states = new ActionState[targets.length];
            for (int i = 0; i < states.length; i++) {
                states[i] = acquire(list.get(i).action(), targets[i]);
            }
            InstalledFilter old = t.filters.get(offload.cookie());
            Counters counters = old != null ? old.counters() : new Counters();
            InstalledFilter installed = new InstalledFilter(offload, states, indev, counters);
            t.filters.put(offload.cookie(), installed);
            if (old != null) {
                release(old.actions());
            }
            if (old == null && f.classifier() instanceof FlowerMatch && !t.dirty) {
                t.appended.add(installed);
            } else {
                t.dirty = true;
            }
        }
        return null;
    }

    /** Why this provider cannot run {@code a}, or null. */
    private static String unsupported(Action a) {
        if (a instanceof ActionRef r) {
            return "action " + r.kind() + " index " + r.index() + ": a reference, not the action it names";
        }
        if (a instanceof MirredAction m && m.redirect() && m.control().kind() != Control.Kind.STOLEN) {
            return "mirred redirect with control " + m.control() + " sends a copy and keeps the packet: write it as mirror";
        }
        if (a instanceof CsumAction c) {
            if ((c.flags() & CsumAction.UDPLITE) != 0) {
                return "csum udplite: not supported in software yet";
            }
            if ((c.flags() & CsumAction.SCTP) != 0) {
                return "csum sctp: the CRC32c checksum is not supported in software yet";
            }
        }
        return null;
    }

    @Override
    public void destroy(long block, long cookie) {
        synchronized (lock) {
            BlockTables t = blocks.get(block);
            InstalledFilter old = t == null ? null : t.filters.remove(cookie);
            if (old != null) {
                release(old.actions());
                t.dirty = true;
            }
        }
    }

    @Override
    public ClsStats stats(long block, long cookie) {
        synchronized (lock) {
            BlockTables t = blocks.get(block);
            InstalledFilter f = t == null ? null : t.filters.get(cookie);
            if (f == null) {
                return null;
            }
            List<TcStats> a = new ArrayList<>(f.actions().length);
            for (ActionState s : f.actions()) {
                a.add(s.counters.stats());
            }
            return new ClsStats(f.counters().stats(), a);
        }
    }

    @Override
    public void commit() {
        synchronized (lock) {
            for (BlockTables t : blocks.values()) {
                if (!t.dirty && !t.appended.isEmpty()) {
                    for (InstalledFilter f : t.appended) {
                        if (!BlockCompiler.append(t.compiled, f)) {
                            // A new instance: the block's chains change shape.
                            t.dirty = true;
                            break;
                        }
                    }
                }
                if (t.dirty) {
                    t.compiled = BlockCompiler.compile(t.filters.values());
                    t.dirty = false;
                }
                t.appended.clear();
            }
            blocks.entrySet().removeIf(e -> e.getValue().filters.isEmpty() && !isBound(e.getKey()));
            publish();
        }
    }

    /** Packets dropped because reclassify/goto chain went round more than TcLimits.MAX_RECLASSIFY times (Linux: "reclassify loop"). */
    public long reclassifyLoopDrops() {
        return reclassifyLoopDrops.sum();
    }

    /** Packets picked by sample action {@code index} (there is no psample delivery yet; see SampleStep), 0 if unknown. */
    public long sampledPackets(int index) {
        synchronized (lock) {
            ActionState s = actions.get(new ActionKey("sample", index));
            return s == null || s.sampled == null ? 0 : s.sampled.sum();
        }
    }

    TcSnapshot snapshot() {
        return snapshot;
    }

    void countReclassifyLoop() {
        reclassifyLoopDrops.increment();
    }

    // --- under the lock -------------------------------------------------------------------------

    /**
     * The state of action {@code a}: shared by kind and index with every other filter binding it.
     * A changed description (tc actions replace) keeps the counters and sends every block using
     * the action to be compiled again.
     */
    private ActionState acquire(Action a, int targetPort) {
        ActionState s;
        if (a.index() <= 0) {
            // The core numbers every action; one without a number cannot be shared.
            s = new ActionState(a, targetPort);
        } else {
            ActionKey key = new ActionKey(a.kind(), a.index());
            s = actions.get(key);
            if (s == null) {
                s = new ActionState(a, targetPort);
                actions.put(key, s);
            } else if (s.update(a, targetPort)) {
                markUsersDirty(s);
            }
        }
        s.references++;
        return s;
    }

    private void release(ActionState[] states) {
        for (ActionState s : states) {
            if (--s.references == 0 && s.action().index() > 0) {
                actions.remove(new ActionKey(s.action().kind(), s.action().index()), s);
            }
        }
    }

    private void markUsersDirty(ActionState s) {
        for (BlockTables t : blocks.values()) {
            if (!t.dirty) {
                for (InstalledFilter f : t.filters.values()) {
                    if (f.binds(s)) {
                        t.dirty = true;
                        break;
                    }
                }
            }
        }
    }

    private boolean isBound(long block) {
        for (Bound b : bindings.values()) {
            if (b.block() == block) {
                return true;
            }
        }
        return false;
    }

    /** Builds the port tables from the bindings and each block's last compiled form; one volatile write. */
    private void publish() {
        int size = 0;
        for (Bound b : bindings.values()) {
            size = Math.max(size, b.port() + 1);
        }
        CompiledBlock[] in = new CompiledBlock[size];
        CompiledBlock[] out = new CompiledBlock[size];
        for (Map.Entry<DevHook, Bound> e : bindings.entrySet()) {
            BlockTables t = blocks.get(e.getValue().block());
            CompiledBlock c = t == null || t.compiled.block().isEmpty() ? null : t.compiled.block();
            (e.getKey().hook() == TcHook.INGRESS ? in : out)[e.getValue().port()] = c;
        }
        snapshot = new TcSnapshot(in, out);
    }

    private static TcRefusal refuse(String reason) {
        return new TcRefusal(NAME, reason);
    }
}
