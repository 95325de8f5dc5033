package io.netfence.tc.syntax;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.ActionInfo;
import io.netfence.tc.api.ActionRef;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.CsumAction;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.GactAction;
import io.netfence.tc.api.MirredAction;
import io.netfence.tc.api.PeditAction;
import io.netfence.tc.api.PoliceAction;
import io.netfence.tc.api.SampleAction;
import io.netfence.tc.api.SkbeditAction;
import io.netfence.tc.api.TcException;
import io.netfence.tc.api.TcStats;
import io.netfence.tc.api.VlanAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Action lists as tc reads them ({@code action KIND ... [action KIND ...]}, a bare control word
 * being {@code gact}), one canonical spec per action, and the action lines of {@code tc filter
 * show} and {@code tc actions show}. As in iproute2, {@code KIND index N} alone binds an existing
 * shared action ({@link ActionRef}), every kind but {@code mirred redirect} takes a trailing
 * control and {@code index N}, and a control word after an action that does not take one starts a
 * new {@code gact} action.
 */
final class ActionSyntax {
    static final List<String> KINDS = List.of("gact", "mirred", "vlan", "pedit", "csum", "skbedit", "police", "sample");
    private static final List<String> OTHER_TC_KINDS = List.of("bpf", "connmark", "ct", "ctinfo", "gate", "ife", "ipt", "mpls", "nat",
            "simple", "skbmod", "tunnel_key", "xt");
    private static final List<String> CONTROL_WORDS = List.of("continue", "drop", "shot", "pass", "ok", "reclassify", "pipe", "goto",
            "jump", "trap");
    static final String CONTROL_FORM = "pass, ok, drop, shot, pipe, continue, reclassify, trap, goto chain N or jump N";
    private static final String KIND_FORM = String.join(", ", KINDS) + " or a control (" + CONTROL_FORM + ")";

    private ActionSyntax() {
    }

    // ---------------------------------------------------------------- parsing

    /**
     * The action list starting at the word {@code action} (or {@code actions}): actions until the
     * words end or {@code classid}/{@code flowid} (which belong to the classifier).
     */
    static List<Action> parseList(Words w) {
        List<Action> actions = new ArrayList<>();
        boolean expectAction = false;
        while (!w.atEnd() && !w.peekIs("classid") && !w.peekIs("flowid")) {
            if (w.take("action") || w.take("actions")) {
                expectAction = true;
                continue;
            }
            actions.add(parseOne(w));
            expectAction = false;
            afterAction(w);
        }
        if (expectAction || actions.isEmpty()) {
            throw Words.missing("action", "an action: " + KIND_FORM);
        }
        return actions;
    }

    /** What tc allows right after an action: Netfence takes no_percpu (a kernel statistics hint) and refuses the rest. */
    private static void afterAction(Words w) {
        while (!w.atEnd()) {
            String word = w.peek();
            switch (word) {
                case "no_percpu" -> w.next();
                case "cookie", "hw_stats" -> throw Words.unsupported("action", word, "action cookies and hw_stats are not kept");
                case "skip_sw", "skip_hw" -> throw Words.unsupported("action", word,
                        "per-action offload flags; give " + word + " to the filter, before its actions");
                default -> {
                    return;
                }
            }
        }
    }

    /** One action at the cursor: {@code KIND ...} or a bare control (gact). */
    static Action parseOne(Words w) {
        String kind = w.peek();
        if (!CONTROL_WORDS.contains(kind)) {
            w.next();
        }
        if (CONTROL_WORDS.contains(kind) || kind.equals("gact")) {
            return gact(w);
        }
        return switch (kind) {
            case "mirred" -> mirred(w);
            case "vlan" -> vlan(w);
            case "pedit" -> pedit(w);
            case "csum" -> csum(w);
            case "skbedit" -> skbedit(w);
            case "police" -> police(w);
            case "sample" -> sample(w);
            default -> {
                if (OTHER_TC_KINDS.contains(kind)) {
                    throw Words.unsupported("action", kind, "Netfence runs " + String.join(", ", KINDS));
                }
                throw Words.unknown("action", "kind", kind, KIND_FORM);
            }
        };
    }

    /** {@code KIND index N} alone: a reference to shared action N. */
    private static ActionRef reference(String kind, Words w) {
        w.next();
        return new ActionRef(kind, index(w));
    }

    private static int index(Words w) {
        return (int) w.unsigned("index", 10, Integer.MAX_VALUE, "an action index from 1 to " + Integer.MAX_VALUE);
    }

    /** The optional trailing {@code index N}; 0 when absent. */
    private static int optionalIndex(Words w) {
        return w.take("index") ? index(w) : 0;
    }

    /** A control at the cursor (required). */
    static Control control(Words w, String where) {
        String word = w.value(where, "a control: " + CONTROL_FORM);
        return switch (word) {
            case "continue" -> Control.CONTINUE;
            case "drop", "shot" -> Control.SHOT;
            case "pass", "ok" -> Control.OK;
            case "reclassify" -> Control.RECLASSIFY;
            case "pipe" -> Control.PIPE;
            case "trap" -> Control.TRAP;
            case "goto" -> {
                String chain = w.value("goto", "chain N");
                if (!chain.equals("chain")) {
                    throw Words.invalid("goto", chain, "goto chain N");
                }
                yield Control.gotoChain((int) w.unsigned("goto chain", 10, 0x0FFF_FFFF, "a chain index from 0 to 268435455"));
            }
            case "jump" -> Control.jump((int) w.unsigned("jump", 10, 0x0FFF_FFFF, "a count of actions to skip"));
            default -> throw Words.invalid(where, word, "a control: " + CONTROL_FORM);
        };
    }

    /** A control if the next word is one, else {@code dflt} (parse_action_control_dflt). */
    private static Control optionalControl(Words w, String where, Control dflt) {
        return !w.atEnd() && CONTROL_WORDS.contains(w.peek()) ? control(w, where) : dflt;
    }

    private static Action gact(Words w) {
        if (w.peekIs("index")) {
            return reference("gact", w);
        }
        Control control = control(w, "gact");
        GactAction.RandomKind random = GactAction.RandomKind.NONE;
        Control randomControl = null;
        int randomValue = 0;
        if (w.take("random")) {
            String type = w.value("random", "determ or netrand");
            random = switch (type) {
                case "determ" -> GactAction.RandomKind.DETERM;
                case "netrand" -> GactAction.RandomKind.NETRAND;
                default -> throw Words.invalid("random", type, "determ or netrand");
            };
            randomControl = control(w, "random " + type);
            randomValue = (int) w.unsigned("random " + type + " " + randomControl, 10, 10000, "a value from 1 to 10000");
        }
        return new GactAction(optionalIndex(w), control, random, randomControl, randomValue);
    }

    private static Action mirred(Words w) {
        if (w.peekIs("index")) {
            return reference("mirred", w);
        }
        String direction = w.value("mirred", "egress or ingress");
        if (!direction.equals("egress") && !direction.equals("ingress")) {
            throw Words.invalid("mirred", direction, "egress or ingress");
        }
        String mode = w.value("mirred " + direction, "redirect or mirror");
        if (!mode.equals("redirect") && !mode.equals("mirror")) {
            throw Words.invalid("mirred " + direction, mode, "redirect or mirror");
        }
        int index = optionalIndex(w);
        String dev = w.value("mirred " + direction + " " + mode, "dev DEV");
        if (!dev.equals("dev")) {
            throw Words.invalid("mirred " + direction + " " + mode, dev, "dev DEV");
        }
        String device = w.value("dev", "a device name");
        boolean redirect = mode.equals("redirect");
        // tc gives a redirect no control word (it is always stolen); a mirror defaults to pipe.
        Control control = redirect ? Control.STOLEN : optionalControl(w, "mirred", Control.PIPE);
        if (w.peekIs("index")) {
            if (index != 0) {
                throw new TcException("mirred: index given twice");
            }
            index = optionalIndex(w);
        }
        return new MirredAction(index, control, direction.equals("ingress"), redirect, device);
    }

    private static Action vlan(Words w) {
        if (w.peekIs("index")) {
            return reference("vlan", w);
        }
        String op = w.value("vlan", "pop, push or modify");
        VlanAction.Op operation = switch (op) {
            case "pop" -> VlanAction.Op.POP;
            case "push" -> VlanAction.Op.PUSH;
            case "modify" -> VlanAction.Op.MODIFY;
            case "pop_eth", "push_eth" -> throw Words.unsupported("vlan", op, "expected pop, push or modify");
            default -> throw Words.invalid("vlan", op, "pop, push or modify");
        };
        int id = -1;
        int priority = -1;
        int protocol = 0;
        while (!w.atEnd()) {
            String word = w.peek();
            if (!word.equals("id") && !word.equals("protocol") && !word.equals("priority")) {
                break;
            }
            w.next();
            if (operation == VlanAction.Op.POP) {
                throw Words.invalid("vlan pop", word, "no " + word + " (only push and modify take id, protocol and priority)");
            }
            switch (word) {
                case "id" -> id = (int) w.unsigned("id", 0, 4095, "a VLAN id from 0 to 4095");
                case "priority" -> priority = (int) w.unsigned("priority", 0, 7, "a priority from 0 to 7");
                default -> {
                    String p = w.value("protocol", "802.1Q or 802.1ad");
                    protocol = EtherTypes.parse(p);
                    if (protocol != EtherTypes.VLAN && protocol != EtherTypes.QINQ) {
                        throw Words.invalid("protocol", p, "802.1Q or 802.1ad");
                    }
                }
            }
        }
        if (operation != VlanAction.Op.POP && id < 0) {
            throw Words.missing("vlan " + op, "id VLANID");
        }
        Control control = optionalControl(w, "vlan", Control.PIPE);
        return new VlanAction(optionalIndex(w), control, operation, Math.max(id, 0), priority, protocol);
    }

    private static Action pedit(Words w) {
        if (w.peekIs("index")) {
            return reference("pedit", w);
        }
        List<PeditAction.Key> keys = PeditSyntax.parse(w);
        Control control = optionalControl(w, "pedit", Control.OK);
        return new PeditAction(optionalIndex(w), control, keys);
    }

    private static Action csum(Words w) {
        if (w.peekIs("index")) {
            return reference("csum", w);
        }
        int flags = 0;
        while (!w.atEnd()) {
            int flag = csumFlag(w.peek());
            if (flag < 0) {
                break;
            }
            flags |= flag;
            w.next();
        }
        if (flags == 0) {
            String form = "iph, icmp, igmp, tcp, udp, udplite or sctp (joined by and)";
            throw w.atEnd() ? Words.missing("csum", form) : Words.invalid("csum", w.peek(), form);
        }
        Control control = optionalControl(w, "csum", Control.OK);
        return new CsumAction(optionalIndex(w), control, flags);
    }

    /** A csum target as tc reads it, abbreviations included ("ip" is iph), tried in tc's order; 0 for and/or/+, -1 if none. */
    private static int csumFlag(String word) {
        String[] names = {"iph", "ip4h", "ipv4h", "icmp", "igmp", "tcp", "udp", "udplite", "sctp"};
        int[] flags = {CsumAction.IPH, CsumAction.IPH, CsumAction.IPH, CsumAction.ICMP, CsumAction.IGMP, CsumAction.TCP, CsumAction.UDP,
                CsumAction.UDPLITE, CsumAction.SCTP};
        for (int i = 0; i < names.length; i++) {
            if (Words.matches(word, names[i])) {
                return flags[i];
            }
        }
        return Words.matches(word, "and") || Words.matches(word, "or") || word.equals("+") ? 0 : -1;
    }

    private static Action skbedit(Words w) {
        if (w.peekIs("index")) {
            return reference("skbedit", w);
        }
        long mark = 0;
        long markMask = 0;
        long priority = -1;
        int ptype = -1;
        boolean any = false;
        String form = "mark MARK[/MASK], priority MAJOR:MINOR or ptype host|otherhost|broadcast|multicast";
        while (!w.atEnd()) {
            String word = w.peek();
            if (word.equals("ptype")) {
                w.next();
                String value = w.value("ptype", "host, otherhost, broadcast or multicast");
                ptype = SkbeditAction.PTYPES.indexOf(value);
                if (ptype < 0) {
                    throw Words.invalid("ptype", value, "host, otherhost, broadcast or multicast");
                }
            } else if (word.equals("mark")) {
                w.next();
                String value = w.value("mark", "MARK[/MASK]");
                int slash = value.indexOf('/');
                mark = Words.parseUnsigned(slash < 0 ? value : value.substring(0, slash), 0);
                markMask = slash < 0 ? 0xFFFF_FFFFL : Words.parseUnsigned(value.substring(slash + 1), 0);
                if (mark < 0 || mark > 0xFFFF_FFFFL || markMask <= 0 || markMask > 0xFFFF_FFFFL) {
                    throw Words.invalid("mark", value, "MARK[/MASK], 32-bit numbers, MASK not 0");
                }
            } else if (word.equals("priority")) {
                w.next();
                String value = w.value("priority", "a class id MAJOR:MINOR (hex)");
                priority = Addresses.classid(value);
                if (priority < 0) {
                    throw Words.invalid("priority", value, "a class id MAJOR:MINOR (hex)");
                }
            } else if (word.equals("queue_mapping") || word.equals("inheritdsfield")) {
                throw Words.unsupported("skbedit", word, "expected " + form);
            } else {
                break;
            }
            any = true;
        }
        if (!any) {
            throw w.atEnd() ? Words.missing("skbedit", form) : Words.invalid("skbedit", w.peek(), form);
        }
        Control control = optionalControl(w, "skbedit", Control.PIPE);
        return new SkbeditAction(optionalIndex(w), control, mark, markMask, priority, ptype);
    }

    private static Action police(Words w) {
        long rate = 0;
        long burst = 0;
        long mtu = 0;
        long peakrate = 0;
        long packetRate = 0;
        long packetBurst = 0;
        int index = 0;
        Control exceed = null;
        Control conform = null;
        boolean parameters = false;
        while (!w.atEnd()) {
            String word = w.peek();
            switch (word) {
                case "index" -> {
                    w.next();
                    index = index(w);
                    continue;
                }
                case "rate" -> {
                    w.next();
                    rate = rate(w, rate);
                }
                case "peakrate" -> {
                    w.next();
                    peakrate = rate(w, "peakrate", peakrate);
                }
                case "burst", "buffer", "maxburst" -> {
                    w.next();
                    burst = size(w, word, burst);
                }
                case "mtu", "minburst" -> {
                    w.next();
                    mtu = size(w, word, mtu);
                }
                case "pkts_rate" -> {
                    w.next();
                    packetRate = w.unsigned("pkts_rate", 10, Long.MAX_VALUE, "packets per second");
                }
                case "pkts_burst" -> {
                    w.next();
                    packetBurst = w.unsigned("pkts_burst", 10, Long.MAX_VALUE, "a bucket size in packets");
                }
                case "conform-exceed" -> {
                    w.next();
                    Control[] pair = slashControls(w);
                    exceed = pair[0];
                    conform = pair[1] != null ? pair[1] : conform;
                }
                case "avrate", "overhead", "linklayer", "mpu" -> throw Words.unsupported("police", word,
                        "expected rate, burst, mtu, peakrate, pkts_rate, pkts_burst, conform-exceed or index");
                default -> {
                    if (!CONTROL_WORDS.contains(word)) {
                        return finishPolice(index, rate, burst, mtu, peakrate, packetRate, packetBurst, conform, exceed, parameters);
                    }
                    exceed = control(w, "police");
                }
            }
            parameters = true;
        }
        return finishPolice(index, rate, burst, mtu, peakrate, packetRate, packetBurst, conform, exceed, parameters);
    }

    private static Action finishPolice(int index, long rate, long burst, long mtu, long peakrate, long packetRate, long packetBurst,
            Control conform, Control exceed, boolean parameters) {
        if (!parameters && index > 0) {
            return new ActionRef("police", index);
        }
        if (rate == 0 && packetRate == 0) {
            throw Words.missing("police", "rate RATE burst BYTES, or pkts_rate RATE pkts_burst PACKETS");
        }
        if (rate > 0 && burst == 0) {
            throw Words.missing("police rate", "burst BYTES with rate");
        }
        if (packetRate > 0 && packetBurst == 0) {
            throw Words.missing("police pkts_rate", "pkts_burst PACKETS with pkts_rate");
        }
        if (rate > 0 && packetRate > 0) {
            throw new TcException("police: rate and pkts_rate cannot be combined");
        }
        if (peakrate > 0 && mtu == 0) {
            throw Words.missing("police peakrate", "mtu BYTES with peakrate ('mtu' is required, if 'peakrate' is requested)");
        }
        if (peakrate > 0 && rate == 0) {
            throw Words.missing("police peakrate", "rate RATE burst BYTES with peakrate");
        }
        return new PoliceAction(index, rate, burst, packetRate, packetBurst, (int) mtu, conform, exceed, peakrate);
    }

    private static long rate(Words w, long previous) {
        return rate(w, "rate", previous);
    }

    private static long rate(Words w, String keyword, long previous) {
        if (previous != 0) {
            throw new TcException("police: " + keyword + " given twice");
        }
        String word = w.value(keyword, Units.RATE_FORM);
        long rate = Units.rate(word);
        if (rate <= 0) {
            throw Words.invalid(keyword, word, Units.RATE_FORM + " (at least 8bit)");
        }
        return rate;
    }

    private static long size(Words w, String keyword, long previous) {
        if (previous != 0) {
            throw new TcException("police: " + keyword + " given twice");
        }
        String word = w.value(keyword, Units.SIZE_FORM);
        // get_size_and_cell: BYTES[/CELL], CELL a power of two. The cell sized the old rate tables;
        // the kernel's policer computes with the rate itself, so it changes nothing and is not kept.
        int slash = word.indexOf('/');
        if (slash >= 0) {
            long cell = Words.parseUnsigned(word.substring(slash + 1), 0);
            if (cell <= 0 || cell > 0x8000_0000L || (cell & (cell - 1)) != 0) {
                throw Words.invalid(keyword, word, "BYTES[/CELL] with CELL a power of two");
            }
            word = word.substring(0, slash);
        }
        long size = Units.size(word);
        if (size <= 0 || (keyword.startsWith("m") && size > Integer.MAX_VALUE)) {
            throw Words.invalid(keyword, word, Units.SIZE_FORM);
        }
        return size;
    }

    /** {@code EXCEED[/CONFORM]} as one word or as {@code EXCEED / CONFORM}; the conform part null when absent. */
    private static Control[] slashControls(Words w) {
        String word = w.peek();
        if (word == null) {
            throw Words.missing("conform-exceed", "EXCEED[/CONFORM], each " + CONTROL_FORM);
        }
        int slash = word.indexOf('/');
        if (slash > 0) {
            w.next();
            return new Control[] {single(word.substring(0, slash)), single(word.substring(slash + 1))};
        }
        Control exceed = control(w, "conform-exceed");
        Control conform = w.take("/") ? control(w, "conform-exceed " + word + " /") : null;
        return new Control[] {exceed, conform};
    }

    private static Control single(String word) {
        return control(new Words(List.of(word)), "conform-exceed");
    }

    private static Action sample(Words w) {
        if (w.peekIs("index")) {
            return reference("sample", w);
        }
        long rate = -1;
        long group = -1;
        long truncate = 0;
        while (!w.atEnd()) {
            switch (w.peek()) {
                case "rate" -> {
                    w.next();
                    rate = w.unsigned("rate", 10, Integer.MAX_VALUE, "1 in N packets, N from 1");
                }
                case "group" -> {
                    w.next();
                    group = w.unsigned("group", 10, Integer.MAX_VALUE, "a psample group number");
                }
                case "trunc" -> {
                    w.next();
                    truncate = w.unsigned("trunc", 10, Integer.MAX_VALUE, "a byte count");
                }
                default -> {
                    return finishSample(w, rate, group, truncate);
                }
            }
        }
        return finishSample(w, rate, group, truncate);
    }

    private static Action finishSample(Words w, long rate, long group, long truncate) {
        if (rate < 0) {
            throw Words.missing("sample", "rate N");
        }
        if (group < 0) {
            throw Words.missing("sample", "group GROUP");
        }
        Control control = optionalControl(w, "sample", Control.PIPE);
        return new SampleAction(optionalIndex(w), control, (int) rate, (int) group, (int) truncate);
    }

    // ---------------------------------------------------------------- canonical spec

    /** The words that read back to {@code action}, starting with its kind. */
    static String spec(Action action) {
        StringBuilder out = new StringBuilder();
        switch (action) {
            case ActionRef r -> {
                return r.kind() + " index " + r.index();
            }
            case GactAction g -> {
                out.append("gact ").append(controlWords(g.control()));
                if (g.random() != GactAction.RandomKind.NONE) {
                    out.append(" random ").append(g.random().name().toLowerCase(Locale.ROOT)).append(' ')
                            .append(controlWords(g.randomControl())).append(' ').append(g.randomValue());
                }
            }
            case MirredAction m -> {
                out.append("mirred ").append(m.ingress() ? "ingress " : "egress ").append(m.redirect() ? "redirect" : "mirror")
                        .append(" dev ").append(m.dev());
                if (m.redirect() && !m.control().equals(Control.STOLEN)) {
                    throw new TcException("mirred redirect: tc has no control word for a redirect; it is always stolen");
                }
                appendControl(out, m.control(), m.redirect() ? Control.STOLEN : Control.PIPE);
            }
            case VlanAction v -> {
                out.append("vlan ").append(v.op().name().toLowerCase(Locale.ROOT));
                if (v.op() != VlanAction.Op.POP) {
                    out.append(" id ").append(v.id());
                    if (v.protocol() != EtherTypes.VLAN) {
                        out.append(" protocol ").append(EtherTypes.name(v.protocol()));
                    }
                    if (v.priority() >= 0) {
                        out.append(" priority ").append(v.priority());
                    }
                }
                appendControl(out, v.control(), Control.PIPE);
            }
            case PeditAction p -> {
                out.append(PeditSyntax.munges(p));
                appendControl(out, p.control(), Control.OK);
            }
            case CsumAction c -> {
                out.append("csum ").append(String.join(" and ", csumNames(c.flags())));
                appendControl(out, c.control(), Control.OK);
            }
            case SkbeditAction s -> {
                out.append("skbedit");
                if (s.priority() >= 0) {
                    out.append(" priority ").append(Addresses.formatClassid(s.priority()));
                }
                if (s.markMask() != 0) {
                    out.append(" mark ").append(s.mark());
                    if (s.markMask() != 0xFFFF_FFFFL) {
                        out.append("/0x").append(Long.toHexString(s.markMask()));
                    }
                }
                if (s.ptype() >= 0) {
                    out.append(" ptype ").append(SkbeditAction.PTYPES.get(s.ptype()));
                }
                appendControl(out, s.control(), Control.PIPE);
            }
            case PoliceAction p -> {
                out.append("police");
                if (p.rateBytesPerSecond() > 0) {
                    out.append(" rate ").append(Units.rateWord(p.rateBytesPerSecond())).append(" burst ").append(Units.sizeWord(p.burstBytes()));
                } else {
                    out.append(" pkts_rate ").append(p.packetsPerSecond()).append(" pkts_burst ").append(p.packetBurst());
                }
                if (p.mtu() > 0) {
                    out.append(" mtu ").append(Units.sizeWord(p.mtu()));
                }
                if (p.peakrateBytesPerSecond() > 0) {
                    out.append(" peakrate ").append(Units.rateWord(p.peakrateBytesPerSecond()));
                }
                if (!p.exceed().equals(Control.RECLASSIFY) || !p.conform().equals(Control.OK)) {
                    out.append(" conform-exceed ").append(controlWords(p.exceed()));
                    if (!p.conform().equals(Control.OK)) {
                        out.append('/').append(controlWords(p.conform()));
                    }
                }
            }
            case SampleAction s -> {
                out.append("sample rate ").append(s.rate()).append(" group ").append(s.group());
                if (s.truncate() > 0) {
                    out.append(" trunc ").append(s.truncate());
                }
                appendControl(out, s.control(), Control.PIPE);
            }
        }
        if (action.index() > 0) {
            out.append(" index ").append(action.index());
        }
        return out.toString();
    }

    private static void appendControl(StringBuilder out, Control control, Control dflt) {
        if (!control.equals(dflt)) {
            out.append(' ').append(controlWords(control));
        }
    }

    /** A control as command words; {@code stolen} has none. */
    static String controlWords(Control control) {
        if (control.kind() == Control.Kind.STOLEN) {
            throw new TcException("control: stolen cannot be written in a tc command");
        }
        return control.toString();
    }

    static List<String> csumNames(int flags) {
        List<String> names = new ArrayList<>();
        String[] all = {"iph", "icmp", "igmp", "tcp", "udp", "udplite", "sctp"};
        for (int i = 0; i < all.length; i++) {
            if ((flags & (1 << i)) != 0) {
                names.add(all[i]);
            }
        }
        return names;
    }

    // ---------------------------------------------------------------- show

    /** One entry of an action dump: {@code action order N: ...} with its counters under {@code -s}. */
    static void show(Printout p, ActionInfo info, int order, boolean stats, long nowMillis) {
        p.openObject(null);
        p.nl();
        p.any("order", "\taction order %s: ", order);
        Action a = info.action();
        Times times = stats ? new Times(info, nowMillis) : null;
        switch (a) {
            case GactAction g -> {
                p.any("kind", "%s ", "gact");
                printControl(p, "action ", g.control(), "", "control_action");
                boolean random = g.random() != GactAction.RandomKind.NONE;
                p.openObject("prob").nl();
                p.any("random_type", "\t random type %s", g.random().name().toLowerCase(Locale.ROOT));
                printControl(p, " ", random ? g.randomControl() : Control.OK, " ", "control_action");
                p.any("val", "val %s", random ? g.randomValue() : 0);
                p.closeObject();
                indexLine(p, "\t index %s", info, times);
            }
            case MirredAction m -> {
                p.any("kind", "%s ", "mirred");
                p.text("(" + m.describe());
                p.member("mirred_action", m.redirect() ? "redirect" : "mirror");
                p.member("direction", m.ingress() ? "ingress" : "egress");
                p.any("to_dev", " to device %s", m.dev());
                // Linux shows a device that went away as "*"; the name says more, and that it is gone.
                if (info.devGone()) {
                    p.text(", gone").member("dev_gone", true);
                }
                p.text(")");
                printControl(p, " ", m.control(), "", "control_action");
                indexLine(p, "\tindex %s", info, times);
            }
            case VlanAction v -> {
                p.any("kind", "%s ", "vlan");
                p.any("vlan_action", " %s", v.op().name().toLowerCase(Locale.ROOT));
                if (v.op() != VlanAction.Op.POP) {
                    p.any("id", " id %s", v.id());
                    p.any("protocol", " protocol %s", EtherTypes.name(v.protocol()));
                    p.any("priority", " priority %s", Math.max(v.priority(), 0));
                }
                printControl(p, " ", v.control(), "", "control_action");
                indexLine(p, "\t index %s", info, times);
            }
            case PeditAction pe -> showPedit(p, pe, info, times);
            case CsumAction c -> {
                p.any("kind", "%s ", "csum");
                p.any("csum", "(%s) ", String.join(", ", csumNames(c.flags())));
                printControl(p, "action ", c.control(), "\n", "control_action");
                p.any("index", "\tindex %s", a.index());
                refBind(p, info, times);
                p.nl();
            }
            case SkbeditAction s -> {
                p.any("kind", "%s ", "skbedit");
                if (s.priority() >= 0) {
                    p.any("priority", " priority %s", Addresses.formatClassid(s.priority()));
                }
                if (s.markMask() != 0) {
                    p.any("mark", " mark %s", s.mark());
                    if (s.markMask() != 0xFFFF_FFFFL) {
                        p.any("mask", "/%s", "0x" + Long.toHexString(s.markMask()));
                    }
                }
                if (s.ptype() >= 0) {
                    p.any("ptype", " ptype %s", SkbeditAction.PTYPES.get(s.ptype()));
                }
                printControl(p, " ", s.control(), "", "control_action");
                indexLine(p, "\t index %s", info, times);
            }
            case PoliceAction po -> showPolice(p, po, info, times);
            case SampleAction s -> {
                p.any("kind", "%s ", "sample");
                p.any("rate", "rate 1/%s ", s.rate());
                p.any("group", "group %s", s.group());
                if (s.truncate() > 0) {
                    p.any("trunc_size", " trunc_size %s", s.truncate());
                }
                printControl(p, " ", s.control(), "", "control_action");
                indexLine(p, "\t index %s", info, times);
            }
            case ActionRef r -> {
                p.any("kind", "%s ", r.kind());
                indexLine(p, "\t index %s", info, times);
            }
        }
        if (stats) {
            p.text("\tAction statistics:").nl();
            p.openObject("stats");
            counters(p, "\t", info.software(), info.hardware());
            p.closeObject();
            p.nl();
        }
        p.closeObject();
    }

    private static void showPedit(Printout p, PeditAction pe, ActionInfo info, Times times) {
        p.any("kind", " %s ", "pedit");
        printControl(p, "action ", pe.control(), " ", "control_action");
        p.any("nkeys", "keys %s\n", pe.keys().size());
        p.any("index", " \t index %s", pe.index());
        refBind(p, info, times);
        p.openArray("keys");
        for (int i = 0; i < pe.keys().size(); i++) {
            PeditAction.Key key = pe.keys().get(i);
            p.openObject(null);
            p.text("\n\t key #" + i + "  at ");
            if (key.header() == PeditAction.Header.NETWORK) {
                p.member("htype", "network");
                p.any("offset", "%s", key.offset());
            } else {
                p.any("htype", "%s", key.header().word());
                p.text(String.format(Locale.ROOT, "%+d", key.offset())).member("offset", key.offset());
            }
            boolean add = key.cmd() == PeditAction.Cmd.ADD;
            p.text(": " + (add ? "add" : "val")).member("cmd", add ? "add" : "set");
            p.text(String.format(Locale.ROOT, " %08x", key.value())).member("val", Integer.toHexString(key.value()));
            p.text(String.format(Locale.ROOT, " mask %08x", key.mask())).member("mask", Integer.toHexString(key.mask()));
            p.closeObject();
        }
        p.closeArray();
        p.nl();
    }

    private static void showPolice(Printout p, PoliceAction po, ActionInfo info, Times times) {
        boolean bytes = po.rateBytesPerSecond() > 0;
        // The kernel reports the mtu a byte policer derives when none is given (255 << cell_log), and "none" (~0) otherwise.
        long mtu = po.mtu() > 0 ? po.mtu() : bytes ? 2040 : 0xFFFF_FFFFL;
        p.member("kind", "police");
        p.text(" police 0x" + Integer.toHexString(po.index()) + " ").member("index", po.index());
        p.text("rate " + Units.printRate(po.rateBytesPerSecond()) + " ").member("rate", po.rateBytesPerSecond());
        p.text("burst " + Units.printSize(po.burstBytes()) + " ").member("burst", po.burstBytes());
        p.text("mtu " + Units.printSize(mtu) + " ").member("mtu", mtu);
        if (po.peakrateBytesPerSecond() > 0) {
            p.text("peakrate " + Units.printRate(po.peakrateBytesPerSecond()) + " ").member("peakrate", po.peakrateBytesPerSecond());
        }
        if (!bytes) {
            p.any("pkts_rate", "pkts_rate %s ", po.packetsPerSecond());
            p.any("pkts_burst", "pkts_burst %s ", po.packetBurst());
        }
        printControl(p, "action ", po.exceed(), "", "control_action");
        if (!po.conform().equals(Control.OK)) {
            printControl(p, "/", po.conform(), " ", "notexceed_action");
        } else {
            p.text(" ");
        }
        p.text("overhead 0b ").member("overhead", 0);
        p.nl();
        p.any("ref", "\tref %s ", info.refCount());
        p.any("bind", "bind %s ", info.bindCount());
        tm(p, times);
        p.nl();
    }

    /** print_action_control: the control's tc word (and chain or jump count). */
    private static void printControl(Printout p, String prefix, Control c, String suffix, String jsonKey) {
        p.text(prefix);
        p.openObject(jsonKey);
        p.any("type", "%s", switch (c.kind()) {
            case GOTO_CHAIN -> "goto";
            case JUMP -> "jump";
            default -> c.kind().word();
        });
        if (c.kind() == Control.Kind.GOTO_CHAIN) {
            p.any("chain", " chain %s", c.value());
        } else if (c.kind() == Control.Kind.JUMP) {
            p.any("jump", " %s", c.value());
        }
        p.closeObject();
        p.text(suffix);
    }

    private static void indexLine(Printout p, String format, ActionInfo info, Times times) {
        p.nl();
        p.any("index", format, info.action().index());
        refBind(p, info, times);
        p.nl();
    }

    private static void refBind(Printout p, ActionInfo info, Times times) {
        p.any("ref", " ref %s", info.refCount());
        p.any("bind", " bind %s", info.bindCount());
        tm(p, times);
    }

    /** print_tm: ages in seconds; a never-used action counts as last used when installed, as in the kernel. */
    private record Times(long installed, long lastUsed, long firstUsed) {
        Times(ActionInfo info, long now) {
            this(age(now, info.installedMillis()), age(now, Math.max(info.stats().lastUsedMillis(), info.installedMillis())),
                    info.firstUsedMillis() > 0 ? age(now, info.firstUsedMillis()) : -1);
        }

        private static long age(long now, long then) {
            return Math.max(0, now - then) / 1000;
        }
    }

    private static void tm(Printout p, Times times) {
        if (times == null) {
            return;
        }
        p.any("installed", " installed %s sec", times.installed());
        p.any("last_used", " used %s sec", times.lastUsed());
        if (times.firstUsed() >= 0) {
            p.any("first_used", " firstused %s sec", times.firstUsed());
        }
    }

    /**
     * print_tcstats2_attr: {@code Sent B bytes P pkt (dropped D, overlimits O requeues 0)}, the
     * software and hardware parts when a device counted, and the (empty) backlog line.
     */
    static void counters(Printout p, String prefix, TcStats software, TcStats hardware) {
        TcStats total = software.plus(hardware);
        p.text(prefix);
        p.any("bytes", "Sent %s bytes", total.bytes());
        p.any("packets", " %s pkt", total.packets());
        p.any("drops", " (dropped %s", total.drops());
        p.any("overlimits", ", overlimits %s", total.overlimits());
        p.any("requeues", " requeues %s) ", 0);
        if (hardware.bytes() != 0 || hardware.packets() != 0) {
            p.nl().text(prefix);
            p.any("sw_bytes", "Sent software %s bytes", software.bytes());
            p.any("sw_packets", " %s pkt", software.packets());
            p.nl().text(prefix);
            p.any("hw_bytes", "Sent hardware %s bytes", hardware.bytes());
            p.any("hw_packets", " %s pkt", hardware.packets());
        }
        p.nl().text(prefix);
        p.text("backlog 0b").member("backlog", 0);
        p.any("qlen", " %sp", 0);
        p.text(" requeues 0");
    }
}
