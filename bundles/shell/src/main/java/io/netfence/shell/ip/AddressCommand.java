package io.netfence.shell.ip;

import io.netfence.net.api.AddressInfo;
import io.netfence.net.api.LinkInfo;
import io.netfence.net.api.NetService;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.shell.text.JsonWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** {@code ip address add | delete | flush | show | help}. */
final class AddressCommand {
    private static final List<String> COMMANDS = List.of("add", "delete", "show", "list", "lst", "flush", "help");
    private static final List<String> ADD_WORDS = List.of("dev", "local");
    private static final List<String> SHOW_WORDS = List.of("dev", "up");

    private final NetService net;

    AddressCommand(NetService net) {
        this.net = net;
    }

    String run(IpOptions options, Args args) {
        if (!args.hasNext()) {
            return show(options, args);
        }
        String word = args.next();
        String command = Args.match(word, COMMANDS);
        if (command == null) {
            throw new CommandException("Error: command \"" + word + "\" is unknown: expected one of add, delete, flush, show, help");
        }
        return switch (command) {
            case "add" -> change(options, args, true);
            case "delete" -> change(options, args, false);
            case "flush" -> flush(options, args);
            case "help" -> IpHelp.ADDRESS;
            default -> show(options, args);
        };
    }

    private String change(IpOptions options, Args args, boolean add) {
        String verb = add ? "add" : "delete";
        String prefixWord = null;
        String dev = null;
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
                case "local" -> {
                    String value = args.value(word, "PREFIX");
                    if (prefixWord != null) {
                        throw CommandException.duplicate(word);
                    }
                    prefixWord = value;
                }
                default -> {
                    if (prefixWord != null) {
                        throw CommandException.notOneOf(word, ADD_WORDS);
                    }
                    prefixWord = word;
                }
            }
        }
        String usage = "ip address " + verb + " PREFIX dev DEV";
        if (prefixWord == null) {
            throw CommandException.required("PREFIX", usage);
        }
        IpPrefix prefix = IpWords.prefix(prefixWord, options.family());
        if (dev == null) {
            throw CommandException.required("dev", usage);
        }
        String device = NetCalls.device(net, dev).name();
        if (add) {
            NetCalls.run(() -> net.addAddress(device, prefix));
        } else {
            IpPrefix assigned = assigned(device, prefix, prefixWord.indexOf('/') >= 0);
            NetCalls.run(() -> net.deleteAddress(device, assigned));
        }
        return null;
    }

    /**
     * The assigned prefix a delete names. As on Linux, an address given without a length deletes
     * that address whatever its length.
     */
    private IpPrefix assigned(String device, IpPrefix prefix, boolean lengthGiven) {
        for (AddressInfo a : NetCalls.get(net::addresses)) {
            if (a.linkName().equals(device) && a.prefix().address().equals(prefix.address())
                    && (!lengthGiven || a.prefix().length() == prefix.length())) {
                return a.prefix();
            }
        }
        throw new CommandException("Error: address " + (lengthGiven ? prefix : prefix.address())
                + " is not assigned to " + device + ": expected one of its addresses (see ip address show dev " + device + ")");
    }

    private String flush(IpOptions options, Args args) {
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
                throw CommandException.badArgument(word, "expected ip address flush dev DEV");
            }
        }
        if (dev == null) {
            throw CommandException.required("dev", "ip address flush dev DEV");
        }
        String device = NetCalls.device(net, dev).name();
        NetCalls.run(() -> net.flushAddresses(device, options.family()));
        return null;
    }

    private String show(IpOptions options, Args args) {
        String dev = null;
        boolean upOnly = false;
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
                case "help" -> {
                    return IpHelp.ADDRESS;
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
        List<AddressInfo> addresses = new ArrayList<>(NetCalls.get(net::addresses));
        addresses.removeIf(a -> options.family() != 0 && a.prefix().version() != options.family());
        // inet before inet6, as Linux lists them; the service's order within a family is kept
        addresses.sort(Comparator.comparingInt(a -> a.prefix().version()));
        List<LinkAddresses> shown = new ArrayList<>();
        for (LinkInfo link : links) {
            if (upOnly && !link.adminUp()) {
                continue;
            }
            List<AddressInfo> own = addresses.stream().filter(a -> a.linkIndex() == link.index()).toList();
            // with -4/-6, Linux lists only the links that have an address of that family
            if (options.family() != 0 && own.isEmpty()) {
                continue;
            }
            shown.add(new LinkAddresses(link, own));
        }
        return options.json() ? json(shown, options) : text(shown, options);
    }

    private record LinkAddresses(LinkInfo link, List<AddressInfo> addresses) {
    }

    /** {@code     inet 10.0.0.1/24 scope global eth0} / {@code     inet6 2001:db8::1/64 scope global}. */
    static String addressLine(AddressInfo a) {
        boolean v4 = a.prefix().version() == 4;
        return "    " + (v4 ? "inet " : "inet6 ") + a.prefix() + " scope " + a.scope() + (v4 ? " " + a.linkName() : "");
    }

    private static String text(List<LinkAddresses> shown, IpOptions options) {
        List<String> records = new ArrayList<>();
        for (LinkAddresses la : shown) {
            LinkInfo link = la.link();
            if (options.oneline()) {
                // one line per address, as ip -o address prints them
                for (AddressInfo a : la.addresses()) {
                    records.add(link.index() + ": " + link.name() + addressLine(a));
                }
                continue;
            }
            List<String> lines = new ArrayList<>();
            lines.add(LinkFormat.header(link, false));
            if (options.family() == 0) {
                lines.add(LinkFormat.linkLine(link));
            }
            if (options.details()) {
                lines.add(LinkFormat.detailsLine(link));
            }
            if (options.stats() > 0) {
                lines.addAll(LinkFormat.statsLines(link.stats(), options.stats()));
            }
            for (AddressInfo a : la.addresses()) {
                lines.add(addressLine(a));
            }
            records.add(String.join("\n", lines));
        }
        return records.isEmpty() ? null : String.join("\n", records);
    }

    private static String json(List<LinkAddresses> shown, IpOptions options) {
        JsonWriter json = new JsonWriter(options.pretty()).beginArray();
        for (LinkAddresses la : shown) {
            json.beginObject();
            LinkFormat.jsonFields(json, la.link(), options, false);
            json.name("addr_info").beginArray();
            for (AddressInfo a : la.addresses()) {
                IpAddress local = a.prefix().address();
                json.beginObject()
                        .member("family", IpOptions.familyName(local.version()))
                        .member("local", local.toString())
                        .member("prefixlen", a.prefix().length())
                        .member("scope", a.scope());
                if (local.version() == 4) {
                    json.member("label", a.linkName());
                }
                json.endObject();
            }
            json.endArray().endObject();
        }
        return json.endArray().toString();
    }
}
