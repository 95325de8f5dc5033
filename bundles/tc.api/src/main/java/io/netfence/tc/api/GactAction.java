package io.netfence.tc.api;

/**
 * {@code gact}: a verdict ({@code action drop}, {@code action pass}, {@code action goto chain 3},
 * {@code action gact reclassify}...), optionally random ({@code random determ|netrand ACTION N}:
 * every Nth, or with probability 1/N... as {@code tc-actions} gact describes).
 */
public record GactAction(int index, Control control, RandomKind random, Control randomControl, int randomValue) implements Action {
    public enum RandomKind {
        NONE,
        /** Deterministic: every {@code randomValue}th packet gets {@code randomControl}. */
        DETERM,
        /** Random: each packet with probability 1/{@code randomValue}. */
        NETRAND
    }

    public GactAction {
        if (random == null) {
            random = RandomKind.NONE;
        }
        if (random != RandomKind.NONE && (randomControl == null || randomValue < 1)) {
            throw new TcException("random: expected random determ|netrand CONTROL VALUE with VALUE at least 1");
        }
    }

    public static GactAction of(Control control) {
        return new GactAction(0, control, RandomKind.NONE, null, 0);
    }

    @Override
    public String kind() {
        return "gact";
    }

    @Override
    public Action withIndex(int i) {
        return new GactAction(i, control, random, randomControl, randomValue);
    }
}
