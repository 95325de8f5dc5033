package io.netfence.tc.syntax;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.api.TcException;
import io.netfence.tc.api.TcService;
import java.util.List;

/**
 * One parsed {@code tc} command: what {@link TcParser} makes of the words after {@code tc}. The
 * object ({@code qdisc}, {@code filter}, {@code chain}, {@code actions}) is the record type; the
 * verb and the global output options are common to all.
 */
public sealed interface TcCommand {
    /** The verb, with iproute2's aliases folded: {@code del} is DELETE, {@code list}/{@code ls}/{@code lst} SHOW. */
    enum Verb {
        ADD,
        CHANGE,
        REPLACE,
        DELETE,
        GET,
        SHOW,
        FLUSH;

        /** The service mode of an add, change or replace. */
        public TcService.Mode mode() {
            return switch (this) {
                case ADD -> TcService.Mode.ADD;
                case CHANGE -> TcService.Mode.CHANGE;
                case REPLACE -> TcService.Mode.REPLACE;
                default -> throw new IllegalStateException(this + " does not change anything");
            };
        }

        /** tc's word for the verb. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** tc's global options: {@code -s}/{@code -stats}, {@code -d}/{@code -details}, {@code -j}/{@code -json}, {@code -p}/{@code -pretty}. */
    record Output(boolean stats, boolean details, boolean json, boolean pretty) {
        public static final Output PLAIN = new Output(false, false, false, false);
    }

    Verb verb();

    Output output();

    /**
     * {@code tc qdisc add|change|replace|del|show [dev DEV] [ingress_block N] [egress_block N]
     * clsact|ingress}. {@code kind} is null when not given (del and show: whichever); blocks are 0
     * when not given.
     */
    record QdiscCmd(Verb verb, Output output, String dev, Qdisc.Kind kind, int ingressBlock, int egressBlock) implements TcCommand {
        /** The qdisc an add, change or replace describes. */
        public Qdisc qdisc() {
            if (kind == null) {
                throw new TcException("qdisc: expected clsact or ingress");
            }
            return new Qdisc(dev, kind, ingressBlock, egressBlock);
        }
    }

    /**
     * {@code tc filter ...}. For add, change and replace {@code filter} is the filter (its place is
     * {@code where}). For del, get and show the selection: {@code where} (null when only a device
     * or nothing was named: every hook of {@code dev}, or everything), {@code chain} (-1: every
     * chain), {@code prio} (0: any), {@code protocol} (0: any), {@code handle} (0: any) and
     * {@code kind} (null: any).
     */
    record FilterCmd(Verb verb, Output output, BlockRef where, String dev, int chain, int prio, int protocol, long handle, String kind,
            Filter filter) implements TcCommand {
    }

    /**
     * {@code tc chain add|del|get|show dev DEV ingress|egress | block N [chain N]}: {@code chain} is
     * -1 for show without a chain (every chain); add and del default to chain 0, as tc does.
     * {@code where} is null for show with only a device named.
     */
    record ChainCmd(Verb verb, Output output, BlockRef where, String dev, int chain) implements TcCommand {
    }

    /**
     * {@code tc actions add|change|replace action KIND ...} ({@code actions} are the new shared
     * actions), {@code get|del action KIND index N} ({@code actions} are {@link io.netfence.tc.api.ActionRef}s),
     * {@code show|list|flush action KIND} ({@code kind}; {@code actions} empty).
     */
    record ActionsCmd(Verb verb, Output output, String kind, List<Action> actions) implements TcCommand {
        public ActionsCmd {
            actions = List.copyOf(actions);
        }
    }
}
