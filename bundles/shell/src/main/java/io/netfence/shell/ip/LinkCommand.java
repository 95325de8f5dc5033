package io.netfence.shell.ip;

import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkInfo;
import io.netfence.net.api.LinkSpec;
import io.netfence.net.api.NetService;
import io.netfence.packet.MacAddress;
import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.shell.text.JsonWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/** {@code ip link add | delete | set | show | help}. */
final class LinkCommand {
    /** In iproute2's order of trial, so "s" is set and "d" is delete. */
    private static final List<String> COMMANDS = List.of("add", "set", "change", "delete", "show", "list", "lst", "help");
    private static final List<String> ADD_WORDS = List.of("name", "mtu", "address", "numrxqueues", "type");
    private static final List<String> SET_WORDS = List.of("up", "down", "mtu", "address");
    private static final List<String> SHOW_WORDS = List.of("dev", "up", "type");
    static final int MIN_MTU = 68;
    static final int MAX_MTU = 65535;
    static final int MAX_RX_QUEUES = 1024;

    private final NetService net;

    LinkCommand(NetService net) {
        this.net = net;
    }

    String run(IpOptions options, Args args) {
        if (!args.hasNext()) {
            return show(options, args);
        }
        String word = args.next();
        String command = Args.match(word, COMMANDS);
        if (command == null) {
            throw new CommandException("Error: command \"" + word + "\" is unknown: expected one of add, delete, set, show, help");
        }
        return switch (command) {
            case "add" -> add(args);
            case "set", "change" -> set(args);
            case "delete" -> delete(args);
            case "help" -> help(args);
            default -> show(options, args);
        };
    }

    private String help(Args args) {
        if (!args.hasNext()) {
            return IpHelp.LINK;
        }
        String type = args.next();
        if (args.hasNext()) {
            throw CommandException.badArgument(args.next(), "expected ip link help [TYPE]");
        }
        return typeUsage(type);
    }

    private String typeUsage(String type) {
        checkType(type);
        String usage = NetCalls.get(() -> net.linkTypeUsage(type)).strip();
        return usage.isEmpty()
                ? "Usage: ip link add NAME type " + type + "\nThe " + type + " link type takes no arguments."
                : "Usage: ip link add NAME type " + type + " " + usage;
    }

    private void checkType(String type) {
        TreeSet<String> types = new TreeSet<>(NetCalls.get(net::linkTypes));
        if (!types.contains(type)) {
            throw CommandException.badArgument(type, types.isEmpty()
                    ? "unknown link type, and no link driver is present now"
                    : "unknown link type, expected one of " + String.join(", ", types));
        }
    }

    private String add(Args args) {
        String name = null;
        Integer mtu = null;
        MacAddress mac = null;
        int rxQueues = 0;
        String type = null;
        List<String> driverArgs = List.of();
        while (args.hasNext() && type == null) {
            String word = args.next();
            switch (word) {
                case "name", "dev" -> {
                    String value = args.value(word, "NAME");
                    if (name != null) {
                        throw CommandException.duplicate(word);
                    }
                    name = IpWords.deviceName(value);
                }
                case "mtu" -> {
                    if (mtu != null) {
                        throw CommandException.duplicate(word);
                    }
                    mtu = args.intValue(word, MIN_MTU, MAX_MTU);
                }
                case "address" -> {
                    if (mac != null) {
                        throw CommandException.duplicate(word);
                    }
                    mac = IpWords.unicastMac(args.value(word, "LLADDR"), word);
                }
                case "numrxqueues" -> {
                    if (rxQueues != 0) {
                        throw CommandException.duplicate(word);
                    }
                    rxQueues = args.intValue(word, 1, MAX_RX_QUEUES);
                }
                case "type" -> {
                    type = args.value(word, "TYPE (" + String.join(" | ", new TreeSet<>(NetCalls.get(net::linkTypes))) + ")");
                    driverArgs = args.rest();
                }
                case "help" -> {
                    return IpHelp.LINK;
                }
                default -> {
                    if (name != null) {
                        throw CommandException.notOneOf(word, ADD_WORDS);
                    }
                    name = IpWords.deviceName(word);
                }
            }
        }
        if (type == null) {
            throw CommandException.required("type", "ip link add NAME type TYPE [ARGS] (see ip link help)");
        }
        checkType(type);
        if (driverArgs.equals(List.of("help"))) {
            return typeUsage(type);
        }
        if (name == null) {
            throw CommandException.required("name", "ip link add NAME type " + type + " [ARGS]");
        }
        LinkSpec spec = new LinkSpec(name, type, mtu == null ? 0 : mtu, mac, rxQueues, driverArgs);
        NetCalls.run(() -> net.addLink(spec));
        return null;
    }

    private String delete(Args args) {
        String dev = null;
        while (args.hasNext()) {
            String word = args.next();
            if (word.equals("dev")) {
                String value = args.value(word, "DEV");
                if (dev != null) {
                    throw CommandException.duplicate(word);
                }
                dev = value;
            } else if (dev == null) {
                dev = word;
            } else {
                throw CommandException.badArgument(word, "expected ip link delete [dev] DEV");
            }
        }
        if (dev == null) {
            throw CommandException.required("dev", "ip link delete [dev] DEV");
        }
        String name = NetCalls.device(net, dev).name();
        NetCalls.run(() -> net.deleteLink(name));
        return null;
    }

    private String set(Args args) {
        String dev = null;
        Boolean up = null;
        Integer mtu = null;
        MacAddress mac = null;
        while (args.hasNext()) {
            String word = args.next();
            switch (word) {
                case "dev" -> {
                    String value = args.value(word, "DEV");
                    if (dev != null) {
                        throw CommandException.duplicate(word);
                    }
                    dev = value;
                }
                case "up", "down" -> {
                    if (up != null) {
                        throw CommandException.badArgument(word, "give one of up, down, once");
                    }
                    up = word.equals("up");
                }
                case "mtu" -> {
                    if (mtu != null) {
                        throw CommandException.duplicate(word);
                    }
                    mtu = args.intValue(word, MIN_MTU, MAX_MTU);
                }
                case "address" -> {
                    if (mac != null) {
                        throw CommandException.duplicate(word);
                    }
                    mac = IpWords.unicastMac(args.value(word, "LLADDR"), word);
                }
                default -> {
                    if (dev != null) {
                        throw CommandException.notOneOf(word, SET_WORDS);
                    }
                    dev = word;
                }
            }
        }
        if (dev == null) {
            throw CommandException.required("dev", "ip link set [dev] DEV [up|down] [mtu MTU] [address LLADDR]");
        }
        if (up == null && mtu == null && mac == null) {
            throw new CommandException("Error: nothing to change on \"" + dev + "\": expected one of "
                    + String.join(", ", SET_WORDS));
        }
        String name = NetCalls.device(net, dev).name();
        LinkChange change = new LinkChange(up, mtu, mac);
        NetCalls.run(() -> net.setLink(name, change));
        return null;
    }

    private String show(IpOptions options, Args args) {
        String dev = null;
        boolean upOnly = false;
        String type = null;
        while (args.hasNext()) {
            String word = args.next();
            switch (word) {
                case "dev" -> {
                    String value = args.value(word, "DEV");
                    if (dev != null) {
                        throw CommandException.duplicate(word);
                    }
                    dev = value;
                }
                case "up" -> upOnly = true;
                case "type" -> type = args.value(word, "TYPE");
                case "help" -> {
                    return IpHelp.LINK;
                }
                default -> {
                    if (dev != null) {
                        throw CommandException.notOneOf(word, SHOW_WORDS);
                    }
                    dev = word;
                }
            }
        }
        List<LinkInfo> links = new ArrayList<>();
        if (dev != null) {
            links.add(NetCalls.device(net, dev));
        } else {
            links.addAll(NetCalls.get(net::links));
            links.sort(Comparator.comparingInt(LinkInfo::index));
        }
        final String typeFilter = type;
        final boolean onlyUp = upOnly;
        links.removeIf(l -> (onlyUp && !l.adminUp()) || (typeFilter != null && !typeFilter.equals(l.type())));
        return options.json() ? json(links, options) : text(links, options);
    }

    private static String text(List<LinkInfo> links, IpOptions options) {
        if (links.isEmpty()) {
            return null;
        }
        List<String> records = new ArrayList<>(links.size());
        for (LinkInfo link : links) {
            List<String> lines = new ArrayList<>();
            lines.add(LinkFormat.header(link, true));
            lines.add(LinkFormat.linkLine(link));
            if (options.details()) {
                lines.add(LinkFormat.detailsLine(link));
            }
            if (options.stats() > 0) {
                lines.addAll(LinkFormat.statsLines(link.stats(), options.stats()));
            }
            records.add(LinkFormat.record(lines, options));
        }
        return String.join("\n", records);
    }

    private static String json(List<LinkInfo> links, IpOptions options) {
        JsonWriter json = new JsonWriter(options.pretty()).beginArray();
        for (LinkInfo link : links) {
            json.beginObject();
            LinkFormat.jsonFields(json, link, options, true);
            json.endObject();
        }
        return json.endArray().toString();
    }
}
