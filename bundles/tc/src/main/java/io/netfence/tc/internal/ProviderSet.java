package io.netfence.tc.internal;

import io.netfence.tc.api.Filter;
import io.netfence.tc.api.TcException;
import io.netfence.tc.spi.ClsOffload;
import io.netfence.tc.spi.ClsStats;
import io.netfence.tc.spi.TcOffloadProvider;
import io.netfence.tc.spi.TcRefusal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The offload providers and what each holds, in the shape of Linux's block offload: a provider is
 * told of every binding of a device it drives (software: of every binding), and holds a block's
 * filters while it has at least one accepted binding of that block — it gets them replayed when
 * that first binding arrives and destroyed when the last one goes. Every call that changes a
 * provider is journaled with its inverse; a provider that throws is treated as refusing.
 */
final class ProviderSet {
    /** One provider and the bindings it accepted or refused. */
    static final class Slot {
        final TcOffloadProvider provider;
        final String name;
        final boolean software;
        final Map<Binding, Long> accepted = new HashMap<>();
        final Map<Binding, TcRefusal> refused = new HashMap<>();
        /** Block id to how many of its bindings this provider accepted. */
        final Map<Long, Integer> acceptedPerBlock = new HashMap<>();

        Slot(TcOffloadProvider provider) {
            this.provider = provider;
            this.name = provider.name();
            this.software = provider.software();
        }

        boolean serves(String dev) {
            return software || provider.drives(dev);
        }

        /** Whether the filter's flags send it here: skip_sw keeps it off software, skip_hw off devices. */
        boolean wants(Filter f) {
            return software ? !f.skipSw() : !f.skipHw();
        }

        boolean holds(Block b) {
            return acceptedPerBlock.containsKey(b.id);
        }
    }

    private final List<Slot> slots = new ArrayList<>();
    private final Consumer<String> warn;

    ProviderSet(Consumer<String> warn) {
        this.warn = warn;
    }

    // --- providers arriving and leaving ---------------------------------------------------------

    /** A provider arrives: it is told every binding it serves and given every filter it should hold. */
    void add(TcOffloadProvider provider, Collection<Block> blocks, Journal journal) {
        if (find(provider) != null) {
            return;
        }
        Slot s = new Slot(provider);
        slots.add(s);
        for (Block block : blocks) {
            for (Binding b : block.bindings) {
                if (!s.serves(b.dev())) {
                    continue;
                }
                TcRefusal r = bindAt(s, block, b, journal);
                if (r == null) {
                    accept(s, block, b, journal);
                } else {
                    refuse(s, b, r, journal);
                    if (s.software) {
                        warn.accept(b + " runs no software filters: " + r);
                    }
                }
            }
            if (s.holds(block)) {
                replay(s, block, journal, false);
            }
        }
    }

    /** A provider leaves: the core forgets what it held (the provider's own state leaves with it). */
    void remove(TcOffloadProvider provider, Collection<Block> blocks) {
        Slot s = find(provider);
        if (s == null) {
            return;
        }
        slots.remove(s);
        for (Block block : blocks) {
            block.chains.forEach(e -> {
                if (e.holds(s)) {
                    e.heldBy = without(e.heldBy, s);
                }
                if (e.deviceRefusal != null && e.deviceRefusal.provider().equals(s.name)) {
                    e.deviceRefusal = null;
                }
            });
        }
    }

    private Slot find(TcOffloadProvider provider) {
        for (Slot s : slots) {
            if (s.provider == provider) {
                return s;
            }
        }
        return null;
    }

    // --- bindings --------------------------------------------------------------------------------

    /**
     * Block {@code block} now serves hook {@code b}. Software must accept; a device that refuses
     * leaves the hook to software, with its reason kept. A provider holding the block for the first
     * time gets its filters; a skip_sw filter it refuses, or a hook no device offloads while the
     * block holds skip_sw filters, refuses the whole binding.
     */
    void bind(Block block, Binding b, Journal journal) {
        for (Slot s : slots) {
            if (!s.serves(b.dev())) {
                continue;
            }
            TcRefusal r = bindAt(s, block, b, journal);
            if (r != null) {
                if (s.software) {
                    throw new TcException("dev " + b.dev() + ": " + s.name + " cannot run " + b.hook().word() + " filters: " + r.reason());
                }
                refuse(s, b, r, journal);
                continue;
            }
            accept(s, block, b, journal);
            if (s.acceptedPerBlock.get(block.id) == 1) {
                replay(s, block, journal, true);
            }
        }
        if (block.chains.hasSkipSw() && !offloaded(b)) {
            throw new TcException("dev " + b.dev() + ": " + block + " holds skip_sw filters, which cannot run on " + b + ": "
                    + whyNotOffloaded(List.of(b)) + " (Bind to offloaded block failed)");
        }
    }

    /**
     * Hook {@code b} no longer uses {@code block}. A provider losing its last binding of a block that
     * lives on has the block's filters destroyed first, as Linux plays them back on unbind; when the
     * block dies its filters were destroyed already.
     */
    void unbind(Block block, Binding b, boolean blockDies, Journal journal) {
        for (Slot s : slots) {
            if (s.accepted.containsKey(b)) {
                if (!blockDies && s.acceptedPerBlock.get(block.id) == 1) {
                    withdraw(s, block, journal);
                }
                unbindAt(s, block, b, journal);
                unaccept(s, block, b, journal);
            } else if (s.refused.containsKey(b)) {
                TcRefusal r = s.refused.remove(b);
                journal.undo(() -> s.refused.put(b, r));
            }
        }
    }

    /** True when some device provider accepted binding {@code b}. */
    boolean offloaded(Binding b) {
        for (Slot s : slots) {
            if (!s.software && s.accepted.containsKey(b)) {
                return true;
            }
        }
        return false;
    }

    // --- filters ---------------------------------------------------------------------------------

    /**
     * Gives {@code e} (new, or replaced: {@code previous} is what providers had) to every provider
     * holding its block that its flags admit, and takes it from those its new flags exclude.
     * Refused when software refuses it, or when it is skip_sw and not every device hook of its block
     * can take it.
     */
    void install(FilterEntry e, ClsOffload previous, Journal journal) {
        Filter f = e.filter;
        Block block = e.block;
        List<Slot> held = new ArrayList<>(2);
        TcRefusal deviceRefusal = null;
        for (Slot s : slots) {
            boolean had = e.holds(s);
            if (s.holds(block) && s.wants(f)) {
                TcRefusal r = replaceAt(s, e.offload, had ? previous : null, journal);
                if (r == null) {
                    held.add(s);
                    continue;
                }
                // A refusal changed nothing there: throwing leaves the old version in place for the rollback.
                if (s.software) {
                    throw new TcException(r.provider() + ": " + r.reason());
                }
                if (f.skipSw()) {
                    throw skipSwRefused(block, r.toString());
                }
                if (had) {
                    // Going on without this device: its old version must not go on running there.
                    destroyAt(s, block, e.cookie, previous, journal);
                }
                if (deviceRefusal == null) {
                    deviceRefusal = r;
                }
            } else if (had) {
                destroyAt(s, block, e.cookie, previous, journal);
            }
        }
        place(e, held.toArray(FilterEntry.NOWHERE), deviceRefusal, journal);
        if (f.skipSw()) {
            String why = skipSwProblem(e);
            if (why != null) {
                throw skipSwRefused(block, why);
            }
        }
    }

    /** Takes {@code e} from every provider holding it. */
    void destroy(FilterEntry e, Journal journal) {
        for (Slot s : e.heldBy) {
            destroyAt(s, e.block, e.cookie, e.offload, journal);
        }
        place(e, FilterEntry.NOWHERE, null, journal);
    }

    /** Publishes each provider's changes (once per mutation). */
    void commit(Set<TcOffloadProvider> touched) {
        for (TcOffloadProvider p : touched) {
            try {
                p.commit();
            } catch (RuntimeException ex) {
                warn.accept(p.name() + ": commit failed: " + ex);
            }
        }
    }

    /** Asks each provider holding {@code e} for its counters. */
    void forEachStats(FilterEntry e, BiConsumer<Slot, ClsStats> out) {
        for (Slot s : e.heldBy) {
            ClsStats st;
            try {
                st = s.provider.stats(e.block.id, e.cookie);
            } catch (RuntimeException ex) {
                warn.accept(s.name + ": stats of " + e + " failed: " + ex);
                continue;
            }
            if (st != null) {
                out.accept(s, st);
            }
        }
    }

    // --- where a filter is, and why not ------------------------------------------------------------

    /** How many devices run {@code e}: each device provider holding it counts the devices of its block it accepted. */
    int inHwCount(FilterEntry e) {
        int count = 0;
        for (Slot s : e.heldBy) {
            if (s.software) {
                continue;
            }
            Set<String> devs = new LinkedHashSet<>();
            for (Binding b : e.block.bindings) {
                if (s.accepted.containsKey(b)) {
                    devs.add(b.dev());
                }
            }
            count += devs.size();
        }
        return count;
    }

    /** Why {@code e} is in no device: skip_hw, a device's refusal, or what its block's hooks lack. */
    String notInHwReason(FilterEntry e) {
        if (e.filter.skipHw()) {
            return "skip_hw";
        }
        if (e.deviceRefusal != null) {
            return e.deviceRefusal.toString();
        }
        String why = whyNotOffloaded(e.block.bindings);
        return why != null ? why : "no device took it";
    }

    /** For a skip_sw filter: null when every hook of its block runs it in a device, else why not. */
    private String skipSwProblem(FilterEntry e) {
        if (e.deviceRefusal != null) {
            return e.deviceRefusal.toString();
        }
        String why = whyNotOffloaded(e.block.bindings);
        if (why != null) {
            return why;
        }
        return inHwCount(e) == 0 ? "no device took it" : null;
    }

    /** Among {@code bindings}, what keeps one from a device: a device's refusal of the binding, or no device driving it; null if none. */
    private String whyNotOffloaded(List<Binding> bindings) {
        List<String> undriven = new ArrayList<>();
        for (Binding b : bindings) {
            if (offloaded(b)) {
                continue;
            }
            TcRefusal refusal = null;
            for (Slot s : slots) {
                if (!s.software && refusal == null) {
                    refusal = s.refused.get(b);
                }
            }
            if (refusal != null) {
                return refusal.provider() + ": " + b + ": " + refusal.reason();
            }
            if (!undriven.contains(b.dev())) {
                undriven.add(b.dev());
            }
        }
        return undriven.isEmpty() ? null : "no offload device drives " + String.join(", ", undriven);
    }

    private static TcException skipSwRefused(Block block, String why) {
        return new TcException("skip_sw: Filter with skip_sw flag cannot be offloaded: no device under " + block + " can take it (" + why + ")");
    }

    // --- journaled steps -------------------------------------------------------------------------

    /** Gives {@code s} every filter of {@code block} it should hold; strict: a refusal that matters throws. */
    private void replay(Slot s, Block block, Journal journal, boolean strict) {
        for (FilterEntry e : block.chains.entries(-1)) {
            if (!s.wants(e.filter) || e.holds(s)) {
                continue;
            }
            TcRefusal r = replaceAt(s, e.offload, null, journal);
            if (r == null) {
                place(e, with(e.heldBy, s), e.deviceRefusal, journal);
            } else if (s.software) {
                if (strict) {
                    throw new TcException(r.provider() + ": " + e + ": " + r.reason());
                }
                warn.accept(e + " does not run in software: " + r);
            } else if (e.filter.skipSw() && strict) {
                throw skipSwRefused(block, r.toString());
            } else if (e.deviceRefusal == null) {
                place(e, e.heldBy, r, journal);
            }
        }
    }

    /** Takes every filter of {@code block} from {@code s}. */
    private void withdraw(Slot s, Block block, Journal journal) {
        for (FilterEntry e : block.chains.entries(-1)) {
            if (e.holds(s)) {
                destroyAt(s, block, e.cookie, e.offload, journal);
                TcRefusal refusal = e.deviceRefusal;
                place(e, without(e.heldBy, s), refusal != null && refusal.provider().equals(s.name) ? null : refusal, journal);
            }
        }
    }

    private static void place(FilterEntry e, Slot[] heldBy, TcRefusal deviceRefusal, Journal journal) {
        Slot[] oldHeld = e.heldBy;
        TcRefusal oldRefusal = e.deviceRefusal;
        e.heldBy = heldBy;
        e.deviceRefusal = deviceRefusal;
        journal.undo(() -> {
            e.heldBy = oldHeld;
            e.deviceRefusal = oldRefusal;
        });
    }

    private static void accept(Slot s, Block block, Binding b, Journal journal) {
        s.accepted.put(b, block.id);
        s.acceptedPerBlock.merge(block.id, 1, Integer::sum);
        journal.undo(() -> {
            s.accepted.remove(b);
            s.acceptedPerBlock.merge(block.id, -1, (x, y) -> x + y == 0 ? null : x + y);
        });
    }

    private static void unaccept(Slot s, Block block, Binding b, Journal journal) {
        s.accepted.remove(b);
        s.acceptedPerBlock.merge(block.id, -1, (x, y) -> x + y == 0 ? null : x + y);
        journal.undo(() -> {
            s.accepted.put(b, block.id);
            s.acceptedPerBlock.merge(block.id, 1, Integer::sum);
        });
    }

    private static void refuse(Slot s, Binding b, TcRefusal r, Journal journal) {
        TcRefusal old = s.refused.put(b, r);
        journal.undo(() -> {
            if (old == null) {
                s.refused.remove(b);
            } else {
                s.refused.put(b, old);
            }
        });
    }

    // --- provider calls: journaled, and a provider that throws counts as refusing ------------------

    private TcRefusal bindAt(Slot s, Block block, Binding b, Journal journal) {
        journal.touched(s.provider);
        TcRefusal r;
        try {
            r = s.provider.bind(b.dev(), b.hook(), block.id);
        } catch (RuntimeException ex) {
            return new TcRefusal(s.name, "bind failed: " + ex);
        }
        if (r == null) {
            journal.undo(() -> quietly(s, "unbind", () -> s.provider.unbind(b.dev(), b.hook(), block.id)));
        }
        return r;
    }

    private void unbindAt(Slot s, Block block, Binding b, Journal journal) {
        journal.touched(s.provider);
        quietly(s, "unbind", () -> s.provider.unbind(b.dev(), b.hook(), block.id));
        journal.undo(() -> quietly(s, "bind", () -> s.provider.bind(b.dev(), b.hook(), block.id)));
    }

    /** FLOW_CLS_REPLACE; taken back by putting {@code previous} back, or by destroying when there was none. */
    private TcRefusal replaceAt(Slot s, ClsOffload offload, ClsOffload previous, Journal journal) {
        journal.touched(s.provider);
        TcRefusal r;
        try {
            r = s.provider.replace(offload);
        } catch (RuntimeException ex) {
            r = new TcRefusal(s.name, "replace failed: " + ex);
            // It may have half-installed it: make sure it is gone.
            quietly(s, "destroy", () -> s.provider.destroy(offload.block(), offload.cookie()));
        }
        if (r == null) {
            journal.undo(previous != null ? () -> restore(s, previous) : () -> quietly(s, "destroy", () -> s.provider.destroy(offload.block(), offload.cookie())));
        }
        return r;
    }

    private void destroyAt(Slot s, Block block, long cookie, ClsOffload restore, Journal journal) {
        journal.touched(s.provider);
        quietly(s, "destroy", () -> s.provider.destroy(block.id, cookie));
        journal.undo(() -> restore(s, restore));
    }

    /** Puts back what a provider had; it should take it again, and if not, that is said. */
    private void restore(Slot s, ClsOffload previous) {
        try {
            TcRefusal r = s.provider.replace(previous);
            if (r != null) {
                warn.accept(s.name + " did not take back filter " + previous.cookie() + " of block " + previous.block() + ": " + r.reason());
            }
        } catch (RuntimeException ex) {
            warn.accept(s.name + ": putting back filter " + previous.cookie() + " of block " + previous.block() + " failed: " + ex);
        }
    }

    private void quietly(Slot s, String what, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException ex) {
            warn.accept(s.name + ": " + what + " failed: " + ex);
        }
    }

    private static Slot[] with(Slot[] held, Slot s) {
        Slot[] out = Arrays.copyOf(held, held.length + 1);
        out[held.length] = s;
        return out;
    }

    private static Slot[] without(Slot[] held, Slot s) {
        return Arrays.stream(held).filter(x -> x != s).toArray(Slot[]::new);
    }
}
