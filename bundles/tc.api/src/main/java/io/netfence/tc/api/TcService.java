package io.netfence.tc.api;

import java.util.List;

/**
 * The tc tables: qdiscs, blocks, chains, filters and shared actions. Every change is validated
 * first and either applies whole or throws {@link TcException} (naming the token at fault) and
 * changes nothing. Changes reach the packet path without stopping it.
 */
public interface TcService {
    /** How an add treats an existing object (tc's add, replace and change). */
    enum Mode {
        /** Fails if it exists. */
        ADD,
        /** Creates it or replaces it. */
        REPLACE,
        /** Replaces it; fails if it does not exist. */
        CHANGE
    }

    // --- qdiscs ---
    void addQdisc(Qdisc qdisc, Mode mode);

    /** Deletes the qdisc of {@code dev} ({@code kind} null: whichever it has), with every filter of its own blocks. */
    void deleteQdisc(String dev, Qdisc.Kind kind);

    List<Qdisc> qdiscs();

    // --- chains ---
    /** Creates an empty chain (a chain also comes to exist when a filter is added to it). */
    void addChain(BlockRef where, int chain);

    /** Deletes a chain and its filters; refused while an action jumps to it. */
    void deleteChain(BlockRef where, int chain);

    List<Integer> chains(BlockRef where);

    // --- filters ---
    /** Adds, replaces or changes a filter; returns it as installed. */
    FilterInfo addFilter(Filter filter, Mode mode);

    /**
     * Adds many filters as one change (tc -batch, the appliance's -b): all are validated first,
     * then installed, then published to the packet path once; a refusal names the filter by its
     * position and adds none. Returns them as installed, in order.
     */
    List<Filter> addFilters(List<Filter> filters, Mode mode);

    /**
     * Deletes filters of {@code where}: all of them ({@code prio} 0), those of one priority
     * ({@code handle} 0), or one. {@code chain} -1 means every chain; {@code protocol} 0 any.
     */
    int deleteFilters(BlockRef where, int chain, int prio, int protocol, long handle);

    /** Filters of {@code where}, chain by chain ({@code chain} -1: all), by priority then handle. */
    List<FilterInfo> filters(BlockRef where, int chain);

    FilterInfo getFilter(BlockRef where, int chain, int prio, int protocol, long handle);

    // --- shared actions ---
    /** Adds (or with REPLACE, replaces) a shared action; index 0 picks the next free one. */
    ActionInfo addAction(Action action, Mode mode);

    /** Deletes a shared action; refused while a filter binds it. */
    void deleteAction(String kind, int index);

    List<ActionInfo> actions(String kind);

    ActionInfo getAction(String kind, int index);

    /** Deletes every shared action of {@code kind} no filter binds; returns how many. */
    int flushActions(String kind);

    /**
     * Waits, at most {@code timeoutMillis}, until the configuration as it stands is saved (the
     * background tc.conf write after a change is done); true if it is. Benchmarks call it so a
     * write of 100k rules does not run during the measurement. Without persistence: at once.
     */
    default boolean awaitSaved(long timeoutMillis) throws InterruptedException {
        return true;
    }
}
