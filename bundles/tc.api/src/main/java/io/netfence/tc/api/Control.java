package io.netfence.tc.api;

/**
 * What happens after an action ran (Linux {@code TC_ACT_*}): {@code ok}/{@code pass} accepts the
 * packet and ends classification; {@code drop}/{@code shot} drops it; {@code pipe} runs the next
 * action of the list; {@code continue} resumes classification with the next filter;
 * {@code reclassify} restarts classification at chain 0; {@code goto chain N} continues in chain
 * N; {@code jump N} skips the next N actions of the list; {@code stolen} means the action took the
 * packet (mirred redirect); {@code trap} hands it to the CPU (software: same as ok).
 */
public record Control(Kind kind, int value) {
    public enum Kind {
        OK("pass"),
        SHOT("drop"),
        PIPE("pipe"),
        CONTINUE("continue"),
        RECLASSIFY("reclassify"),
        GOTO_CHAIN("goto chain"),
        JUMP("jump"),
        STOLEN("stolen"),
        TRAP("trap");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        /** tc's own word for it, as {@code tc actions show} prints it. */
        public String word() {
            return word;
        }
    }

    public static final Control OK = new Control(Kind.OK, 0);
    public static final Control SHOT = new Control(Kind.SHOT, 0);
    public static final Control PIPE = new Control(Kind.PIPE, 0);
    public static final Control CONTINUE = new Control(Kind.CONTINUE, 0);
    public static final Control RECLASSIFY = new Control(Kind.RECLASSIFY, 0);
    public static final Control STOLEN = new Control(Kind.STOLEN, 0);
    public static final Control TRAP = new Control(Kind.TRAP, 0);

    public Control {
        if (kind == null) {
            throw new TcException("control: expected pass, drop, pipe, continue, reclassify, goto chain N, jump N or trap");
        }
        if (kind == Kind.GOTO_CHAIN && (value < 0 || value > TcLimits.MAX_CHAIN)) {
            throw new TcException("goto chain: expected a chain index from 0 to " + TcLimits.MAX_CHAIN);
        }
        if (kind == Kind.JUMP && value <= 0) {
            throw new TcException("jump: expected a count of actions to skip, at least 1");
        }
        if (kind != Kind.GOTO_CHAIN && kind != Kind.JUMP && value != 0) {
            throw new TcException("control " + kind.word() + ": takes no number");
        }
    }

    public static Control gotoChain(int chain) {
        return new Control(Kind.GOTO_CHAIN, chain);
    }

    public static Control jump(int count) {
        return new Control(Kind.JUMP, count);
    }

    /** As tc prints it: {@code pass}, {@code goto chain 5}, {@code jump 2}. */
    @Override
    public String toString() {
        return switch (kind) {
            case GOTO_CHAIN -> "goto chain " + value;
            case JUMP -> "jump " + value;
            default -> kind.word();
        };
    }
}
