package io.netfence.xfrm.api;

import io.netfence.packet.IpAddress;
import java.util.List;
import java.util.function.Consumer;

/**
 * The SAD and SPD, as {@code ip xfrm state|policy|monitor} drive them. Thread-safe. Every
 * mutator validates the whole request first and throws {@link XfrmException} (naming the field)
 * without changing anything; changes reach the packet path between two batches.
 */
public interface XfrmService {

    // --- states ------------------------------------------------------------------------------

    /** Adds an SA; refused if (dst, spi) exists or the SA cannot work (key length, ICV, window...). */
    void addState(XfrmState state);

    /**
     * Adds many SAs at once (restoring a saved SAD): each validated as by {@link #addState}, all
     * before any is added, so a refusal adds none; one publication.
     */
    default void addStates(List<XfrmState> states) {
        states.forEach(this::addState);
    }

    /**
     * Replaces the configuration of an existing SA (or completes one reserved by
     * {@link #allocateSpi}). As on Linux, what identifies it and its algorithms and keys cannot
     * change; counters, sequence numbers and the replay window are kept.
     */
    void updateState(XfrmState state);

    /** Deletes an SA and wipes its keys; throws if absent. */
    void deleteState(IpAddress dst, int spi);

    /** The SA, or throws if absent. */
    XfrmStateInfo state(IpAddress dst, int spi);

    List<XfrmStateInfo> states();

    /** Deletes every SA; returns how many. */
    int flushStates();

    int stateCount();

    /**
     * Reserves an unused SPI in {@code [min, max]} for an SA to dst, as Linux's ALLOCSPI: the
     * reservation is a larval SA that {@link #updateState} completes, gone after 30 seconds.
     */
    int allocateSpi(IpAddress src, IpAddress dst, XfrmMode mode, int reqid, int min, int max);

    // --- policies ----------------------------------------------------------------------------

    /** Adds a policy (index 0: one is assigned); returns it as stored. Refused if its key exists. */
    XfrmPolicy addPolicy(XfrmPolicy policy);

    /**
     * Adds many policies at once (batch files): each validated as by {@link #addPolicy}, all before
     * any is added, so a refusal adds none; one publication. Returns them as stored.
     */
    default List<XfrmPolicy> addPolicies(List<XfrmPolicy> policies) {
        return policies.stream().map(this::addPolicy).toList();
    }

    /** Adds, or replaces the policy with the same key (counters kept); returns it as stored. */
    XfrmPolicy updatePolicy(XfrmPolicy policy);

    /** Deletes the policy with this key; throws if absent. */
    void deletePolicy(XfrmDirection direction, Selector selector, Mark mark, int ifId);

    void deletePolicy(XfrmDirection direction, int index);

    XfrmPolicyInfo policy(XfrmDirection direction, Selector selector, Mark mark, int ifId);

    XfrmPolicyInfo policy(XfrmDirection direction, int index);

    /** Policies in lookup order per direction (priority, then age). */
    List<XfrmPolicyInfo> policies();

    int flushPolicies();

    int policyCount();

    // --- events ------------------------------------------------------------------------------

    /**
     * Streams events ({@code ip xfrm monitor}) to {@code listener}, called from one event thread in
     * order; closing the handle stops it.
     */
    AutoCloseable monitor(Consumer<XfrmEvent> listener);
}
