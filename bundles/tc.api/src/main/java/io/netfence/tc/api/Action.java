package io.netfence.tc.api;

/**
 * One action of a filter's list, or a shared one ({@code tc actions add ... index N}). Every
 * action has an index (0 on add: the system picks the next free one of its kind) and a
 * {@link Control} saying what follows it. A {@code reference} is {@code action KIND index N}
 * alone: it binds the existing shared action instead of describing a new one.
 */
public sealed interface Action permits GactAction, MirredAction, VlanAction, PeditAction, CsumAction, SkbeditAction,
        PoliceAction, SampleAction, ActionRef {
    /** tc's name for the action kind: gact, mirred, vlan, pedit, csum, skbedit, police, sample. */
    String kind();

    int index();

    Control control();

    /** The same action with another index (the table assigns one on add). */
    Action withIndex(int index);
}
