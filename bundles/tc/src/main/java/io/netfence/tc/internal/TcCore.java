package io.netfence.tc.internal;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.ActionInfo;
import io.netfence.tc.api.ActionRef;
import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.Classifier;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.FilterInfo;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.MirredAction;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.api.TcException;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.api.TcLimits;
import io.netfence.tc.api.TcService;
import io.netfence.tc.api.TcStats;
import io.netfence.tc.internal.BlockTable.QdiscEntry;
import io.netfence.tc.spi.ClsOffload;
import io.netfence.tc.spi.ClsStats;
import io.netfence.tc.spi.TcOffloadProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The tc tables — qdiscs, blocks, chains, filters, actions — and the orchestration of the
 * providers that run them (the software dataplane and offload devices). No OSGi here: the
 * component wires the device check and the providers in.
 *
 * <p>Every mutation runs under one lock in two steps: first the tables change, each step checked
 * and journaled (so a refusal anywhere — the last filter of a batch included — takes everything
 * back), then providers are told, each call journaled with its inverse (so a provider refusing
 * part-way leaves every provider as it was). On success each provider called is committed once.
 */
public class TcCore implements TcService {
    private final Object lock = new Object();
    private final Predicate<String> deviceExists;
    private final LongSupplier clockMillis;
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    // Guarded by lock.
    private final BlockTable blocks = new BlockTable();
    private final ActionTable actions = new ActionTable();
    private final ProviderSet providers = new ProviderSet(this::warn);
    private long nextCookie = 1;
    /**
     * Replaying a saved configuration: a mirred or indev naming a device that is gone is kept (with
     * a warning) rather than refused, as the filter was kept when its device went away at run time.
     */
    private boolean restoring;

    /** A filter staged by the first step, with what providers had for it before (null: nothing). */
    private record Staged(FilterEntry entry, ClsOffload previous, Filter installed) {
    }

    /** One mutation's work on the tables and providers, given its journal. */
    @FunctionalInterface
    private interface Change<T> {
        T apply(Journal journal);
    }

    /**
     * @param deviceExists whether a device of that name exists (qdiscs, mirred and indev need one)
     * @param clockMillis wall-clock milliseconds, for when actions were installed
     */
    @SuppressWarnings("this-escape")
    public TcCore(Predicate<String> deviceExists, LongSupplier clockMillis) {
        // The provider set keeps this::warn, but calls it only from mutations, never while constructing.
        this.deviceExists = deviceExists;
        this.clockMillis = clockMillis;
    }

    public TcCore(Predicate<String> deviceExists) {
        this(deviceExists, System::currentTimeMillis);
    }

    // =========================================================================================
    // Providers, listeners, lifecycle
    // =========================================================================================

    /** A provider arrives: it is given every binding it serves and every filter it should run. */
    public void addProvider(TcOffloadProvider provider) {
        synchronized (lock) {
            Journal journal = new Journal();
            providers.add(provider, List.copyOf(blocks.blocks()), journal);
            providers.commit(journal.touched());
        }
    }

    /** A provider leaves: what it held is forgotten; filters it alone ran show not_in_hw with the reason. */
    public void removeProvider(TcOffloadProvider provider) {
        synchronized (lock) {
            providers.remove(provider, blocks.blocks());
        }
    }

    /** Called (under no lock of ours) after every successful change, e.g. to persist. */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    /** Takes every filter and binding back from the providers, so nothing keeps running without its tables. */
    public void close() {
        synchronized (lock) {
            Journal journal = new Journal();
            for (Block b : List.copyOf(blocks.blocks())) {
                for (FilterEntry e : b.chains.entries(-1)) {
                    providers.destroy(e, journal);
                }
                for (Binding binding : List.copyOf(b.bindings)) {
                    providers.unbind(b, binding, true, journal);
                }
            }
            providers.commit(journal.touched());
        }
    }

    /** Runs {@code replay} (the saved configuration going back in) with missing mirred and indev devices allowed. */
    void restore(Runnable replay) {
        synchronized (lock) {
            restoring = true;
        }
        try {
            replay.run();
        } finally {
            synchronized (lock) {
                restoring = false;
            }
        }
    }

    /** Where the core reports what it cannot refuse (a provider arriving that refuses a filter). */
    protected void warn(String message) {
        System.getLogger(TcService.class.getName()).log(System.Logger.Level.WARNING, message);
    }

    /**
     * The configuration as it stands, in the order that rebuilds it: the seam persistence writes
     * from (and reads back through this service).
     */
    public TcConfiguration configuration() {
        synchronized (lock) {
            List<Action> standalone = new ArrayList<>();
            for (ActionEntry a : actions.list(null)) {
                if (a.heldByTable) {
                    standalone.add(a.action);
                }
            }
            List<TcConfiguration.ChainRef> chains = new ArrayList<>();
            List<Filter> filters = new ArrayList<>();
            for (Block b : blocks.blocks()) {
                BlockRef ref = b.ref();
                for (int chain : b.chains.explicitChains()) {
                    chains.add(new TcConfiguration.ChainRef(ref, chain));
                }
                for (FilterEntry e : b.chains.entries(-1)) {
                    filters.add(e.filter);
                }
            }
            return new TcConfiguration(blocks.qdiscs(), standalone, chains, filters);
        }
    }

    // =========================================================================================
    // Qdiscs
    // =========================================================================================

    @Override
    public void addQdisc(Qdisc qdisc, Mode mode) {
        require(qdisc != null, "qdisc: expected clsact or ingress");
        require(mode != null, "mode: expected add, replace or change");
        String dev = qdisc.dev();
        mutate(journal -> {
            QdiscEntry old = blocks.qdisc(dev);
            if (old != null) {
                checkUnchanged(old.qdisc(), qdisc, mode);
                return null;
            }
            if (mode == Mode.CHANGE) {
                throw new TcException("qdisc " + qdisc.kind().word() + ": dev " + dev + " has no qdisc to change (Cannot find specified qdisc on specified device)");
            }
            requireDevice(dev, "dev " + dev);
            QdiscEntry made = blocks.attach(qdisc, journal);
            for (TcHook hook : TcHook.values()) {
                Block b = made.block(hook);
                if (b != null) {
                    providers.bind(b, new Binding(dev, hook), journal);
                }
            }
            return null;
        });
    }

    /** Replace and change of an existing qdisc: tc can change neither its kind nor its blocks. */
    private static void checkUnchanged(Qdisc old, Qdisc asked, Mode mode) {
        String dev = old.dev();
        if (mode == Mode.ADD) {
            throw new TcException("qdisc " + asked.kind().word() + ": dev " + dev + " already has a " + old.kind().word()
                    + " qdisc (Exclusivity flag on, cannot modify)");
        }
        if (old.kind() != asked.kind()) {
            throw new TcException("qdisc " + asked.kind().word() + ": dev " + dev + " has a " + old.kind().word() + " qdisc; delete it first (Invalid qdisc name)");
        }
        if (old.ingressBlock() != asked.ingressBlock() || old.egressBlock() != asked.egressBlock()) {
            String token = old.ingressBlock() != asked.ingressBlock() ? "ingress_block" : "egress_block";
            throw new TcException(token + ": the blocks of dev " + dev + "'s qdisc cannot change; delete the qdisc and add it again (Change of blocks is not supported)");
        }
    }

    @Override
    public void deleteQdisc(String dev, Qdisc.Kind kind) {
        mutate(journal -> {
            QdiscEntry e = dev == null ? null : blocks.qdisc(dev);
            if (e == null || (kind != null && e.qdisc().kind() != kind)) {
                throw new TcException("qdisc" + (kind == null ? "" : " " + kind.word()) + ": dev " + dev
                        + " has no such qdisc (Cannot find specified qdisc on specified device)");
            }
            List<Block> dead = blocks.detach(e, journal);
            // A dying block takes its filters along; their actions let go first, while providers can still count them.
            for (Block b : dead) {
                for (FilterEntry f : b.chains.entries(-1)) {
                    releaseActions(f, f.actions, journal);
                }
            }
            for (Block b : dead) {
                for (FilterEntry f : b.chains.entries(-1)) {
                    providers.destroy(f, journal);
                }
            }
            for (TcHook hook : TcHook.values()) {
                Block b = e.block(hook);
                if (b != null) {
                    providers.unbind(b, new Binding(dev, hook), dead.contains(b), journal);
                }
            }
            return null;
        });
    }

    @Override
    public List<Qdisc> qdiscs() {
        synchronized (lock) {
            return blocks.qdiscs();
        }
    }

    // =========================================================================================
    // Chains
    // =========================================================================================

    @Override
    public void addChain(BlockRef where, int chain) {
        checkChain(chain);
        mutate(journal -> {
            Block b = blocks.resolve(where);
            if (b.chains.exists(chain)) {
                throw new TcException("chain " + chain + ": exists in " + b + " (Filter chain already exists)");
            }
            b.chains.addExplicit(chain, journal);
            return null;
        });
    }

    @Override
    public void deleteChain(BlockRef where, int chain) {
        checkChain(chain);
        mutate(journal -> {
            Block b = blocks.resolve(where);
            if (!b.chains.exists(chain)) {
                throw new TcException("chain " + chain + ": not in " + b + " (Cannot find specified filter chain)");
            }
            List<FilterEntry> inChain = b.chains.entries(chain);
            FilterEntry jumper = gotoSourceOutside(b, chain);
            if (jumper != null) {
                throw new TcException("chain " + chain + ": " + jumper + " has an action that goes to it (goto chain " + chain
                        + "); delete or change that filter first");
            }
            for (FilterEntry e : inChain) {
                removeFilter(e, journal);
            }
            b.chains.dropExplicit(chain, journal);
            for (FilterEntry e : inChain) {
                providers.destroy(e, journal);
            }
            return null;
        });
    }

    /** A filter outside {@code chain} whose actions go to it (filters of the chain itself go with it). */
    private static FilterEntry gotoSourceOutside(Block b, int chain) {
        int refs = b.chains.gotoRefs(chain);
        if (refs == 0) {
            return null;
        }
        int inside = 0;
        for (FilterEntry e : b.chains.entries(chain)) {
            for (int t : e.gotoTargets) {
                if (t == chain) {
                    inside++;
                }
            }
        }
        if (refs == inside) {
            return null;
        }
        for (FilterEntry e : b.chains.entries(-1)) {
            if (e.filter.chain() != chain && Arrays.stream(e.gotoTargets).anyMatch(t -> t == chain)) {
                return e;
            }
        }
        throw new IllegalStateException("goto chain " + chain + " is counted " + refs + " times but no filter of " + b + " goes there");
    }

    @Override
    public List<Integer> chains(BlockRef where) {
        synchronized (lock) {
            return blocks.resolve(where).chains.existing();
        }
    }

    // =========================================================================================
    // Filters
    // =========================================================================================

    @Override
    public FilterInfo addFilter(Filter filter, Mode mode) {
        require(filter != null, "filter: expected a filter");
        List<Staged> staged = mutate(journal -> stageAndInstall(List.of(filter), mode, journal));
        synchronized (lock) {
            return info(staged.get(0).entry());
        }
    }

    /**
     * Adds many filters as one change ({@code tc -batch}): each is checked as by {@link #addFilter}
     * against the tables as the ones before it left them, all before any provider hears of them;
     * then providers get them all and are committed once. A refusal names the filter by its
     * position and adds none. Returns the filters as installed (prio and handle assigned).
     */
    @Override
    public List<Filter> addFilters(List<Filter> filters, Mode mode) {
        require(filters != null, "filters: expected a list");
        return mutate(journal -> {
            List<Staged> staged = stageAndInstall(filters, mode, journal);
            List<Filter> installed = new ArrayList<>(staged.size());
            for (Staged s : staged) {
                installed.add(s.installed());
            }
            return installed;
        });
    }

    private List<Staged> stageAndInstall(List<Filter> filters, Mode mode, Journal journal) {
        require(mode != null, "mode: expected add, replace or change");
        int n = filters.size();
        List<Staged> staged = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            try {
                staged.add(stage(filters.get(i), mode, journal));
            } catch (TcException e) {
                throw inBatch(e, i, n);
            }
        }
        for (int i = 0; i < n; i++) {
            Staged s = staged.get(i);
            try {
                providers.install(s.entry(), s.previous(), journal);
            } catch (TcException e) {
                throw inBatch(e, i, n);
            }
        }
        return staged;
    }

    private static TcException inBatch(TcException e, int i, int n) {
        return n == 1 ? e : new TcException("filter " + (i + 1) + " of " + n + ": " + e.getMessage());
    }

    /** Checks one filter against the tables and puts it in them (journaled); providers come later. */
    private Staged stage(Filter f, Mode mode, Journal journal) {
        require(f != null, "filter: expected a filter");
        Classifier classifier = f.classifier();
        require(classifier != null, "filter: expected a classifier: flower, u32 or matchall");
        Block block = blocks.resolve(f.where());
        if (classifier instanceof FlowerMatch m && m.indev() != null) {
            requireNamedDevice(m.indev(), "indev " + m.indev(), "the filter matches nothing until it exists");
        }
        ChainTable table = block.chains;
        String kind = classifier.kind();
        int prio = f.prio();
        ClassifierInstance instance = null;
        if (prio == 0) {
            require(mode != Mode.CHANGE, "prio: change needs the prio of an existing filter");
            prio = table.autoPrio(f.chain());
        } else {
            instance = table.instance(f.chain(), prio);
        }
        if (instance != null) {
            if (f.protocol() != 0 && f.protocol() != instance.protocol) {
                throw new TcException("protocol " + EtherTypes.name(f.protocol()) + ": " + instance.describe() + " holds protocol "
                        + EtherTypes.name(instance.protocol) + " filters (Filter with specified priority/protocol not found)");
            }
            if (!instance.kind.equals(kind)) {
                throw new TcException(kind + ": " + instance.describe() + " holds " + instance.kind
                        + " filters; use another prio (Specified filter kind does not match existing one)");
            }
        } else {
            require(mode != Mode.CHANGE, "prio " + prio + ": chain " + f.chain() + " of " + block + " has no filter at that priority (change creates nothing)");
            require(f.protocol() != 0, "protocol: a filter at a new priority needs one (Filter kind and protocol must be specified)");
            instance = new ClassifierInstance(f.chain(), prio, f.protocol(), kind);
        }
        long handle = instance.requestedHandle(classifier, f.handle());
        FilterEntry old = handle == 0 ? null : instance.filters.get(handle);
        if (old != null && mode == Mode.ADD) {
            throw new TcException("handle " + ClassifierInstance.handleText(kind, handle) + ": Filter already exists in " + instance.describe()
                    + " (use replace)");
        }
        if (old == null && mode == Mode.CHANGE) {
            throw new TcException(handle == 0 ? "handle: change needs the handle of an existing filter"
                    : "handle " + ClassifierInstance.handleText(kind, handle) + ": no such filter in " + instance.describe() + " (change creates nothing)");
        }
        if (handle == 0) {
            handle = instance.allocateHandle(classifier);
        }
        instance.checkFits(classifier, handle, old);
        List<ActionEntry> bound = bindActions(f.actions(), journal);
        Filter installed = new Filter(block.ref(), f.chain(), prio, instance.protocol, handle, classifier, FilterEntry.actionsOf(bound), f.skipSw(),
                f.skipHw(), f.classid());
        if (old != null) {
            ClsOffload previous = old.offload;
            List<ActionEntry> oldActions = old.actions;
            table.update(old, installed, bound, journal);
            // After the new list bound its actions: one both lists share is never let go of in between.
            releaseActions(old, oldActions, journal);
            return new Staged(old, previous, installed);
        }
        FilterEntry e = new FilterEntry(block, instance, nextCookie++);
        e.set(installed, bound);
        table.put(e, journal);
        return new Staged(e, null, installed);
    }

    @Override
    public int deleteFilters(BlockRef where, int chain, int prio, int protocol, long handle) {
        return mutate(journal -> {
            Block block = blocks.resolve(where);
            List<FilterEntry> gone = select(block, chain, prio, protocol, handle);
            for (FilterEntry e : gone) {
                removeFilter(e, journal);
            }
            for (FilterEntry e : gone) {
                providers.destroy(e, journal);
            }
            return gone.size();
        });
    }

    /** The filters a delete names: all ({@code prio} 0), one priority ({@code handle} 0) or one filter. */
    private static List<FilterEntry> select(Block block, int chain, int prio, int protocol, long handle) {
        if (chain < -1 || chain > TcLimits.MAX_CHAIN) {
            throw new TcException("chain: expected an index from 0 to " + TcLimits.MAX_CHAIN);
        }
        if (prio < 0 || prio > TcLimits.MAX_PRIO) {
            throw new TcException("prio: expected 1 to 65535");
        }
        if (handle < 0 || handle > 0xFFFF_FFFFL) {
            throw new TcException("handle: expected a 32-bit number");
        }
        ChainTable table = block.chains;
        List<FilterEntry> out = new ArrayList<>();
        if (prio == 0) {
            require(handle == 0, "handle: deleting one filter needs its prio too");
            for (FilterEntry e : table.entries(chain)) {
                if (protocol == 0 || e.instance.protocol == protocol) {
                    out.add(e);
                }
            }
            return out;
        }
        if (chain >= 0 && !table.exists(chain)) {
            throw new TcException("chain " + chain + ": not in " + block + " (Cannot find specified filter chain)");
        }
        List<ClassifierInstance> found = new ArrayList<>();
        for (int c : chain < 0 ? table.chainIndexes() : List.of(chain)) {
            ClassifierInstance i = table.instance(c, prio);
            if (i != null && (protocol == 0 || i.protocol == protocol)) {
                found.add(i);
            }
        }
        if (found.isEmpty()) {
            throw new TcException("prio " + prio + ": no filter at that priority" + (protocol == 0 ? "" : " for protocol " + EtherTypes.name(protocol))
                    + " in " + block + " (Filter with specified priority/protocol not found)");
        }
        for (ClassifierInstance i : found) {
            if (handle == 0) {
                out.addAll(i.sorted());
                continue;
            }
            FilterEntry e = i.filters.get(handle);
            if (e == null) {
                continue;
            }
            int users = i.u32TableUsers(e);
            if (users > 0) {
                throw new TcException("handle " + ClassifierInstance.handleText(i.kind, handle) + ": " + users
                        + " filters sit in or link to this hash table; delete them first (Can not delete in-use filter)");
            }
            out.add(e);
        }
        if (out.isEmpty()) {
            throw new TcException("handle 0x" + Long.toHexString(handle) + ": not at prio " + prio + " of " + block + " (Specified filter handle not found)");
        }
        return out;
    }

    private void removeFilter(FilterEntry e, Journal journal) {
        e.block.chains.remove(e, journal);
        releaseActions(e, e.actions, journal);
    }

    @Override
    public List<FilterInfo> filters(BlockRef where, int chain) {
        synchronized (lock) {
            List<FilterInfo> out = new ArrayList<>();
            for (FilterEntry e : blocks.resolve(where).chains.entries(chain)) {
                out.add(info(e));
            }
            return out;
        }
    }

    @Override
    public FilterInfo getFilter(BlockRef where, int chain, int prio, int protocol, long handle) {
        synchronized (lock) {
            Block block = blocks.resolve(where);
            ClassifierInstance i = block.chains.instance(chain, prio);
            if (i == null || (protocol != 0 && i.protocol != protocol)) {
                throw new TcException("prio " + prio + ": no filter at that priority in chain " + chain + " of " + block
                        + " (Filter with specified priority/protocol not found)");
            }
            FilterEntry e = i.filters.get(handle);
            if (e == null) {
                throw new TcException("handle " + ClassifierInstance.handleText(i.kind, handle) + ": not in " + i.describe()
                        + " (Specified filter handle not found)");
            }
            return info(e);
        }
    }

    /** A filter as tc shows it: where it runs in hardware (or why not), and counters from every provider holding it. */
    private FilterInfo info(FilterEntry e) {
        int n = e.actions.size();
        TcStats[] filterStats = {TcStats.ZERO, TcStats.ZERO};
        TcStats[][] actionStats = zeros(n);
        providers.forEachStats(e, (slot, st) -> {
            int side = slot.software ? 0 : 1;
            filterStats[side] = filterStats[side].plus(st.filter());
            addActionStats(actionStats[side], st);
        });
        List<ActionInfo> acts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            acts.add(actionInfo(e.actions.get(i), actionStats[0][i], actionStats[1][i]));
        }
        int inHw = providers.inHwCount(e);
        boolean indevGone = e.filter.classifier() instanceof FlowerMatch m && m.indev() != null && !deviceExists.test(m.indev());
        return new FilterInfo(e.filter, inHw, inHw > 0 ? null : providers.notInHwReason(e), acts, filterStats[0], filterStats[1], indevGone);
    }

    // =========================================================================================
    // Actions
    // =========================================================================================

    @Override
    public ActionInfo addAction(Action action, Mode mode) {
        require(action != null, "action: expected an action");
        require(mode != null, "mode: expected add, replace or change");
        if (action instanceof ActionRef r) {
            throw new TcException("action " + r.kind() + " index " + r.index() + ": give the action's parameters, not only its index");
        }
        ActionEntry entry = mutate(journal -> {
            checkAction(action, true);
            String kind = action.kind();
            ActionEntry e = action.index() == 0 ? null : actions.get(kind, action.index());
            if (e != null) {
                if (mode == Mode.ADD) {
                    throw new TcException("index " + action.index() + ": action " + kind + " index " + action.index()
                            + " exists; use replace (TC action with specified index already exists)");
                }
                replaceAction(e, action, journal);
                return e;
            }
            if (mode == Mode.CHANGE) {
                throw new TcException(action.index() == 0 ? "index: change needs the index of an existing action"
                        : "index " + action.index() + ": no " + kind + " action with that index (TC action with specified index not found)");
            }
            Action indexed = action.index() != 0 ? action : action.withIndex(actions.freeIndex(kind));
            return actions.create(indexed, true, clockMillis.getAsLong(), journal);
        });
        synchronized (lock) {
            return actionInfo(entry, bindersOf(entry));
        }
    }

    /**
     * New parameters for an existing action, counters kept: what its old shared object counted is
     * retained, and every filter binding it is given to providers again with the new one.
     */
    private void replaceAction(ActionEntry e, Action action, Journal journal) {
        List<FilterEntry> binders = bindersOf(e);
        TcStats[] live = liveCounters(e, binders);
        retain(e, live[0], live[1], journal);
        actions.renew(e, action, journal);
        List<ClsOffload> previous = new ArrayList<>(binders.size());
        for (FilterEntry f : binders) {
            previous.add(f.offload);
            f.block.chains.update(f, f.filter.withActions(FilterEntry.actionsOf(f.actions)), f.actions, journal);
        }
        for (int i = 0; i < binders.size(); i++) {
            providers.install(binders.get(i), previous.get(i), journal);
        }
    }

    @Override
    public void deleteAction(String kind, int index) {
        mutate(journal -> {
            ActionEntry e = existingAction(kind, index);
            if (e.bindCount > 0) {
                throw new TcException("index " + index + ": action " + kind + " index " + index + " is bound by " + e.bindCount
                        + " filter" + (e.bindCount == 1 ? "" : "s") + "; delete them first");
            }
            actions.remove(e, journal);
            return null;
        });
    }

    @Override
    public List<ActionInfo> actions(String kind) {
        synchronized (lock) {
            List<ActionEntry> entries = actions.list(kind);
            Map<ActionEntry, List<FilterEntry>> binders = bindersOf(entries);
            List<ActionInfo> out = new ArrayList<>(entries.size());
            for (ActionEntry a : entries) {
                out.add(actionInfo(a, binders.getOrDefault(a, List.of())));
            }
            return out;
        }
    }

    @Override
    public ActionInfo getAction(String kind, int index) {
        synchronized (lock) {
            ActionEntry e = existingAction(kind, index);
            return actionInfo(e, bindersOf(e));
        }
    }

    @Override
    public int flushActions(String kind) {
        return mutate(journal -> {
            int n = 0;
            for (ActionEntry a : actions.list(kind)) {
                if (a.bindCount == 0) {
                    actions.remove(a, journal);
                    n++;
                }
            }
            return n;
        });
    }

    private ActionEntry existingAction(String kind, int index) {
        ActionEntry e = kind == null ? null : actions.get(kind, index);
        if (e == null) {
            throw new TcException("index " + index + ": no " + kind + " action with that index (TC action with specified index not found)");
        }
        return e;
    }

    /**
     * Binds a filter's action list: a reference binds the existing action; an inline action with an
     * index that exists binds that one (its own parameters are ignored, as Linux does); any other
     * inline action is created for the filter, with the next free index when it has none.
     */
    private List<ActionEntry> bindActions(List<Action> list, Journal journal) {
        List<ActionEntry> bound = new ArrayList<>(list.size());
        for (Action a : list) {
            require(a != null, "action: expected an action");
            ActionEntry e;
            if (a instanceof ActionRef r) {
                e = actions.get(r.kind(), r.index());
                if (e == null) {
                    throw new TcException("action " + r.kind() + " index " + r.index() + ": no such action (TC action with specified index not found)");
                }
            } else {
                e = a.index() > 0 ? actions.get(a.kind(), a.index()) : null;
                if (e == null) {
                    checkAction(a, false);
                    Action indexed = a.index() != 0 ? a : a.withIndex(actions.freeIndex(a.kind()));
                    e = actions.create(indexed, false, clockMillis.getAsLong(), journal);
                }
            }
            actions.bind(e, journal);
            bound.add(e);
        }
        return bound;
    }

    /**
     * Lets go of a filter's actions. An action the table keeps that loses its last filter first
     * retains what providers counted for it through {@code holder}, which they still hold.
     */
    private void releaseActions(FilterEntry holder, List<ActionEntry> list, Journal journal) {
        TcStats[][] counted = null;
        for (int i = 0; i < list.size(); i++) {
            ActionEntry a = list.get(i);
            if (a.bindCount == 1 && a.heldByTable) {
                if (counted == null) {
                    counted = actionCounters(holder);
                }
                retain(a, counted[0][i], counted[1][i], journal);
            }
            actions.release(a, journal);
        }
    }

    private void checkAction(Action a, boolean shared) {
        if (a.index() < 0) {
            throw new TcException("index: expected 1 to " + Integer.MAX_VALUE);
        }
        if (a instanceof MirredAction m) {
            requireNamedDevice(m.dev(), "mirred dev " + m.dev(), "the action drops what it would send until it exists");
        }
        if (shared) {
            ActionEntry.gotoTargets(a, chain -> {
                throw new TcException("goto chain " + chain + ": an action without a filter has no chain to go to; add it with its filter (Linux: can't use goto chain with NULL proto)");
            });
        }
    }

    private static void retain(ActionEntry a, TcStats software, TcStats hardware, Journal journal) {
        TcStats oldSoftware = a.retainedSoftware;
        TcStats oldHardware = a.retainedHardware;
        a.retainedSoftware = oldSoftware.plus(software);
        a.retainedHardware = oldHardware.plus(hardware);
        journal.undo(() -> {
            a.retainedSoftware = oldSoftware;
            a.retainedHardware = oldHardware;
        });
    }

    // --- action counters ---------------------------------------------------------------------------

    /** The filters binding {@code a}, each once. */
    private List<FilterEntry> bindersOf(ActionEntry a) {
        return bindersOf(List.of(a)).getOrDefault(a, List.of());
    }

    /** For each of {@code wanted}, the filters binding it: one pass over the filters, skipped when none is bound. */
    private Map<ActionEntry, List<FilterEntry>> bindersOf(List<ActionEntry> wanted) {
        Map<ActionEntry, List<FilterEntry>> out = new IdentityHashMap<>();
        int bindings = 0;
        Map<ActionEntry, Boolean> want = new IdentityHashMap<>();
        for (ActionEntry a : wanted) {
            want.put(a, Boolean.TRUE);
            bindings += a.bindCount;
        }
        if (bindings == 0) {
            return out;
        }
        for (Block b : blocks.blocks()) {
            b.chains.forEach(e -> {
                for (ActionEntry a : e.actions) {
                    if (want.containsKey(a)) {
                        List<FilterEntry> list = out.computeIfAbsent(a, k -> new ArrayList<>());
                        if (list.isEmpty() || list.get(list.size() - 1) != e) {
                            list.add(e);
                        }
                    }
                }
            });
        }
        return out;
    }

    /**
     * What providers count for {@code a} now: [software, hardware]. Each provider counts a shared
     * action once however many filters bind it, and reports that count with each of them, so per
     * provider the largest report is taken, then providers are summed.
     */
    private TcStats[] liveCounters(ActionEntry a, List<FilterEntry> binders) {
        Map<ProviderSet.Slot, TcStats> best = new IdentityHashMap<>();
        for (FilterEntry f : binders) {
            providers.forEachStats(f, (slot, st) -> {
                for (int i = 0; i < f.actions.size() && i < st.actions().size(); i++) {
                    if (f.actions.get(i) == a) {
                        TcStats s = st.actions().get(i);
                        best.merge(slot, s, (x, y) -> y.packets() > x.packets() || (y.packets() == x.packets() && y.bytes() > x.bytes()) ? y : x);
                    }
                }
            });
        }
        TcStats[] out = {TcStats.ZERO, TcStats.ZERO};
        best.forEach((slot, s) -> out[slot.software ? 0 : 1] = out[slot.software ? 0 : 1].plus(s));
        return out;
    }

    /** What providers counted for each action of {@code e}: [software|hardware][position]. */
    private TcStats[][] actionCounters(FilterEntry e) {
        TcStats[][] out = zeros(e.actions.size());
        providers.forEachStats(e, (slot, st) -> addActionStats(out[slot.software ? 0 : 1], st));
        return out;
    }

    private ActionInfo actionInfo(ActionEntry a, List<FilterEntry> binders) {
        TcStats[] live = liveCounters(a, binders);
        return actionInfo(a, live[0], live[1]);
    }

    private ActionInfo actionInfo(ActionEntry a, TcStats liveSoftware, TcStats liveHardware) {
        TcStats software = a.retainedSoftware.plus(liveSoftware);
        TcStats hardware = a.retainedHardware.plus(liveHardware);
        TcStats total = software.plus(hardware);
        if (a.firstUsedMillis == 0 && total.packets() > 0) {
            // Providers report the last use only: the first report of traffic is the closest to its first use.
            a.firstUsedMillis = total.lastUsedMillis() > 0 ? total.lastUsedMillis() : clockMillis.getAsLong();
        }
        boolean devGone = a.action instanceof MirredAction m && !deviceExists.test(m.dev());
        return new ActionInfo(a.action, a.refCount(), a.bindCount, a.installedMillis, a.firstUsedMillis, software, hardware, devGone);
    }

    private static void addActionStats(TcStats[] sums, ClsStats st) {
        for (int i = 0; i < sums.length && i < st.actions().size(); i++) {
            TcStats s = st.actions().get(i);
            if (s != null) {
                sums[i] = sums[i].plus(s);
            }
        }
    }

    private static TcStats[][] zeros(int n) {
        TcStats[][] out = new TcStats[2][n];
        Arrays.fill(out[0], TcStats.ZERO);
        Arrays.fill(out[1], TcStats.ZERO);
        return out;
    }

    // =========================================================================================
    // Plumbing
    // =========================================================================================

    /**
     * Runs one mutation under the lock: on success commits every provider it called and tells the
     * listeners; on any failure takes back everything it did, in the tables and in providers.
     */
    private <T> T mutate(Change<T> change) {
        T result;
        synchronized (lock) {
            Journal journal = new Journal();
            try {
                result = change.apply(journal);
            } catch (RuntimeException e) {
                journal.rollback(ex -> warn("taking back a refused tc change failed: " + ex));
                throw e;
            }
            providers.commit(journal.touched());
        }
        for (Runnable r : changeListeners) {
            r.run();
        }
        return result;
    }

    private void requireDevice(String dev, String token) {
        if (!deviceExists.test(dev)) {
            throw new TcException(token + ": Cannot find device \"" + dev + "\"");
        }
    }

    /**
     * A device a mirred or indev names: required of a new filter, as Linux does; a saved one whose
     * device is gone is kept (see {@link #restoring}), with {@code effect} in the warning.
     */
    private void requireNamedDevice(String dev, String token, String effect) {
        if (restoring && !deviceExists.test(dev)) {
            warn(token + ": device \"" + dev + "\" does not exist; kept, " + effect);
            return;
        }
        requireDevice(dev, token);
    }

    private static void checkChain(int chain) {
        if (chain < 0 || chain > TcLimits.MAX_CHAIN) {
            throw new TcException("chain: expected an index from 0 to " + TcLimits.MAX_CHAIN);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new TcException(message);
        }
    }
}
