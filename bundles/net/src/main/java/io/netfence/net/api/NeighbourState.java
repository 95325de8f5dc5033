package io.netfence.net.api;

/** Neighbour cache states as {@code ip neigh} prints them. */
public enum NeighbourState {
    PERMANENT, REACHABLE, STALE, INCOMPLETE, FAILED;

    public String label() {
        return name();
    }
}
