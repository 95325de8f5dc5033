package io.netfence.tc.internal;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.Filter;
import io.netfence.tc.spi.ClsOffload;
import io.netfence.tc.spi.SharedAction;
import io.netfence.tc.spi.TcRefusal;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A filter in its block. {@link #filter} is the filter as installed (canonical block, prio,
 * protocol and handle assigned, actions with their indexes); {@link #offload} is what providers
 * were given for it, kept so that taking a change back hands them exactly the same objects.
 */
final class FilterEntry {
    static final ProviderSet.Slot[] NOWHERE = new ProviderSet.Slot[0];

    final Block block;
    final ClassifierInstance instance;
    /** Names the filter to providers from its first install to its deletion (a replace keeps it). */
    final long cookie;
    Filter filter;
    List<ActionEntry> actions;
    /** Chains its actions may {@code goto}, counted in its block while it is installed. */
    int[] gotoTargets;
    ClsOffload offload;
    /** The providers that took it. */
    ProviderSet.Slot[] heldBy = NOWHERE;
    /** Why a device did not take it, when one refused. */
    TcRefusal deviceRefusal;

    FilterEntry(Block block, ClassifierInstance instance, long cookie) {
        this.block = block;
        this.instance = instance;
        this.cookie = cookie;
    }

    /** Sets what the filter is now: its installed form, bound actions and the offload built from them. */
    void set(Filter installed, List<ActionEntry> bound) {
        this.filter = installed;
        this.actions = bound;
        this.gotoTargets = gotoTargets(bound);
        List<SharedAction> shared = new ArrayList<>(bound.size());
        for (ActionEntry a : bound) {
            shared.add(a.shared);
        }
        this.offload = new ClsOffload(block.id, cookie, installed, shared);
    }

    long handle() {
        return filter.handle();
    }

    boolean holds(ProviderSet.Slot slot) {
        for (ProviderSet.Slot s : heldBy) {
            if (s == slot) {
                return true;
            }
        }
        return false;
    }

    /** The installed actions of {@code bound}, in order. */
    static List<Action> actionsOf(List<ActionEntry> bound) {
        List<Action> out = new ArrayList<>(bound.size());
        for (ActionEntry a : bound) {
            out.add(a.action);
        }
        return out;
    }

    private static int[] gotoTargets(List<ActionEntry> bound) {
        IntStream.Builder targets = IntStream.builder();
        for (ActionEntry a : bound) {
            ActionEntry.gotoTargets(a.action, targets);
        }
        return targets.build().toArray();
    }

    @Override
    public String toString() {
        return "filter " + filter.where() + " chain " + filter.chain() + " prio " + filter.prio() + " handle "
                + ClassifierInstance.handleText(instance.kind, filter.handle());
    }
}
