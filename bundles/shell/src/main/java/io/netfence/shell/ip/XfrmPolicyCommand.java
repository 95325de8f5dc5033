package io.netfence.shell.ip;

import io.netfence.packet.IpAddress;
import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.shell.text.JsonWriter;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.OffloadSpec;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.Template;
import io.netfence.xfrm.api.XfrmDirection;
import io.netfence.xfrm.api.XfrmMode;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmPolicyInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ip xfrm policy add | update | delete | get | deleteall | list | flush | count | help},
 * with iproute2's grammar (xfrm_policy.c). Policies are of type main; Netfence has no socket
 * policies, sub policies, security contexts or policy flags.
 */
final class XfrmPolicyCommand extends XfrmObject {
    /** In iproute2's order of trial: "d" is delete, "s" show, "g" get, "f" flush, "c" count. */
    private static final List<String> COMMANDS = List.of("add", "update", "delete", "deleteall", "delall", "list", "show",
            "lst", "get", "flush", "count", "set", "setdefault", "getdefault", "help");
    private static final List<String> ADD_WORDS = List.of("src", "dst", "dev", "proto", "sport", "dport", "type", "code", "key",
            "dir", "mark", "index", "ptype", "action", "priority", "limit", "tmpl", "if_id", "offload");
    private static final List<String> POLICY_FLAGS = List.of("localok", "icmp", "pcpu");
    private static final String ADD_USAGE = "ip xfrm policy { add | update } SELECTOR dir DIR [mark MARK [mask MASK]]"
            + " [index INDEX] [action ACTION] [priority PRIORITY] [if_id IF_ID] [LIMIT-LIST] [TMPL-LIST]";
    private static final String TMPL_FORM = "tmpl src ADDR dst ADDR proto esp [spi SPI] [mode MODE] [reqid REQID] [level LEVEL]";

    XfrmPolicyCommand(XfrmCommand context) {
        super(context, COMMANDS, "add, update, delete, get, deleteall, list, flush, count, help");
    }

    @Override
    String run(String command, IpOptions options, Args args) {
        return switch (command) {
            case "add", "update" -> modify(options, args, command.equals("add"));
            case "delete", "get" -> getOrDelete(options, args, command.equals("delete"));
            case "deleteall", "delall" -> listOrDeleteAll(options, args, true);
            case "list", "show", "lst" -> listOrDeleteAll(options, args, false);
            case "flush" -> flush(args);
            case "count" -> count(options, args);
            case "set" -> throw new CommandException("Error: command \"set\" is not supported by Netfence: its SPD has no hash"
                    + " thresholds to tune");
            case "setdefault", "getdefault" -> throw new CommandException("Error: command \"" + command + "\" is not supported"
                    + " by Netfence: it has no default policies (traffic that no policy matches passes; to block it, add a"
                    + " policy with action block)");
            default -> IpHelp.XFRM_POLICY;
        };
    }

    /** The words after the one peeked at (a keyword the switch matched without consuming it). */
    private static Args skip(Args args) {
        args.next();
        return args;
    }

    /** {@code ptype main}; sub policies do not exist in Netfence. */
    private static void ptype(String value) {
        if (value.equals("sub")) {
            throw CommandException.badArgument(value, "sub policies are not supported by Netfence: expected ptype main");
        }
        if (!value.equals("main")) {
            throw CommandException.badArgument(value, "expected ptype main");
        }
    }

    private static XfrmPolicy.Action action(Args args) {
        String value = args.value("action", "allow | block");
        return switch (value) {
            case "allow" -> XfrmPolicy.Action.ALLOW;
            case "block" -> XfrmPolicy.Action.BLOCK;
            default -> throw CommandException.badArgument(value, "expected action allow or block");
        };
    }

    /** Policy flags (localok, icmp, pcpu) have no counterpart in Netfence; "flag 0x0" is none. */
    private static void flags(Args args) {
        String word = args.value("flag", "FLAG-LIST");
        if (word.length() > 2 && word.startsWith("0x") && XfrmWords.unsigned(word, "flag", 0, XfrmWords.U8) == 0) {
            return;
        }
        String what = POLICY_FLAGS.contains(word) ? "policy flag " + word + " is" : "policy flags are";
        throw CommandException.badArgument(word, what + " not supported by Netfence: leave \"flag\" out");
    }

    // ------------------------------------------------------------------------------ add, update

    private String modify(IpOptions options, Args args, boolean add) {
        XfrmWords.SelectorWords sel = new XfrmWords.SelectorWords();
        XfrmDirection dir = null;
        Mark mark = null;
        Integer index = null;
        Boolean ptype = null;
        XfrmPolicy.Action action = null;
        Integer priority = null;
        long[] limits = XfrmWords.noLimits();
        boolean[] limitsGiven = new boolean[limits.length];
        List<Template> templates = new ArrayList<>();
        Integer ifId = null;
        String offloadDev = null;
        while (args.hasNext()) {
            if (sel.parse(args, options.family(), context.net)) {
                continue;
            }
            String word = args.next();
            switch (word) {
                case "dir" -> dir = XfrmWords.direction(args, dir);
                case "mark" -> mark = XfrmWords.mark(args, mark);
                case "index" -> index = XfrmWords.u32(args, word, "INDEX", index);
                case "ptype" -> {
                    XfrmWords.once(ptype, word);
                    ptype(args.value(word, "main"));
                    ptype = true;
                }
                case "action" -> {
                    XfrmWords.once(action, word);
                    action = action(args);
                }
                case "priority" -> priority = XfrmWords.u32(args, word, "PRIORITY", priority);
                case "flag" -> flags(args);
                case "limit" -> XfrmWords.limit(args, limits, limitsGiven);
                case "tmpl" -> templates.add(template(args));
                case "if_id" -> ifId = XfrmWords.u32(args, word, "IF_ID", ifId);
                case "offload" -> {
                    XfrmWords.once(offloadDev, word);
                    String mode = args.value(word, "packet dev DEV");
                    if (!mode.equals("packet")) {
                        throw CommandException.badArgument(mode, "a policy is offloaded whole: expected offload packet dev DEV");
                    }
                    String devWord = args.value("offload packet", "dev DEV");
                    if (!devWord.equals("dev")) {
                        throw CommandException.badArgument(devWord, "expected offload packet dev DEV");
                    }
                    offloadDev = XfrmWords.device(context.net, args.value("dev", "DEV"), false);
                }
                case "ctx" -> throw XfrmStateCommand.unsupported(word, "a security context");
                case "cpu" -> throw XfrmStateCommand.unsupported(word, "a per-CPU policy");
                default -> throw CommandException.notOneOf(word, ADD_WORDS);
            }
        }
        if (dir == null) {
            throw CommandException.required("dir", ADD_USAGE);
        }
        Selector selector = sel.build(options.family());
        XfrmDirection d = dir;
        OffloadSpec offload = null;
        if (offloadDev != null) {
            if (dir == XfrmDirection.FWD) {
                throw CommandException.badArgument("offload", "packet offload applies to policies of dir in or out, not fwd");
            }
            offload = new OffloadSpec(OffloadSpec.Type.PACKET, offloadDev, dir);
        }
        int prio = priority == null ? 0 : priority;
        XfrmPolicy.Action act = action == null ? XfrmPolicy.Action.ALLOW : action;
        int idx = index == null ? 0 : index;
        int iid = ifId == null ? 0 : ifId;
        Mark mk = mark == null ? Mark.NONE : mark;
        OffloadSpec off = offload;
        XfrmPolicy policy = XfrmCommand.call(() -> new XfrmPolicy(selector, d, prio, act, idx, templates, iid, mk,
                XfrmWords.lifetime(limits), off));
        XfrmCommand.call(() -> add ? xfrm.addPolicy(policy) : xfrm.updatePolicy(policy));
        return null;
    }

    /**
     * {@code tmpl ID [mode MODE] [reqid REQID] [level LEVEL]}, the words in any order, ending at the
     * first other word or a second ID group (iproute2's xfrm_tmpl_parse). Its addresses may be of
     * another family than the selector's (an IPv6 policy through an IPv4 tunnel).
     */
    private static Template template(Args args) {
        if (!args.hasNext()) {
            throw CommandException.missingValue("tmpl", TMPL_FORM.substring(5));
        }
        XfrmWords.Id id = new XfrmWords.Id();
        XfrmMode mode = null;
        Integer reqid = null;
        Boolean optional = null;
        loop:
        while (args.hasNext()) {
            String word = args.peek();
            if (XfrmWords.ID_WORDS.contains(word) && id.given()) {
                // a second ID ends the template (iproute2 backtracks there)
                break;
            }
            if (id.parse(args, 0)) {
                continue;
            }
            switch (word) {
                case "mode" -> mode = XfrmWords.mode(skip(args), mode);
                case "reqid" -> reqid = XfrmWords.u32(skip(args), word, "REQID", reqid);
                case "level" -> {
                    args.next();
                    XfrmWords.once(optional, "tmpl level");
                    String level = args.value(word, "required | use");
                    if (!level.equals("required") && !level.equals("use")) {
                        throw CommandException.badArgument(level, "expected level required or use");
                    }
                    optional = level.equals("use");
                }
                default -> {
                    break loop;
                }
            }
        }
        if (id.protoWord == null) {
            throw CommandException.required("proto", TMPL_FORM);
        }
        XfrmMode m = mode == null ? XfrmMode.TRANSPORT : mode;
        IpAddress src = id.srcWord == null ? null : XfrmWords.address(id.srcWord, 0);
        IpAddress dst = id.dstWord == null ? null : XfrmWords.address(id.dstWord, 0);
        if (m == XfrmMode.TUNNEL && (src == null || dst == null)) {
            throw CommandException.required(src == null ? "src" : "dst", "tmpl src ADDR dst ADDR proto esp mode tunnel"
                    + " (a tunnel-mode template names the tunnel's endpoints)");
        }
        int spi = id.spi;
        int r = reqid == null ? 0 : reqid;
        boolean opt = optional != null && optional;
        return XfrmCommand.call(() -> new Template(src, dst, spi, m, r, opt));
    }

    // ------------------------------------------------------------------------------ get, delete

    private String getOrDelete(IpOptions options, Args args, boolean delete) {
        XfrmWords.SelectorWords sel = new XfrmWords.SelectorWords();
        XfrmDirection dir = null;
        Integer index = null;
        Mark mark = null;
        Boolean ptype = null;
        Integer ifId = null;
        String usage = "ip xfrm policy " + (delete ? "delete" : "get") + " { SELECTOR | index INDEX } dir DIR"
                + " [mark MARK [mask MASK]] [if_id IF_ID]";
        while (args.hasNext()) {
            if (sel.parse(args, options.family(), context.net)) {
                continue;
            }
            String word = args.next();
            switch (word) {
                case "dir" -> dir = XfrmWords.direction(args, dir);
                case "index" -> index = XfrmWords.u32(args, word, "INDEX", index);
                case "mark" -> mark = XfrmWords.mark(args, mark);
                case "ptype" -> {
                    XfrmWords.once(ptype, word);
                    ptype(args.value(word, "main"));
                    ptype = true;
                }
                case "if_id" -> ifId = XfrmWords.u32(args, word, "IF_ID", ifId);
                case "ctx" -> throw XfrmStateCommand.unsupported(word, "a security context");
                default -> throw CommandException.badArgument(word, "expected " + usage);
            }
        }
        if (dir == null) {
            throw CommandException.required("dir", usage);
        }
        if (!sel.given() && index == null) {
            throw CommandException.required("SELECTOR or index", usage);
        }
        if (sel.given() && index != null) {
            throw CommandException.badArgument("index", "a policy is named by its SELECTOR or by its index, not both");
        }
        XfrmDirection d = dir;
        int idx = index == null ? 0 : index;
        Selector selector = sel.given() ? sel.build(options.family()) : null;
        Mark m = XfrmWords.lookupMark(mark);
        int iid = ifId == null ? 0 : ifId;
        if (delete) {
            XfrmCommand.run(() -> {
                if (selector == null) {
                    xfrm.deletePolicy(d, idx);
                } else {
                    xfrm.deletePolicy(d, selector, m, iid);
                }
            });
            return null;
        }
        XfrmPolicyInfo info = XfrmCommand.call(() -> selector == null ? xfrm.policy(d, idx) : xfrm.policy(d, selector, m, iid));
        return show(options, List.of(info));
    }

    // ------------------------------------------------------------------------------ list, deleteall

    private String listOrDeleteAll(IpOptions options, Args args, boolean deleteAll) {
        XfrmWords.SelectorWords sel = new XfrmWords.SelectorWords();
        XfrmDirection dir = null;
        Integer index = null;
        XfrmPolicy.Action action = null;
        Integer priority = null;
        while (args.hasNext()) {
            if (sel.parse(args, options.family(), context.net)) {
                continue;
            }
            String word = args.next();
            switch (word) {
                case "nosock" -> {
                    // Netfence has no socket policies: nothing to leave out
                }
                case "dir" -> dir = XfrmWords.direction(args, dir);
                case "index" -> index = XfrmWords.u32(args, word, "INDEX", index);
                case "ptype" -> ptype(args.value(word, "main"));
                case "action" -> {
                    XfrmWords.once(action, word);
                    action = action(args);
                }
                case "priority" -> priority = XfrmWords.u32(args, word, "PRIORITY", priority);
                case "flag" -> flags(args);
                default -> throw CommandException.notOneOf(word, List.of("src", "dst", "dev", "proto", "sport", "dport", "type",
                        "code", "key", "dir", "index", "ptype", "action", "priority", "nosock"));
            }
        }
        int family = options.family();
        if (family == 0) {
            family = sel.src != null ? sel.src.version() : sel.dst != null ? sel.dst.version() : 0;
        }
        List<XfrmPolicyInfo> shown = new ArrayList<>();
        for (XfrmPolicyInfo info : XfrmCommand.call(xfrm::policies)) {
            XfrmPolicy p = info.policy();
            if ((family == 0 || p.selector().family() == family)
                    && sel.matches(p.selector())
                    && (dir == null || p.direction() == dir)
                    && (index == null || p.index() == index)
                    && (action == null || p.action() == action)
                    && (priority == null || p.priority() == priority)) {
                shown.add(info);
            }
        }
        if (deleteAll) {
            for (XfrmPolicyInfo info : shown) {
                XfrmCommand.run(() -> xfrm.deletePolicy(info.policy().direction(), info.policy().index()));
            }
            return null;
        }
        return show(options, shown);
    }

    private String show(IpOptions options, List<XfrmPolicyInfo> policies) {
        XfrmFormat format = new XfrmFormat(options, false, context.zone);
        return format.listing(policies, format::policy, format::policy);
    }

    // ------------------------------------------------------------------------------ flush, count

    private String flush(Args args) {
        String ptype = XfrmWords.onlyOption(args, "ptype", "ip xfrm policy flush [ptype main]");
        if (ptype != null) {
            ptype(ptype);
        }
        XfrmCommand.call(xfrm::flushPolicies);
        return null;
    }

    private String count(IpOptions options, Args args) {
        if (args.hasNext()) {
            throw CommandException.badArgument(args.next(), "expected ip xfrm policy count");
        }
        int[] counts = new int[XfrmDirection.values().length];
        for (XfrmPolicyInfo info : XfrmCommand.call(xfrm::policies)) {
            counts[info.policy().direction().ordinal()]++;
        }
        int in = counts[XfrmDirection.IN.ordinal()];
        int out = counts[XfrmDirection.OUT.ordinal()];
        int fwd = counts[XfrmDirection.FWD.ordinal()];
        if (options.json()) {
            return new JsonWriter(options.pretty()).beginObject().member("in", in).member("out", out).member("fwd", fwd)
                    .endObject().toString();
        }
        return new XfrmFormat(options, false, context.zone).policyCount(in, out, fwd);
    }
}
