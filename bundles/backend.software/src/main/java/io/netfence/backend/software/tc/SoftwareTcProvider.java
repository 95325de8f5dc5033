package io.netfence.backend.software.tc;

import io.netfence.net.spi.PacketStage;
import io.netfence.tc.api.Action;
import io.netfence.tc.api.ActionRef;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.CsumAction;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.MirredAction;
import io.netfence.tc.api.PsampleService;
import io.netfence.tc.api.SampleAction;
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
 * <p>Devices are named, not numbered: a mirred target or flower indev resolves to its port when
 * installed and again whenever a link comes or goes ({@link #linksChanged()}), so a device deleted
 * under a filter leaves it in place — its mirred drops and counts an overlimit, its indev matches
 * nothing — and a device added under that name later (with a new index) is used at once.
 *
 * <p>Refused: {@code skip_sw} filters; mirred redirect with a control other than {@code stolen}
 * (Linux then sends a clone and keeps the original: that is a mirror); bind naming a device that
 * does not exist.
 */
public final class SoftwareTcProvider implements TcOffloadProvider {
    public static final String NAME = "software";

    private record DevHook(String dev, TcHook hook) {
    }

    private record Bound(long block, int port, boolean headerless) {
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
    private final PsampleRegistry psample = new PsampleRegistry();
    private final TcStage ingress = new TcStage(this, TcHook.INGRESS);
    private final TcStage egress = new TcStage(this, TcHook.EGRESS);
    private volatile TcSnapshot snapshot = TcSnapshot.EMPTY;
    /** A replace or destroy since the last commit: the core is mid-change, so a link change must not publish. */
    private boolean uncommitted;

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
            bindings.put(new DevHook(dev, hook), new Bound(block, port, ports.headerless(dev)));
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
        for (SharedAction a : list) {
            String why = unsupported(a.action());
            if (why != null) {
                return refuse(why);
            }
        }
        synchronized (lock) {
            // Names resolve under the lock, so a link change (linksChanged) cannot slip in between.
            int indev = indevPort(f);
            int[] targets = new int[list.size()];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = list.get(i).action() instanceof MirredAction m ? ports.indexOf(m.dev()) : -1;
            }
            uncommitted = true;
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

    /** The port of {@code f}'s flower indev: {@link InstalledFilter#NO_INDEV}, or {@link InstalledFilter#INDEV_GONE} if no such device. */
    private int indevPort(Filter f) {
        if (f.classifier() instanceof FlowerMatch m && m.indev() != null) {
            int port = ports.indexOf(m.indev());
            return port < 0 ? InstalledFilter.INDEV_GONE : port;
        }
        return InstalledFilter.NO_INDEV;
    }

    /**
     * A link came or went: every mirred target and flower indev is resolved by name again, and the
     * blocks whose filters now resolve differently are compiled again. Published at once unless
     * the core is in the middle of a change, whose commit will publish it.
     */
    public void linksChanged() {
        synchronized (lock) {
            for (ActionState s : actions.values()) {
                if (s.action() instanceof MirredAction m && s.update(m, ports.indexOf(m.dev()))) {
                    markUsersDirty(s);
                }
            }
            for (BlockTables t : blocks.values()) {
                for (Map.Entry<Long, InstalledFilter> e : t.filters.entrySet()) {
                    InstalledFilter f = e.getValue();
                    int indev = indevPort(f.offload().filter());
                    if (indev != f.indevPort()) {
                        e.setValue(new InstalledFilter(f.offload(), f.actions(), indev, f.counters()));
                        t.dirty = true;
                    }
                    // Unshared mirreds (index 0) are not in the table: their state is the filter's own.
                    for (ActionState s : f.actions()) {
                        if (s.action().index() <= 0 && s.action() instanceof MirredAction m && s.update(m, ports.indexOf(m.dev()))) {
                            t.dirty = true;
                        }
                    }
                }
            }
            if (!uncommitted) {
                commit();
            }
        }
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
                uncommitted = true;
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
            uncommitted = false;
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

    /** The samples the sample actions delivered, by group (Linux's psample). */
    public PsampleService psample() {
        return psample;
    }

    /** Packets picked by sample action {@code index} (delivered to its group, or dropped there when full), 0 if unknown. */
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
        if (a instanceof SampleAction sample) {
            s.sampleGroup = psample.group(sample.group(), sample.truncate());
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
        boolean[] headerless = new boolean[size];
        for (Map.Entry<DevHook, Bound> e : bindings.entrySet()) {
            headerless[e.getValue().port()] |= e.getValue().headerless();
            BlockTables t = blocks.get(e.getValue().block());
            CompiledBlock c = t == null || t.compiled.block().isEmpty() ? null : t.compiled.block();
            (e.getKey().hook() == TcHook.INGRESS ? in : out)[e.getValue().port()] = c;
        }
        snapshot = new TcSnapshot(in, out, headerless);
    }

    private static TcRefusal refuse(String reason) {
        return new TcRefusal(NAME, reason);
    }
}
