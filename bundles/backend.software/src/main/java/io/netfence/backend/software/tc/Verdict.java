package io.netfence.backend.software.tc;

import io.netfence.tc.api.Control;

/**
 * What an action, a filter or a chain decided, as an int (Linux's TC_ACT_* values where one
 * exists). {@link #GOTO_CHAIN} and {@link #JUMP} carry their number in
 * {@link ClassifyContext#value}, so nothing is allocated to return a verdict.
 */
final class Verdict {
    /** {@code continue}: no decision, classification goes on with the next classifier (TC_ACT_UNSPEC). */
    static final int UNSPEC = -1;
    static final int OK = 0;
    static final int RECLASSIFY = 1;
    static final int SHOT = 2;
    static final int PIPE = 3;
    static final int STOLEN = 4;
    static final int TRAP = 8;
    static final int JUMP = 0x1000_0000;
    static final int GOTO_CHAIN = 0x2000_0000;
    /** Not an action's: the packet went round reclassify/goto chain more than TcLimits.MAX_RECLASSIFY times. */
    static final int LOOP_LIMIT = 0x4000_0000;

    private Verdict() {
    }

    /** The verdict code of a control (its number, for goto chain and jump, is {@link Control#value()}). */
    static int of(Control control) {
        return switch (control.kind()) {
            case OK -> OK;
            case SHOT -> SHOT;
            case PIPE -> PIPE;
            case CONTINUE -> UNSPEC;
            case RECLASSIFY -> RECLASSIFY;
            case GOTO_CHAIN -> GOTO_CHAIN;
            case JUMP -> JUMP;
            case STOLEN -> STOLEN;
            case TRAP -> TRAP;
        };
    }
}
