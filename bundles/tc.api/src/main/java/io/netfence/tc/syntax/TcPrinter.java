package io.netfence.tc.syntax;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.ActionInfo;
import io.netfence.tc.api.ActionRef;
import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.FilterInfo;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.MatchAll;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.api.TcException;
import io.netfence.tc.api.TcStats;
import io.netfence.tc.api.U32Match;
import io.netfence.tc.syntax.TcCommand.ActionsCmd;
import io.netfence.tc.syntax.TcCommand.ChainCmd;
import io.netfence.tc.syntax.TcCommand.FilterCmd;
import io.netfence.tc.syntax.TcCommand.QdiscCmd;
import java.util.List;

/**
 * tc's output both ways round: the canonical command of each object ({@code toCommand}: words
 * after {@code tc} that {@link TcParser} reads back to an equal object, and that iproute2's tc
 * accepts), and the output of the show commands as tc prints it, as text or, with {@code -j},
 * as JSON shaped like {@code tc -j} (an array of objects; {@code -p} indents it). Show output
 * leaves out what the command already named (the device, the hook, the protocol...), as tc does.
 * Filters not in hardware carry Netfence's reason on a {@code not_in_hw_reason:} line.
 */
public final class TcPrinter {
    private TcPrinter() {
    }

    // ---------------------------------------------------------------- canonical commands

    /** {@code qdisc add dev DEV [ingress_block N] [egress_block N] clsact|ingress}. */
    public static String toCommand(Qdisc qdisc) {
        StringBuilder out = new StringBuilder("qdisc add dev ").append(qdisc.dev());
        if (qdisc.ingressBlock() != 0) {
            out.append(" ingress_block ").append(qdisc.ingressBlock());
        }
        if (qdisc.egressBlock() != 0) {
            out.append(" egress_block ").append(qdisc.egressBlock());
        }
        return out.append(' ').append(qdisc.kind().word()).toString();
    }

    /** {@code filter add dev DEV ingress|egress | block N [chain C] [pref P] [protocol P] [handle H] KIND ... [action ...]}. */
    public static String toCommand(Filter filter) {
        StringBuilder out = new StringBuilder("filter add ").append(filter.where());
        if (filter.chain() != 0) {
            out.append(" chain ").append(filter.chain());
        }
        if (filter.prio() != 0) {
            out.append(" pref ").append(filter.prio());
        }
        if (filter.protocol() != EtherTypes.ALL) {
            out.append(" protocol ").append(EtherTypes.name(filter.protocol()));
        }
        if (filter.handle() != 0) {
            out.append(" handle ").append(filter.classifier() instanceof U32Match ? u32HandleWord(filter.handle())
                    : "0x" + Long.toHexString(filter.handle()));
        }
        out.append(' ').append(filter.classifier().kind());
        String options = switch (filter.classifier()) {
            case FlowerMatch m -> FlowerSyntax.spec(m, filter.protocol());
            case U32Match m -> U32Syntax.spec(m);
            case MatchAll m -> "";
        };
        if (!options.isEmpty()) {
            out.append(' ').append(options);
        }
        if (filter.skipSw()) {
            out.append(" skip_sw");
        }
        if (filter.skipHw()) {
            out.append(" skip_hw");
        }
        if (filter.classid() != 0) {
            out.append(" classid ").append(Addresses.formatClassid(filter.classid()));
        }
        for (Action a : filter.actions()) {
            out.append(" action ").append(ActionSyntax.spec(a));
        }
        return out.toString();
    }

    /** {@code actions add action KIND ...} for a shared action. */
    public static String toCommand(Action action) {
        if (action instanceof ActionRef r) {
            throw new TcException("actions add: '" + r.kind() + " index " + r.index() + "' refers to an action; it has no add command");
        }
        return "actions add action " + ActionSyntax.spec(action);
    }

    /** A u32 handle that get_u32_handle reads back: {@code HT:[BUCKET][:NODE]}, every part present when NODE is. */
    private static String u32HandleWord(long handle) {
        long table = handle >>> 20;
        long bucket = (handle >>> 12) & 0xFF;
        long node = handle & 0xFFF;
        String head = Long.toHexString(table) + ":" + (bucket == 0 ? "" : Long.toHexString(bucket));
        return node == 0 ? head + (bucket == 0 ? "" : ":") : head + ":" + Long.toHexString(node);
    }

    // ---------------------------------------------------------------- show

    /** {@code tc qdisc show}: the qdiscs of {@code cmd}'s device and kind (all when not named). */
    public static String show(QdiscCmd cmd, List<Qdisc> qdiscs) {
        Printout p = printout(cmd);
        p.openArray(null);
        for (Qdisc q : qdiscs) {
            if ((cmd.dev() != null && !cmd.dev().equals(q.dev())) || (cmd.kind() != null && cmd.kind() != q.kind())) {
                continue;
            }
            p.openObject(null);
            p.text("qdisc ").any("kind", "%s ", q.kind().word()).any("handle", "%s ", "ffff:");
            if (cmd.dev() == null) {
                p.any("dev", "dev %s ", q.dev());
            }
            p.any("parent", "parent %s ", "ffff:fff1");
            if (q.ingressBlock() != 0) {
                p.any("ingress_block", "ingress_block %s ", q.ingressBlock());
            }
            if (q.egressBlock() != 0) {
                p.any("egress_block", "egress_block %s ", q.egressBlock());
            }
            p.openObject("options");
            if (q.kind() == Qdisc.Kind.INGRESS) {
                p.text("---------------- ");
            }
            p.closeObject();
            p.nl();
            if (cmd.output().stats()) {
                // clsact and ingress count nothing themselves: tc shows zeros for them.
                ActionSyntax.counters(p, " ", TcStats.ZERO, TcStats.ZERO);
                p.nl();
            }
            p.closeObject();
        }
        p.closeArray();
        return p.result();
    }

    /** {@code tc chain show}: the chains of {@code cmd}'s place, a device hook with a block of its own or a shared block. */
    public static String show(ChainCmd cmd, List<Integer> chains) {
        return show(cmd, chains, cmd.where() != null && cmd.where().isShared() ? cmd.where().block() : 0);
    }

    /**
     * {@code tc chain show} for a device hook that uses shared block {@code sharedBlock} (0: its
     * own block): the kernel reports a shared block's chains by block number, not by parent.
     */
    public static String show(ChainCmd cmd, List<Integer> chains, long sharedBlock) {
        Printout p = printout(cmd);
        p.openArray(null);
        boolean blockNamed = cmd.where() != null && cmd.where().isShared();
        for (int chain : chains) {
            if (cmd.chain() >= 0 && chain != cmd.chain()) {
                continue;
            }
            p.openObject(null).text("chain ");
            if (sharedBlock == 0) {
                p.any("parent", "parent %s ", "ffff:");
            } else if (!blockNamed) {
                p.any("block", "block %s ", sharedBlock);
            }
            p.any("chain", "chain %s ", chain).nl();
            p.closeObject();
        }
        p.closeArray();
        return p.result();
    }

    /**
     * {@code tc filter show}: each classifier instance (chain, prio, protocol, kind) as its own line,
     * then its filters with their keys, offload state and actions; with {@code -s} the actions'
     * counters and ages against {@code nowMillis}.
     */
    public static String show(FilterCmd cmd, List<FilterInfo> filters, long nowMillis) {
        Printout p = printout(cmd);
        p.openArray(null);
        Filter previous = null;
        for (FilterInfo info : filters) {
            Filter f = info.filter();
            if (previous == null || !sameInstance(previous, f)) {
                p.openObject(null);
                head(p, cmd, f);
                p.nl().closeObject();
                if (f.classifier() instanceof U32Match) {
                    // The root hash table every u32 instance has, as tc lists it.
                    p.openObject(null);
                    head(p, cmd, f);
                    p.openObject("options").any("fh", "fh %s ", "800:").any("ht_divisor", "ht divisor %s ", 1).closeObject();
                    p.nl().closeObject();
                }
            }
            previous = f;
            p.openObject(null);
            head(p, cmd, f);
            p.openObject("options");
            options(p, info);
            if (!info.actions().isEmpty()) {
                p.openArray("actions");
                for (int i = 0; i < info.actions().size(); i++) {
                    ActionSyntax.show(p, info.actions().get(i), i + 1, cmd.output().stats(), nowMillis);
                }
                p.closeArray();
            }
            p.closeObject();
            p.nl().closeObject();
        }
        p.closeArray();
        return p.result();
    }

    /** {@code tc actions show|get}: {@code total acts N}, then the actions from order 0. */
    public static String show(ActionsCmd cmd, List<ActionInfo> actions, long nowMillis) {
        Printout p = printout(cmd);
        List<ActionInfo> shown = actions.stream().filter(a -> cmd.kind() == null || cmd.kind().equals(a.action().kind())).toList();
        p.openArray(null);
        p.openObject(null).any("total acts", "total acts %s", shown.size()).nl().closeObject();
        p.openObject(null).openArray("actions");
        for (int i = 0; i < shown.size(); i++) {
            ActionSyntax.show(p, shown.get(i), i, cmd.output().stats(), nowMillis);
        }
        p.closeArray().closeObject();
        p.closeArray();
        return p.result();
    }

    private static Printout printout(TcCommand cmd) {
        return new Printout(cmd.output().json(), cmd.output().pretty());
    }

    private static boolean sameInstance(Filter a, Filter b) {
        return a.where().equals(b.where()) && a.chain() == b.chain() && a.prio() == b.prio() && a.protocol() == b.protocol()
                && a.classifier().kind().equals(b.classifier().kind());
    }

    /** print_filter's head: {@code filter [dev D] [ingress] protocol P pref N KIND chain C}, minus what the command named. */
    private static void head(Printout p, FilterCmd cmd, Filter f) {
        p.text("filter ");
        BlockRef where = f.where();
        // Listed by hook or block, the place goes without saying (the kernel reports a hook's filters
        // under the device even when its block is shared); listed more widely, each filter names it.
        if (cmd.where() == null) {
            if (where.isShared()) {
                p.any("block", "block %s ", where.block());
            } else {
                if (cmd.dev() == null) {
                    p.text("dev ").any("dev", "%s ", where.dev());
                }
                p.member(where.hook().word(), true).text(where.hook().word() + " ");
            }
        }
        if (cmd.protocol() == 0) {
            p.any("protocol", "protocol %s ", EtherTypes.name(f.protocol()));
        }
        if (cmd.prio() == 0) {
            p.any("pref", "pref %s ", f.prio());
        }
        p.any("kind", "%s ", f.classifier().kind());
        if (cmd.chain() < 0) {
            p.any("chain", "chain %s ", f.chain());
        }
    }

    /** The classifier's part of a filter line: handle, class, keys and where the filter runs. */
    private static void options(Printout p, FilterInfo info) {
        Filter f = info.filter();
        switch (f.classifier()) {
            case U32Match m -> U32Syntax.show(p, m, f.handle(), f.classid(), f.skipSw(), f.skipHw(), info.inHw(), info.inHwCount(),
                    info.inHw() ? null : info.notInHwReason());
            case FlowerMatch m -> {
                handle(p, f);
                if (f.classid() != 0) {
                    p.any("classid", "classid %s ", Addresses.formatClassid(f.classid()));
                }
                FlowerSyntax.showKeys(p, f, m, info.indevGone());
                offload(p, info);
            }
            case MatchAll m -> {
                handle(p, f);
                if (f.classid() != 0) {
                    p.any("flowid", "flowid %s ", Addresses.formatClassid(f.classid()));
                }
                offload(p, info);
            }
        }
    }

    private static void handle(Printout p, Filter f) {
        if (f.handle() != 0) {
            p.text("handle 0x" + Long.toHexString(f.handle()) + " ").member("handle", f.handle());
        }
    }

    /** {@code skip_hw}, {@code skip_sw}, then {@code in_hw in_hw_count N} or {@code not_in_hw} and Netfence's reason. */
    private static void offload(Printout p, FilterInfo info) {
        Filter f = info.filter();
        if (f.skipHw()) {
            p.nl().member("skip_hw", true).text("  skip_hw");
        }
        if (f.skipSw()) {
            p.nl().member("skip_sw", true).text("  skip_sw");
        }
        if (info.inHw()) {
            p.nl().member("in_hw", true).text("  in_hw").any("in_hw_count", " in_hw_count %s", info.inHwCount());
            return;
        }
        p.nl().member("not_in_hw", true).text("  not_in_hw");
        if (info.notInHwReason() != null) {
            p.nl().any("not_in_hw_reason", "  not_in_hw_reason: %s", info.notInHwReason());
        }
    }
}
