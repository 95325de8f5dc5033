package io.netfence.shell.ip;

import io.netfence.net.api.NeighbourInfo;
import io.netfence.net.api.NeighbourState;
import io.netfence.net.api.NetService;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.MacAddress;
import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.shell.text.JsonWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code ip neigh add | change | replace | delete | show | flush | help}. Entries added by the operator
 * are static (nud permanent); the dataplane learns the others.
 */
final class NeighbourCommand {
    private static final List<String> COMMANDS = List.of("add", "change", "chg", "replace", "delete", "show", "list", "lst",
            "flush", "help");
    private static final List<String> ADD_WORDS = List.of("lladdr", "dev", "nud");
    private static final List<String> SHOW_WORDS = List.of("dev", "nud", "to");
    private static final List<String> STATES = Arrays.stream(NeighbourState.values())
            .map(s -> s.name().toLowerCase(Locale.ROOT)).toList();

    private final NetService net;

    NeighbourCommand(NetService net) {
        this.net = net;
    }

    String run(IpOptions options, Args args) {
        if (!args.hasNext()) {
            return show(options, args);
        }
        String word = args.next();
        String command = Args.match(word, COMMANDS);
        if (command == null) {
            throw new CommandException("Error: command \"" + word
                    + "\" is unknown: expected one of add, change, replace, delete, show, flush, help");
        }
        return switch (command) {
            case "add", "change", "chg", "replace" -> add(options, args, command.equals("chg") ? "change" : command);
            case "delete" -> delete(options, args);
            case "flush" -> flush(args);
            case "help" -> IpHelp.NEIGH;
            default -> show(options, args);
        };
    }

    private String add(IpOptions options, Args args, String verb) {
        String addressWord = null;
        String dev = null;
        MacAddress mac = null;
        while (args.hasNext()) {
            String word = args.next();
            switch (word) {
                case "lladdr" -> {
                    if (mac != null) {
                        throw CommandException.duplicate(word);
                    }
                    mac = IpWords.mac(args.value(word, "LLADDR"), word);
                }
                case "dev" -> {
                    String value = args.value(word, "DEV");
                    if (dev != null) {
                        throw CommandException.duplicate(word);
                    }
                    dev = value;
                }
                case "nud" -> {
                    String state = args.value(word, "permanent");
                    if (!state.equals("permanent")) {
                        throw CommandException.badArgument(state, "expected permanent (entries added by hand are static;"
                                + " the dataplane learns the others)");
                    }
                }
                case "to" -> {
                    String value = args.value(word, "ADDRESS");
                    if (addressWord != null) {
                        throw CommandException.duplicate(word);
                    }
                    addressWord = value;
                }
                default -> {
                    if (addressWord != null) {
                        throw CommandException.notOneOf(word, ADD_WORDS);
                    }
                    addressWord = word;
                }
            }
        }
        String usage = "ip neigh " + verb + " ADDRESS lladdr LLADDR dev DEV [nud permanent]";
        if (addressWord == null) {
            throw CommandException.required("ADDRESS", usage);
        }
        IpAddress address = IpWords.hostAddress(addressWord, options.family());
        if (mac == null) {
            throw CommandException.required("lladdr", usage);
        }
        if (dev == null) {
            throw CommandException.required("dev", usage);
        }
        String device = NetCalls.device(net, dev).name();
        boolean exists = find(device, address) != null;
        // Linux semantics: add refuses an existing entry, change needs one, replace does either
        if (verb.equals("add") && exists) {
            throw new CommandException("Error: neighbour " + address + " dev " + device
                    + " exists: expected ip neigh replace to overwrite it");
        }
        if (verb.equals("change") && !exists) {
            throw new CommandException("Error: no neighbour " + address + " dev " + device
                    + " to change: expected ip neigh add or replace");
        }
        MacAddress lladdr = mac;
        NetCalls.run(() -> net.addNeighbour(device, address, lladdr));
        return null;
    }

    private NeighbourInfo find(String device, IpAddress address) {
        for (NeighbourInfo n : NetCalls.get(net::neighbours)) {
            if (n.device().equals(device) && n.address().equals(address)) {
                return n;
            }
        }
        return null;
    }

    private String delete(IpOptions options, Args args) {
        String addressWord = null;
        String dev = null;
        while (args.hasNext()) {
            String word = args.next();
            if (word.equals("dev")) {
                String value = args.value(word, "DEV");
                if (dev != null) {
                    throw CommandException.duplicate(word);
                }
                dev = value;
            } else if (addressWord == null) {
                addressWord = word.equals("to") ? args.value(word, "ADDRESS") : word;
            } else {
                throw CommandException.notOneOf(word, List.of("dev"));
            }
        }
        String usage = "ip neigh delete ADDRESS dev DEV";
        if (addressWord == null) {
            throw CommandException.required("ADDRESS", usage);
        }
        IpAddress address = IpWords.hostAddress(addressWord, options.family());
        if (dev == null) {
            throw CommandException.required("dev", usage);
        }
        String device = NetCalls.device(net, dev).name();
        if (find(device, address) == null) {
            throw new CommandException("Error: no neighbour " + address + " dev " + device
                    + ": expected one listed by ip neigh show dev " + device);
        }
        NetCalls.run(() -> net.deleteNeighbour(device, address));
        return null;
    }

    private String flush(Args args) {
        String dev = null;
        boolean all = false;
        while (args.hasNext()) {
            String word = args.next();
            if (word.equals("all") && dev == null && !all) {
                all = true;
            } else if (word.equals("dev") && dev == null && !all) {
                dev = args.value(word, "DEV");
            } else if (dev == null && !all) {
                dev = word;
            } else {
                throw CommandException.badArgument(word, "expected ip neigh flush { dev DEV | all }");
            }
        }
        if (dev == null && !all) {
            throw CommandException.required("dev", "ip neigh flush { dev DEV | all }");
        }
        String device = dev == null ? null : NetCalls.device(net, dev).name();
        NetCalls.run(() -> net.flushNeighbours(device));
        return null;
    }

    private String show(IpOptions options, Args args) {
        String dev = null;
        NeighbourState state = null;
        IpPrefix to = null;
        while (args.hasNext()) {
            String word = args.next();
            switch (word) {
                case "dev" -> dev = args.value(word, "DEV");
                case "nud" -> {
                    String value = args.value(word, String.join(" | ", STATES));
                    if (!value.equals("all")) {
                        if (!STATES.contains(value)) {
                            throw CommandException.notOneOf(value, STATES);
                        }
                        state = NeighbourState.valueOf(value.toUpperCase(Locale.ROOT));
                    }
                }
                case "help" -> {
                    return IpHelp.NEIGH;
                }
                default -> {
                    String value = word.equals("to") ? args.value(word, "PREFIX") : word;
                    if (to != null) {
                        throw CommandException.notOneOf(word, SHOW_WORDS);
                    }
                    to = IpWords.prefix(value, options.family());
                }
            }
        }
        if (dev != null) {
            dev = NetCalls.device(net, dev).name();
        }
        List<NeighbourInfo> shown = new ArrayList<>();
        for (NeighbourInfo n : NetCalls.get(net::neighbours)) {
            if ((options.family() != 0 && n.address().version() != options.family())
                    || (dev != null && !dev.equals(n.device()))
                    || (state != null && n.state() != state)
                    || (to != null && !to.contains(n.address()))) {
                continue;
            }
            shown.add(n);
        }
        boolean showDev = dev == null;
        if (options.json()) {
            JsonWriter json = new JsonWriter(options.pretty()).beginArray();
            for (NeighbourInfo n : shown) {
                json.beginObject().member("dst", n.address().toString());
                if (showDev) {
                    json.member("dev", n.device());
                }
                if (n.mac() != null) {
                    json.member("lladdr", n.mac().toString());
                }
                json.member("state", List.of(n.state().label())).endObject();
            }
            return json.endArray().toString();
        }
        List<String> lines = new ArrayList<>(shown.size());
        for (NeighbourInfo n : shown) {
            lines.add(format(n, showDev));
        }
        return lines.isEmpty() ? null : String.join("\n", lines);
    }

    /** {@code 10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE}; no lladdr while unresolved. */
    static String format(NeighbourInfo n, boolean showDev) {
        StringBuilder sb = new StringBuilder().append(n.address());
        if (showDev) {
            sb.append(" dev ").append(n.device());
        }
        if (n.mac() != null) {
            sb.append(" lladdr ").append(n.mac());
        }
        return sb.append(' ').append(n.state().label()).toString();
    }
}
