package io.netfence.xfrm.api;

/** The direction a policy applies to ({@code dir in|out|fwd}); Linux's policy index ends in it (0, 1, 2). */
public enum XfrmDirection {
    IN, OUT, FWD;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
