package io.netfence.tc.syntax;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.ActionRef;
import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.MatchAll;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.api.TcException;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.api.TcLimits;
import io.netfence.tc.syntax.TcCommand.ActionsCmd;
import io.netfence.tc.syntax.TcCommand.ChainCmd;
import io.netfence.tc.syntax.TcCommand.FilterCmd;
import io.netfence.tc.syntax.TcCommand.Output;
import io.netfence.tc.syntax.TcCommand.QdiscCmd;
import io.netfence.tc.syntax.TcCommand.Verb;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the words of a {@code tc} command (everything after {@code tc}) the way iproute2's tc
 * does, into a {@link TcCommand}. Covered: the options {@code -s -d -j -p}; {@code qdisc} with
 * {@code clsact} and {@code ingress}; {@code filter} with {@code flower}, {@code u32} and
 * {@code matchall} and the actions {@code gact}, {@code mirred}, {@code vlan}, {@code pedit},
 * {@code csum}, {@code skbedit}, {@code police} and {@code sample}; {@code chain}; {@code actions}.
 * Anything else is refused with a {@link TcException} naming the word at fault and the accepted
 * form. Stateless and thread-safe.
 */
public final class TcParser {
    private static final List<String> OTHER_QDISCS = List.of("pfifo_fast", "pfifo", "bfifo", "htb", "hfsc", "tbf", "prio", "sfq", "fq",
            "fq_codel", "codel", "cake", "netem", "red", "mq", "mqprio", "noqueue", "drr", "ets", "taprio", "multiq", "pie", "fq_pie",
            "sfb", "cbs", "etf", "choke", "skbprio", "hhf", "qfq", "plug", "gred", "cbq", "dsmark", "atm");
    private static final List<String> OTHER_CLASSIFIERS = List.of("basic", "bpf", "cgroup", "flow", "fw", "route", "rsvp", "tcindex");
    private static final String CLASSIFIERS = "flower, u32 or matchall";
    private static final long CLSACT_HANDLE = 0xFFFF_0000L;
    private static final long CLSACT_PARENT = 0xFFFF_FFF1L;
    private static final long INGRESS_PARENT = 0xFFFF_FFF2L;
    private static final long EGRESS_PARENT = 0xFFFF_FFF3L;

    private TcParser() {
    }

    public static TcCommand parse(String... words) {
        return parse(Arrays.asList(words));
    }

    /** Parses one line, its words separated by blanks. */
    public static TcCommand parseLine(String line) {
        return parse(split(line));
    }

    /** The words of a line, separated by blanks. */
    public static List<String> split(String line) {
        String trimmed = line.strip();
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
    }

    /** Parses the words after {@code tc}. */
    public static TcCommand parse(List<String> words) {
        Words w = new Words(words);
        Output output = options(w);
        String object = w.value("tc", "qdisc, filter, chain or actions");
        TcCommand command;
        if (Words.matches(object, "qdisc")) {
            command = qdisc(w, output);
        } else if (Words.matches(object, "class")) {
            throw Words.unsupported("tc", object, "Netfence has clsact and ingress qdiscs, which have no classes");
        } else if (Words.matches(object, "filter")) {
            command = filter(w, output);
        } else if (Words.matches(object, "chain")) {
            command = chain(w, output);
        } else if (Words.matches(object, "actions")) {
            command = actions(w, output);
        } else {
            throw Words.unknown("tc", "object", object, "qdisc, filter, chain or actions");
        }
        if (!w.atEnd()) {
            throw Words.unknown("tc " + object, "word", w.peek(), "nothing more");
        }
        return command;
    }

    private static Output options(Words w) {
        boolean stats = false;
        boolean details = false;
        boolean json = false;
        boolean pretty = false;
        while (!w.atEnd() && w.peek().startsWith("-") && w.peek().length() > 1) {
            String option = w.next();
            if (Words.matches(option, "-stats") || Words.matches(option, "-statistics")) {
                stats = true;
            } else if (Words.matches(option, "-details")) {
                details = true;
            } else if (Words.matches(option, "-pretty")) {
                pretty = true;
            } else if (Words.matches(option, "-json")) {
                json = true;
            } else {
                throw Words.unknown("tc", "option", option, "-s (-stats), -d (-details), -j (-json) or -p (-pretty)");
            }
        }
        return new Output(stats, details, json, pretty);
    }

    /** The verb at the cursor among {@code allowed} (tc's order, abbreviations as tc takes them); SHOW when there is none. */
    private static Verb verb(Words w, String object, Verb... allowed) {
        if (w.atEnd()) {
            return Verb.SHOW;
        }
        String word = w.next();
        for (Verb v : allowed) {
            List<String> names = switch (v) {
                case SHOW -> List.of("list", "show", "lst");
                default -> List.of(v.word());
            };
            for (String name : names) {
                if (Words.matches(word, name)) {
                    return v;
                }
            }
        }
        List<String> accepted = new ArrayList<>();
        for (Verb v : allowed) {
            accepted.add(v == Verb.SHOW ? "show (list)" : v == Verb.DELETE ? "del (delete)" : v.word());
        }
        throw Words.unknown(object, "command", word, String.join(", ", accepted));
    }

    // ---------------------------------------------------------------- qdisc

    private static QdiscCmd qdisc(Words w, Output output) {
        Verb verb = verb(w, "qdisc", Verb.ADD, Verb.CHANGE, Verb.REPLACE, Verb.DELETE, Verb.SHOW);
        String dev = null;
        Qdisc.Kind kind = null;
        boolean parent = false;
        long[] blocks = new long[2];
        while (!w.atEnd()) {
            String word = w.next();
            if (kind != null) {
                // After the kind tc passes the words to the qdisc: ingress takes (and ignores) a handle, clsact
                // nothing. Netfence also takes the block numbers here.
                boolean accepted = word.equals("ingress_block") || word.equals("egress_block")
                        || (kind == Qdisc.Kind.INGRESS && word.equals("handle"));
                if (!accepted) {
                    throw Words.unknown("qdisc " + kind.word(), "word", word,
                            kind == Qdisc.Kind.INGRESS ? "handle ffff:, ingress_block N or egress_block N" : "ingress_block N or egress_block N");
                }
            }
            switch (word) {
                case "dev" -> dev = once("dev", dev, w.value("dev", "a device name"));
                case "handle" -> {
                    String h = w.value("handle", "ffff:");
                    if (!h.equals("ffff:") && !h.equals("ffff")) {
                        throw Words.invalid("handle", h, "ffff: (clsact and ingress always have handle ffff:)");
                    }
                }
                case "parent" -> {
                    String p = w.value("parent", "ffff:fff1");
                    if (Addresses.classid(p) != CLSACT_PARENT) {
                        throw Words.invalid("parent", p, "ffff:fff1 (where clsact and ingress attach)");
                    }
                    parent = true;
                }
                case "ingress_block", "egress_block" -> block(w, word, blocks);
                case "clsact", "ingress" -> {
                    if (parent) {
                        throw new TcException(word + ": a second parent (" + word + " means parent ffff:fff1); drop the parent");
                    }
                    kind = word.equals("clsact") ? Qdisc.Kind.CLSACT : Qdisc.Kind.INGRESS;
                }
                case "root" -> throw Words.unsupported("qdisc", word, "Netfence has only the clsact and ingress qdiscs");
                case "estimator", "stab" -> throw Words.unsupported("qdisc", word,
                        "expected dev, handle, parent, ingress_block, egress_block, clsact or ingress");
                default -> {
                    if (OTHER_QDISCS.contains(word)) {
                        throw Words.unsupported("qdisc", word, "Netfence has only the clsact and ingress qdiscs");
                    }
                    throw Words.unknown("qdisc", "word", word,
                            "dev DEV, handle ffff:, parent ffff:fff1, ingress_block N, egress_block N, clsact or ingress");
                }
            }
        }
        if (verb != Verb.SHOW && dev == null) {
            throw Words.missing("qdisc " + verb.word(), "dev DEV");
        }
        if ((verb == Verb.ADD || verb == Verb.CHANGE || verb == Verb.REPLACE) && kind == null) {
            throw Words.missing("qdisc " + verb.word(), "clsact or ingress");
        }
        if (kind == Qdisc.Kind.INGRESS && blocks[1] != 0) {
            throw new TcException("egress_block: the ingress qdisc has no egress hook; use clsact");
        }
        return new QdiscCmd(verb, output, dev, kind, (int) blocks[0], (int) blocks[1]);
    }

    private static void block(Words w, String keyword, long[] blocks) {
        int i = keyword.equals("ingress_block") ? 0 : 1;
        if (blocks[i] != 0) {
            throw new TcException(keyword + ": given twice");
        }
        blocks[i] = w.unsigned(keyword, 0, Integer.MAX_VALUE, "a shared block number from 1 to " + Integer.MAX_VALUE);
        if (blocks[i] == 0) {
            throw Words.invalid(keyword, "0", "a shared block number from 1 to " + Integer.MAX_VALUE);
        }
    }

    private static String once(String keyword, String previous, String value) {
        if (previous != null) {
            throw new TcException(keyword + ": given twice ('" + previous + "' and '" + value + "')");
        }
        return value;
    }

    // ---------------------------------------------------------------- where: dev/hook/block

    /** The place words common to filter and chain commands. */
    private static final class Place {
        String dev;
        TcHook hook;
        long block;

        /** Consumes a place word at the cursor; false if the next word is not one. */
        boolean take(Words w) {
            String word = w.peek();
            if (word.equals("dev")) {
                w.next();
                dev = once("dev", dev, w.value("dev", "a device name"));
                if (block != 0) {
                    throw new TcException("dev: give either dev DEV or block N, not both");
                }
            } else if (Words.matches(word, "block")) {
                w.next();
                if (block != 0) {
                    throw new TcException("block: given twice");
                }
                block = w.unsigned("block", 0, 0xFFFF_FFFFL, "a shared block number from 1 to 4294967295");
                if (block == 0 || dev != null) {
                    throw block == 0 ? Words.invalid("block", "0", "a shared block number from 1 to 4294967295")
                            : new TcException("block: give either dev DEV or block N, not both");
                }
            } else if (word.equals("ingress") || word.equals("egress")) {
                w.next();
                hook(word.equals("ingress") ? TcHook.INGRESS : TcHook.EGRESS, word);
            } else if (word.equals("parent")) {
                w.next();
                String p = w.value("parent", "ffff:fff2 (ingress), ffff:fff3 (egress) or ffff: (ingress qdisc)");
                long classid = Addresses.classid(p);
                if (classid == INGRESS_PARENT || classid == CLSACT_HANDLE) {
                    hook(TcHook.INGRESS, p);
                } else if (classid == EGRESS_PARENT) {
                    hook(TcHook.EGRESS, p);
                } else {
                    throw Words.invalid("parent", p, "ffff:fff2 (ingress), ffff:fff3 (egress) or ffff: (ingress qdisc)");
                }
            } else if (word.equals("root")) {
                throw Words.unsupported("parent", word, "filters attach to ingress or egress (clsact) or ffff: (ingress)");
            } else {
                return false;
            }
            return true;
        }

        private void hook(TcHook h, String word) {
            if (hook != null) {
                throw new TcException("parent: '" + word + "' is a second parent (already " + hook.word() + ")");
            }
            hook = h;
        }

        /** The block reference; null when only a device (or nothing) was named. */
        BlockRef where() {
            if (block != 0) {
                if (hook != null) {
                    throw new TcException(hook.word() + ": a shared block has no hook; give block N alone");
                }
                return BlockRef.shared(block);
            }
            return dev != null && hook != null ? BlockRef.of(dev, hook) : null;
        }

        BlockRef required(String what) {
            BlockRef where = where();
            if (where == null) {
                if (dev != null) {
                    throw Words.missing(what + " dev " + dev, "ingress, egress or parent ffff:fff2|ffff:fff3|ffff:");
                }
                throw Words.missing(what, "dev DEV ingress|egress, or block N");
            }
            return where;
        }
    }

    // ---------------------------------------------------------------- filter

    private static FilterCmd filter(Words w, Output output) {
        Verb verb = verb(w, "filter", Verb.ADD, Verb.CHANGE, Verb.REPLACE, Verb.DELETE, Verb.GET, Verb.SHOW);
        Place place = new Place();
        String handleWord = null;
        long prio = -1;
        int protocol = -1;
        long chain = -1;
        String kind = null;
        while (!w.atEnd() && kind == null) {
            if (place.take(w)) {
                continue;
            }
            String word = w.next();
            if (word.equals("handle")) {
                handleWord = once("handle", handleWord, w.value("handle", "a filter handle"));
            } else if (Words.matches(word, "preference") || Words.matches(word, "priority")) {
                if (prio >= 0) {
                    throw new TcException("prio: given twice");
                }
                prio = w.unsigned(word, 0, TcLimits.MAX_PRIO, "a priority from 1 to 65535");
            } else if (Words.matches(word, "protocol")) {
                if (protocol >= 0) {
                    throw new TcException("protocol: given twice");
                }
                String p = w.value(word, "all, ip, ipv6, 802.1Q, 802.1ad, arp or a number");
                protocol = EtherTypes.parse(p);
                if (protocol < 0) {
                    throw Words.invalid("protocol", p, "all, ip, ipv6, 802.1Q, 802.1ad, arp or a number");
                }
            } else if (Words.matches(word, "chain")) {
                if (chain >= 0) {
                    throw new TcException("chain: given twice");
                }
                chain = w.unsigned(word, 0, TcLimits.MAX_CHAIN, "a chain index from 0 to " + TcLimits.MAX_CHAIN);
            } else if (verb == Verb.SHOW) {
                throw Words.unknown("filter show", "word", word, "dev, block, ingress, egress, parent, handle, prio, protocol or chain");
            } else if (word.equals("flower") || word.equals("u32") || word.equals("matchall")) {
                kind = word;
            } else if (OTHER_CLASSIFIERS.contains(word)) {
                throw Words.unsupported("filter", word, "Netfence classifies with " + CLASSIFIERS);
            } else if (word.equals("estimator")) {
                throw Words.unsupported("filter", word, "rate estimators are not kept");
            } else {
                throw Words.unknown("filter", "word", word,
                        "dev, block, ingress, egress, parent, handle, prio, protocol, chain, then " + CLASSIFIERS);
            }
        }
        boolean modify = verb == Verb.ADD || verb == Verb.CHANGE || verb == Verb.REPLACE;
        // tc gives a created filter protocol all; change leaves it unspecified (0) to find the filter by.
        int effectiveProtocol = protocol >= 0 ? protocol : verb == Verb.ADD || verb == Verb.REPLACE ? EtherTypes.ALL : 0;
        if (kind == null && handleWord != null && verb != Verb.SHOW) {
            throw Words.missing("handle", "the filter kind (" + CLASSIFIERS + ") after the handle");
        }
        ClassifierOptions options = kind == null ? null : classifier(w, kind, effectiveProtocol, handleWord);
        if (modify) {
            if (kind == null) {
                throw Words.missing("filter " + verb.word(), "a classifier: " + CLASSIFIERS);
            }
            Filter filter = new Filter(place.required("filter " + verb.word()), (int) Math.max(chain, 0), (int) Math.max(prio, 0),
                    effectiveProtocol, options.handle(), options.classifier(), options.actions(), options.skipSw(), options.skipHw(),
                    options.classid());
            return new FilterCmd(verb, output, filter.where(), place.dev, filter.chain(), filter.prio(), filter.protocol(),
                    filter.handle(), kind, filter);
        }
        long handle;
        if (options != null) {
            handle = options.handle();
        } else if (handleWord == null) {
            handle = 0;
        } else {
            // Without a kind (show) the handle's own form tells: u32 handles have colons.
            handle = handleWord.indexOf(':') >= 0 ? U32Syntax.handle(handleWord, "handle") : FlowerSyntax.plainHandle(handleWord);
        }
        BlockRef where = verb == Verb.SHOW ? place.where() : place.required("filter " + verb.word());
        if (verb == Verb.GET) {
            if (protocol < 0 || prio <= 0 || handleWord == null || kind == null) {
                throw Words.missing("filter get", "protocol, prio, handle and the filter kind");
            }
        }
        return new FilterCmd(verb, output, where, place.dev, (int) chain, (int) Math.max(prio, 0), Math.max(protocol, 0), handle, kind,
                null);
    }

    private static ClassifierOptions classifier(Words w, String kind, int protocol, String handleWord) {
        return switch (kind) {
            case "flower" -> FlowerSyntax.parse(w, protocol, handleWord);
            case "u32" -> U32Syntax.parse(w, handleWord);
            default -> matchall(w, handleWord);
        };
    }

    private static ClassifierOptions matchall(Words w, String handleWord) {
        long handle = FlowerSyntax.plainHandle(handleWord);
        boolean skipSw = false;
        boolean skipHw = false;
        long classid = 0;
        List<Action> actions = new ArrayList<>();
        while (!w.atEnd()) {
            String word = w.peek();
            if (word.equals("action") || word.equals("actions")) {
                actions.addAll(ActionSyntax.parseList(w));
                continue;
            }
            w.next();
            switch (word) {
                case "skip_sw" -> skipSw = true;
                case "skip_hw" -> skipHw = true;
                case "classid", "flowid" -> classid = FlowerSyntax.classid(w, word);
                default -> throw Words.unknown("matchall", "option", word, "skip_sw, skip_hw, classid, flowid or action");
            }
        }
        return new ClassifierOptions(new MatchAll(), handle, skipSw, skipHw, classid, actions);
    }

    // ---------------------------------------------------------------- chain

    private static ChainCmd chain(Words w, Output output) {
        Verb verb = verb(w, "chain", Verb.ADD, Verb.DELETE, Verb.GET, Verb.SHOW);
        Place place = new Place();
        long chain = -1;
        while (!w.atEnd()) {
            if (place.take(w)) {
                continue;
            }
            String word = w.next();
            if (Words.matches(word, "chain")) {
                if (chain >= 0) {
                    throw new TcException("chain: given twice");
                }
                chain = w.unsigned(word, 0, TcLimits.MAX_CHAIN, "a chain index from 0 to " + TcLimits.MAX_CHAIN);
            } else if (word.equals("flower") || word.equals("u32") || word.equals("matchall") || Words.matches(word, "protocol")
                    || Words.matches(word, "preference") || Words.matches(word, "priority") || word.equals("handle")) {
                throw Words.unsupported("chain", word, "chain templates; give dev DEV ingress|egress or block N, and chain N");
            } else {
                throw Words.unknown("chain", "word", word, "dev, block, ingress, egress, parent or chain");
            }
        }
        if (verb == Verb.SHOW) {
            return new ChainCmd(verb, output, place.where(), place.dev, (int) chain);
        }
        if (verb == Verb.GET && chain < 0) {
            throw Words.missing("chain get", "chain N");
        }
        return new ChainCmd(verb, output, place.required("chain " + verb.word()), place.dev, (int) Math.max(chain, 0));
    }

    // ---------------------------------------------------------------- actions

    private static ActionsCmd actions(Words w, Output output) {
        if (w.atEnd()) {
            throw Words.missing("actions", "add, change, replace, del, get, show or flush");
        }
        Verb verb = verb(w, "actions", Verb.ADD, Verb.CHANGE, Verb.REPLACE, Verb.DELETE, Verb.GET, Verb.SHOW, Verb.FLUSH);
        switch (verb) {
            case ADD, CHANGE, REPLACE -> {
                if (w.atEnd()) {
                    throw Words.missing("actions " + verb.word(), "action KIND ...");
                }
                List<Action> actions = ActionSyntax.parseList(w);
                for (Action a : actions) {
                    if (a instanceof ActionRef r) {
                        throw new TcException("actions " + verb.word() + ": '" + r.kind() + " index " + r.index()
                                + "' names an existing action; describe the action to add");
                    }
                }
                return new ActionsCmd(verb, output, null, actions);
            }
            case DELETE, GET -> {
                List<Action> refs = new ArrayList<>();
                while (!w.atEnd()) {
                    String kind = kindAfterAction(w, verb);
                    if (!w.take("index")) {
                        throw w.atEnd() ? Words.missing("actions " + verb.word() + " action " + kind, "index N")
                                : Words.invalid("actions " + verb.word() + " action " + kind, w.peek(), "index N");
                    }
                    refs.add(new ActionRef(kind, (int) w.unsigned("index", 10, Integer.MAX_VALUE, "an action index")));
                }
                if (refs.isEmpty()) {
                    throw Words.missing("actions " + verb.word(), "action KIND index N");
                }
                return new ActionsCmd(verb, output, null, refs);
            }
            default -> {
                if (w.atEnd()) {
                    throw Words.missing("actions " + verb.word(), "action KIND");
                }
                return new ActionsCmd(verb, output, kindAfterAction(w, verb), List.of());
            }
        }
    }

    private static String kindAfterAction(Words w, Verb verb) {
        String where = "actions " + verb.word();
        String word = w.value(where, "action KIND");
        if (!word.equals("action")) {
            throw Words.invalid(where, word, "action KIND");
        }
        String kind = w.value(where + " action", String.join(", ", ActionSyntax.KINDS));
        if (!ActionSyntax.KINDS.contains(kind)) {
            throw Words.unknown(where + " action", "kind", kind, String.join(", ", ActionSyntax.KINDS));
        }
        return kind;
    }
}
