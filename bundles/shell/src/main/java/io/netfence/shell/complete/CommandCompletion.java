package io.netfence.shell.complete;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Tab completion of the Netfence commands' arguments: which words may come at a position of a
 * command line, from a small grammar per command (objects, commands, keywords, what a keyword's
 * value can be). The console's profile calls it for every Netfence command; JLine then keeps the
 * candidates that start with what is typed. Words are matched as the commands match them
 * (iproute2's abbreviations: {@code ip l sh d} is {@code ip link show dev}).
 */
public final class CommandCompletion {
    /** What the appliance has now: the values some words complete to. */
    public interface Names {
        List<String> devices();

        List<String> linkTypes();

        /** Feature names: installed ones if {@code installed}, the others if not. */
        List<String> features(boolean installed);
    }

    private static final Function<Names, List<String>> NONE = n -> List.of();
    private static final Function<Names, List<String>> DEVICES = Names::devices;
    private static final Function<Names, List<String>> LINK_TYPES = Names::linkTypes;

    private static Function<Names, List<String>> fixed(String... words) {
        List<String> list = List.of(words);
        return n -> list;
    }

    /** A level of a command's grammar: the commands below it, or its arguments. */
    private static final class Node {
        /** Canonical names offered, in the order the command tries abbreviations. */
        final Map<String, Node> children = new LinkedHashMap<>();
        /** Every accepted spelling (names and aliases), in matching order. */
        final Map<String, Node> spellings = new LinkedHashMap<>();
        final List<String> keywords = new ArrayList<>();
        final Map<String, Function<Names, List<String>>> values = new HashMap<>();
        /** Keywords that end what this grammar knows (the rest goes to a driver): nothing is offered after their value. */
        final Set<String> ends = new HashSet<>();
        /** Keywords that may be given more than once (action lists); the others are not offered again. */
        final Set<String> repeatable = new HashSet<>();
        /** What the first, second, ... word that is no keyword can be. */
        final List<Function<Names, List<String>>> positional = new ArrayList<>();
        /** Options before the object ({@code -s}); those in values take a value ({@code -f inet}). */
        final Set<String> options = new HashSet<>();

        Node sub(String name, Node child, String... aliases) {
            children.put(name, child);
            spellings.put(name, child);
            for (String a : aliases) {
                spellings.put(a, child);
            }
            return this;
        }

        Node kw(String... words) {
            keywords.addAll(List.of(words));
            return this;
        }

        /** Keywords followed by a value from {@code source} (an empty source: a free value, nothing offered). */
        Node val(Function<Names, List<String>> source, String... words) {
            for (String w : words) {
                values.put(w, source);
            }
            return this;
        }

        Node end(String... words) {
            ends.addAll(List.of(words));
            return this;
        }

        Node again(String... words) {
            repeatable.addAll(List.of(words));
            return this;
        }

        Node pos(Function<Names, List<String>> source) {
            positional.add(source);
            return this;
        }

        Node opts(String... words) {
            options.addAll(List.of(words));
            return this;
        }

        /** The child {@code word} names: exactly, else the first spelling it abbreviates. */
        Node match(String word) {
            Node exact = spellings.get(word);
            if (exact != null || word.isEmpty()) {
                return exact;
            }
            for (Map.Entry<String, Node> e : spellings.entrySet()) {
                if (e.getKey().startsWith(word)) {
                    return e.getValue();
                }
            }
            return null;
        }
    }

    private static Node node() {
        return new Node();
    }

    private static final Map<String, Node> COMMANDS = Map.of(
            "ip", ip(),
            "tc", tc(),
            "bench", bench(),
            "dataplane", dataplane(),
            "feature", feature(),
            "log", log(),
            "crypto", crypto(),
            "psample", psample(),
            "exit", node());

    private CommandCompletion() {
    }

    /** The commands this completes (without their scope). */
    public static Set<String> commands() {
        return COMMANDS.keySet();
    }

    /**
     * The words that may stand at {@code index} of {@code words} (word 0 is the command, with or
     * without its {@code netfence:} scope; the word at {@code index} is the one being typed and is
     * not looked at: JLine filters by it). Empty when nothing is known there.
     */
    public static List<String> candidates(List<String> words, int index, Names names) {
        if (words.isEmpty() || index < 1 || index > words.size()) {
            return List.of();
        }
        String command = words.getFirst();
        Node node = COMMANDS.get(command.substring(command.indexOf(':') + 1));
        if (node == null) {
            return List.of();
        }
        int i = 1;
        boolean options = true;
        while (i < index) {
            String w = words.get(i);
            if (options && !node.options.isEmpty() && w.startsWith("-") && w.length() > 1) {
                Function<Names, List<String>> value = node.values.get(w);
                if (value != null) {
                    if (i + 1 == index) {
                        return value.apply(names);
                    }
                    i++;
                }
                i++;
                continue;
            }
            Node child = node.match(w);
            if (child == null) {
                break;
            }
            node = child;
            options = false;
            i++;
        }
        return arguments(node, words.subList(i, index), i == index, names);
    }

    /** What can follow {@code given}, the arguments already typed at {@code node}. */
    private static List<String> arguments(Node node, List<String> given, boolean first, Names names) {
        Set<String> used = new HashSet<>();
        int positional = 0;
        for (int k = 0; k < given.size(); k++) {
            String w = given.get(k);
            if (node.values.containsKey(w)) {
                if (k + 1 == given.size()) {
                    return node.values.get(w).apply(names);
                }
                if (node.ends.contains(w)) {
                    return List.of();
                }
                used.add(w);
                k++;
            } else if (node.keywords.contains(w)) {
                used.add(w);
            } else if (!w.startsWith("-")) {
                positional++;
            }
        }
        Set<String> out = new LinkedHashSet<>();
        if (first) {
            out.addAll(node.children.keySet());
        }
        if (positional < node.positional.size()) {
            out.addAll(node.positional.get(positional).apply(names));
        }
        for (String k : node.keywords) {
            if (!used.contains(k) || node.repeatable.contains(k)) {
                out.add(k);
            }
        }
        return List.copyOf(out);
    }

    // The grammars, from each command's help (the commands themselves check every word).

    private static Node ip() {
        Node link = node()
                .sub("add", node().kw("name", "mtu", "address", "numrxqueues", "type")
                        .val(NONE, "name", "mtu", "address", "numrxqueues").val(LINK_TYPES, "type").end("type"))
                .sub("set", node().kw("dev", "up", "down", "mtu", "address").val(DEVICES, "dev")
                        .val(NONE, "mtu", "address").pos(DEVICES), "change")
                .sub("delete", node().kw("dev").val(DEVICES, "dev").pos(DEVICES))
                .sub("show", node().kw("dev", "up", "type").val(DEVICES, "dev").val(LINK_TYPES, "type").pos(DEVICES),
                        "list", "lst")
                .sub("help", node().pos(LINK_TYPES));
        Node addressChange = node().kw("dev", "local").val(DEVICES, "dev").val(NONE, "local");
        Node address = node()
                .sub("add", addressChange)
                .sub("delete", addressChange)
                .sub("show", node().kw("dev", "up").val(DEVICES, "dev").pos(DEVICES), "list", "lst")
                .sub("flush", node().kw("dev").val(DEVICES, "dev").pos(DEVICES))
                .sub("help", node());
        Function<Names, List<String>> routeTypes = fixed("unicast", "local", "blackhole", "unreachable", "prohibit");
        Node routeChange = node().kw("unicast", "local", "blackhole", "unreachable", "prohibit", "default",
                        "via", "dev", "metric", "src", "table", "proto")
                .val(DEVICES, "dev").val(NONE, "via", "metric", "src", "proto").val(fixed("main"), "table");
        Node route = node()
                .sub("add", routeChange)
                .sub("change", routeChange, "chg")
                .sub("replace", routeChange)
                .sub("delete", routeChange)
                .sub("list", node().kw("table", "dev", "type", "proto", "root", "match", "exact")
                        .val(fixed("main", "local", "all"), "table").val(DEVICES, "dev").val(routeTypes, "type")
                        .val(NONE, "proto", "root", "match", "exact"), "show", "lst")
                .sub("get", node())
                .sub("flush", node().kw("table", "cache").val(fixed("main"), "table"))
                .sub("help", node());
        Node neighChange = node().kw("lladdr", "dev", "nud").val(DEVICES, "dev").val(NONE, "lladdr")
                .val(fixed("permanent"), "nud");
        Node neigh = node()
                .sub("add", neighChange)
                .sub("change", neighChange, "chg")
                .sub("replace", neighChange)
                .sub("delete", node().kw("dev").val(DEVICES, "dev"))
                .sub("show", node().kw("dev", "nud", "to").val(DEVICES, "dev").val(NONE, "to")
                        .val(fixed("permanent", "reachable", "stale", "incomplete", "failed", "all"), "nud"), "list", "lst")
                .sub("flush", node().kw("dev", "all").val(DEVICES, "dev").pos(DEVICES))
                .sub("help", node());
        return node()
                .opts("-s", "-d", "-j", "-p", "-o", "-4", "-6", "-f", "-b", "-force")
                .val(fixed("inet", "inet6"), "-f", "-family")
                .val(NONE, "-b", "-batch")
                // iproute2's order of trial: "a" is address, "r" route, "n" neigh, "l" link
                .sub("address", address, "addr")
                .sub("route", route)
                .sub("neigh", neigh, "neighbor", "neighbour")
                .sub("link", link)
                .sub("xfrm", xfrm())
                .sub("help", node());
    }

    private static Node xfrm() {
        Function<Names, List<String>> modes = fixed("transport", "tunnel");
        Node stateAdd = node().kw("src", "dst", "proto", "spi", "aead", "enc", "auth-trunc", "mode", "mark", "reqid",
                        "replay-window", "replay-seq", "replay-oseq", "replay-seq-hi", "replay-oseq-hi", "flag", "sel",
                        "limit", "encap", "if_id", "offload", "dev", "dir")
                .again("limit", "flag")
                .val(NONE, "src", "dst", "spi", "mark", "reqid", "replay-window", "replay-seq", "replay-oseq",
                        "replay-seq-hi", "replay-oseq-hi", "if_id")
                .val(fixed("esp"), "proto").val(modes, "mode").val(fixed("esn", "af-unspec"), "flag")
                // quoted: parentheses are Gogo syntax
                .val(fixed("'rfc4106(gcm(aes))'", "'rfc7539esp(chacha20,poly1305)'"), "aead")
                .val(fixed("'cbc(aes)'"), "enc")
                .val(fixed("'hmac(sha256)'", "'hmac(sha384)'", "'hmac(sha512)'"), "auth-trunc")
                .val(fixed("time-soft", "time-hard", "time-use-soft", "time-use-hard", "byte-soft", "byte-hard",
                        "packet-soft", "packet-hard"), "limit")
                .val(fixed("espinudp"), "encap").val(DEVICES, "dev").val(fixed("in", "out"), "dir");
        Node stateId = node().kw("src", "dst", "proto", "spi", "mark").val(NONE, "src", "dst", "spi", "mark")
                .val(fixed("esp"), "proto");
        Node stateFilter = node().kw("nokeys", "src", "dst", "proto", "spi", "mode", "reqid", "flag")
                .val(NONE, "src", "dst", "spi", "reqid").val(fixed("esp"), "proto").val(modes, "mode")
                .val(fixed("esn"), "flag");
        Node state = node()
                .sub("add", stateAdd)
                .sub("update", stateAdd)
                .sub("allocspi", node().kw("src", "dst", "proto", "mode", "reqid", "min", "max")
                        .val(NONE, "src", "dst", "reqid", "min", "max").val(fixed("esp"), "proto").val(modes, "mode"))
                .sub("delete", stateId)
                .sub("deleteall", stateFilter, "delall")
                .sub("list", stateFilter, "show", "lst")
                .sub("get", stateId)
                .sub("flush", node().kw("proto").val(fixed("esp"), "proto"))
                .sub("count", node())
                .sub("help", node());
        Function<Names, List<String>> dirs = fixed("in", "out", "fwd");
        Function<Names, List<String>> protos = fixed("esp", "tcp", "udp", "sctp", "dccp", "icmp", "ipv6-icmp", "gre");
        Node policyAdd = node().kw("src", "dst", "dev", "proto", "sport", "dport", "type", "code", "key", "dir", "mark",
                        "index", "ptype", "action", "priority", "limit", "tmpl", "if_id", "offload", "spi", "mode",
                        "reqid", "level")
                // a template repeats src, dst, proto, spi, mode, reqid and level
                .again("limit", "tmpl", "src", "dst", "proto", "spi", "mode", "reqid", "level")
                .val(NONE, "src", "dst", "sport", "dport", "type", "code", "key", "mark", "index", "priority", "if_id",
                        "spi", "reqid")
                .val(DEVICES, "dev").val(protos, "proto").val(dirs, "dir").val(fixed("main"), "ptype")
                .val(fixed("allow", "block"), "action").val(modes, "mode").val(fixed("required", "use"), "level")
                .val(fixed("time-soft", "time-hard", "time-use-soft", "time-use-hard", "byte-soft", "byte-hard",
                        "packet-soft", "packet-hard"), "limit");
        Node policyId = node().kw("src", "dst", "dev", "proto", "sport", "dport", "dir", "index", "mark", "ptype", "if_id")
                .val(NONE, "src", "dst", "sport", "dport", "index", "mark", "if_id").val(DEVICES, "dev")
                .val(protos, "proto").val(dirs, "dir").val(fixed("main"), "ptype");
        Node policyFilter = node().kw("nosock", "src", "dst", "dev", "proto", "dir", "index", "ptype", "action", "priority")
                .val(NONE, "src", "dst", "index", "priority").val(DEVICES, "dev").val(protos, "proto")
                .val(dirs, "dir").val(fixed("main"), "ptype").val(fixed("allow", "block"), "action");
        Node policy = node()
                .sub("add", policyAdd)
                .sub("update", policyAdd)
                .sub("delete", policyId)
                .sub("deleteall", policyFilter, "delall")
                .sub("list", policyFilter, "show", "lst")
                .sub("get", policyId)
                .sub("flush", node().kw("ptype").val(fixed("main"), "ptype"))
                .sub("count", node())
                .sub("help", node());
        Node monitor = node().kw("nokeys", "all", "acquire", "expire", "SA", "policy", "aevent", "report")
                .sub("help", node());
        return node()
                .sub("state", state, "sa")
                .sub("policy", policy)
                .sub("monitor", monitor)
                .sub("help", node());
    }

    private static Node tc() {
        Function<Names, List<String>> hooks = fixed("ingress", "egress");
        Function<Names, List<String>> actionKinds = fixed("gact", "mirred", "vlan", "pedit", "csum", "skbedit",
                "police", "sample", "pass", "drop", "ok", "shot", "pipe", "continue", "reclassify", "goto", "trap");
        Node qdiscChange = node().kw("dev", "ingress_block", "egress_block", "clsact", "ingress")
                .val(DEVICES, "dev").val(NONE, "ingress_block", "egress_block");
        Node qdisc = node()
                .sub("add", qdiscChange)
                .sub("change", qdiscChange)
                .sub("replace", qdiscChange)
                .sub("del", node().kw("dev", "clsact", "ingress").val(DEVICES, "dev"), "delete")
                .sub("show", node().kw("dev").val(DEVICES, "dev"), "list", "lst")
                .sub("help", node());
        Node filterChange = node().kw("dev", "ingress", "egress", "parent", "block", "chain", "protocol", "prio", "handle",
                        "flower", "u32", "matchall", "skip_sw", "skip_hw", "action",
                        // flower keys
                        "indev", "dst_mac", "src_mac", "vlan_id", "vlan_prio", "vlan_ethtype", "ip_proto", "src_ip",
                        "dst_ip", "src_port", "dst_port", "tcp_flags", "ip_tos", "ip_ttl", "type", "code",
                        // u32 and the actions' own words
                        "match", "ht", "link", "hashkey", "divisor", "offset", "classid",
                        "egress", "ingress", "redirect", "mirror", "index", "pop", "push", "modify", "id", "priority",
                        "munge", "set", "add", "rate", "burst", "mtu", "conform-exceed", "pkts_rate", "pkts_burst",
                        "group", "trunc", "mark")
                .again("action", "dev", "ingress", "egress", "match", "index", "set", "add", "munge", "chain")
                .val(DEVICES, "dev", "indev").val(fixed("ffff:fff2", "ffff:fff3"), "parent")
                .val(fixed("all", "ip", "ipv6", "802.1Q", "802.1ad", "arp"), "protocol", "vlan_ethtype")
                .val(fixed("tcp", "udp", "sctp", "icmp", "icmpv6"), "ip_proto")
                .val(actionKinds, "action")
                .val(NONE, "block", "chain", "prio", "handle", "dst_mac", "src_mac", "vlan_id", "vlan_prio", "src_ip",
                        "dst_ip", "src_port", "dst_port", "tcp_flags", "ip_tos", "ip_ttl", "type", "code", "ht", "link",
                        "divisor", "classid", "index", "id", "priority", "rate", "burst", "mtu", "conform-exceed",
                        "pkts_rate", "pkts_burst", "group", "trunc", "mark");
        Node filterId = node().kw("dev", "ingress", "egress", "parent", "block", "chain", "protocol", "prio", "handle",
                        "flower", "u32", "matchall")
                .val(DEVICES, "dev").val(fixed("ffff:fff2", "ffff:fff3"), "parent")
                .val(fixed("all", "ip", "ipv6", "802.1Q", "802.1ad", "arp"), "protocol")
                .val(NONE, "block", "chain", "prio", "handle");
        Node filter = node()
                .sub("add", filterChange)
                .sub("change", filterChange)
                .sub("replace", filterChange)
                .sub("del", filterId, "delete")
                .sub("get", filterId)
                .sub("show", node().kw("dev", "ingress", "egress", "block", "chain", "prio").val(DEVICES, "dev")
                        .val(NONE, "block", "chain", "prio"), "list", "lst")
                .sub("help", node());
        Node chainWhere = node().kw("dev", "ingress", "egress", "block", "chain").val(DEVICES, "dev")
                .val(NONE, "block", "chain");
        Node chain = node()
                .sub("add", chainWhere)
                .sub("del", chainWhere, "delete")
                .sub("show", chainWhere, "list", "lst")
                .sub("help", node());
        Node actionsChange = node().kw("action", "index").again("action", "index").val(actionKinds, "action")
                .val(NONE, "index");
        Function<Names, List<String>> kinds = fixed("gact", "mirred", "vlan", "pedit", "csum", "skbedit", "police", "sample");
        Node actionsKind = node().kw("action", "index").again("action", "index").val(kinds, "action").val(NONE, "index");
        Node actions = node()
                .sub("add", actionsChange)
                .sub("change", actionsChange)
                .sub("replace", actionsChange)
                .sub("del", actionsKind, "delete")
                .sub("get", actionsKind)
                .sub("show", node().kw("action").val(kinds, "action"), "list", "lst")
                .sub("flush", node().kw("action").val(kinds, "action"))
                .sub("help", node());
        return node()
                .opts("-s", "-d", "-j", "-p", "-b", "-force")
                .val(NONE, "-b", "-batch")
                .sub("qdisc", qdisc)
                .sub("filter", filter)
                .sub("chain", chain)
                .sub("actions", actions, "action")
                .sub("help", node());
    }

    private static Node bench() {
        return node()
                .kw("pps", "count", "size", "flows", "workers", "seconds", "esp", "encrypt", "decrypt", "tc", "help")
                .val(NONE, "pps", "count", "size", "flows", "workers", "seconds", "tc")
                .val(fixed("aes-128-gcm", "aes-256-gcm", "chacha20-poly1305", "aes-128-cbc-hmac-sha256"), "esp");
    }

    private static Node dataplane() {
        return node()
                .opts("-j", "-p")
                .sub("show", node())
                .sub("set", node().kw("workers").val(NONE, "workers"))
                .sub("clear", node().kw("counters"))
                .sub("help", node());
    }

    private static Node feature() {
        Function<Names, List<String>> all = n -> {
            List<String> names = new ArrayList<>(n.features(true));
            names.addAll(n.features(false));
            return names;
        };
        return node()
                .opts("-j", "-p")
                .sub("list", node(), "show")
                .sub("info", node().pos(all))
                .sub("install", node().pos(n -> n.features(false)))
                .sub("uninstall", node().pos(n -> n.features(true)))
                .sub("help", node());
    }

    private static Node log() {
        Function<Names, List<String>> levels = fixed("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF", "ALL", "default");
        Function<Names, List<String>> loggerOrLevel = fixed("root", "io.netfence", "TRACE", "DEBUG", "INFO", "WARN",
                "ERROR", "OFF", "ALL", "default");
        Function<Names, List<String>> handlerOrLevel = fixed("console", "file", "TRACE", "DEBUG", "INFO", "WARN",
                "ERROR", "OFF", "ALL");
        return node()
                .sub("level", node().pos(loggerOrLevel).pos(levels))
                .sub("handler", node().pos(handlerOrLevel).pos(levels))
                .sub("show", node(), "list")
                .sub("help", node());
    }

    private static Node crypto() {
        return node()
                .opts("-j", "-p")
                .sub("show", node(), "list")
                .sub("engine", node().pos(fixed("aes-gcm", "chacha20-poly1305", "aes-cbc"))
                        .pos(fixed("openssl", "jce", "bc", "auto")))
                .sub("help", node());
    }

    private static Node psample() {
        return node()
                .opts("-j", "-p", "-v", "-k", "-l", "-g", "-w")
                .val(NONE, "-g", "-w")
                .sub("help", node());
    }
}
