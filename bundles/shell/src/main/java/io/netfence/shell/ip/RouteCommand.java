package io.netfence.shell.ip;

import io.netfence.net.api.NetService;
import io.netfence.net.api.Route;
import io.netfence.net.api.RouteLookup;
import io.netfence.net.api.RouteType;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.shell.text.JsonWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ip route add | change | replace | delete | show | get | flush | help}. As on Linux, routes
 * of type local (made from the appliance's addresses) belong to table local and are listed only
 * with {@code table local} or {@code table all}; the other routes are table main.
 */
final class RouteCommand {
    /** In iproute2's order of trial: "c" is change, "r" replace, "d" delete, "s"/"l" show. */
    private static final List<String> COMMANDS = List.of("add", "change", "chg", "replace", "delete", "list", "show", "lst",
            "get", "flush", "help");
    private static final List<String> TYPES = List.of("unicast", "local", "blackhole", "unreachable", "prohibit");
    private static final List<String> SPEC_WORDS = List.of("via", "dev", "metric", "src", "table", "proto");
    private static final List<String> SHOW_WORDS = List.of("table", "dev", "type", "proto", "root", "match", "exact");
    private static final String SPEC_USAGE = "ip route { add | change | replace | delete } [TYPE] PREFIX [via [inet|inet6] ADDRESS]"
            + " [dev DEV] [metric NUMBER] [src ADDRESS]";

    private final NetService net;

    RouteCommand(NetService net) {
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
                    + "\" is unknown: expected one of add, change, replace, delete, show, get, flush, help");
        }
        return switch (command) {
            case "add" -> {
                Route route = spec(options, args, false).route();
                NetCalls.run(() -> net.addRoute(route));
                yield null;
            }
            case "replace" -> {
                Route route = spec(options, args, false).route();
                NetCalls.run(() -> net.replaceRoute(route));
                yield null;
            }
            case "change", "chg" -> change(options, args);
            case "delete" -> delete(options, args);
            case "get" -> get(options, args);
            case "flush" -> flush(options, args);
            case "help" -> IpHelp.ROUTE;
            default -> show(options, args);
        };
    }

    /** A parsed route request; {@code metricGiven} and the selectors matter to delete. */
    private record Spec(Route route, boolean typeGiven, boolean metricGiven, boolean tableLocal) {
    }

    private Spec spec(IpOptions options, Args args, boolean forDelete) {
        String typeWord = null;
        String prefixWord = null;
        String gatewayWord = null;
        int gatewayFamily = 0;
        String dev = null;
        Integer metric = null;
        String srcWord = null;
        String table = null;
        while (args.hasNext()) {
            String word = args.next();
            switch (word) {
                case "via" -> {
                    if (gatewayWord != null) {
                        throw CommandException.duplicate(word);
                    }
                    String value = args.value(word, "[inet|inet6] ADDRESS");
                    if (value.equals("inet") || value.equals("inet6")) {
                        gatewayFamily = value.equals("inet") ? 4 : 6;
                        value = args.value(word + " " + value, "ADDRESS");
                    }
                    gatewayWord = value;
                }
                case "dev", "oif" -> {
                    String value = args.value(word, "DEV");
                    if (dev != null) {
                        throw CommandException.duplicate(word);
                    }
                    dev = value;
                }
                case "metric", "preference", "priority" -> {
                    if (metric != null) {
                        throw CommandException.duplicate(word);
                    }
                    metric = args.intValue(word, 0, Integer.MAX_VALUE);
                }
                case "src" -> {
                    String value = args.value(word, "ADDRESS");
                    if (srcWord != null) {
                        throw CommandException.duplicate(word);
                    }
                    srcWord = value;
                }
                case "table" -> {
                    String value = args.value(word, "main");
                    if (table != null) {
                        throw CommandException.duplicate(word);
                    }
                    table = tableName(value);
                }
                case "proto" -> {
                    String value = args.value(word, "static");
                    if (!value.equals("static") && !value.equals("boot")) {
                        throw CommandException.badArgument(value, "expected static or boot (routes made by operators)");
                    }
                }
                case "to" -> {
                    String value = args.value(word, "PREFIX");
                    if (prefixWord != null) {
                        throw CommandException.duplicate(word);
                    }
                    prefixWord = value;
                }
                default -> {
                    if (typeWord == null && prefixWord == null && TYPES.contains(word)) {
                        typeWord = word;
                    } else if (prefixWord == null) {
                        prefixWord = word;
                    } else {
                        throw CommandException.notOneOf(word, SPEC_WORDS);
                    }
                }
            }
        }
        if (prefixWord == null) {
            throw CommandException.required("PREFIX", SPEC_USAGE);
        }
        RouteType type = typeWord == null ? RouteType.UNICAST : RouteType.valueOf(typeWord.toUpperCase(Locale.ROOT));
        if ("local".equals(table) && type != RouteType.LOCAL) {
            throw CommandException.badArgument("local", "table local holds only routes of type local; expected table main");
        }
        if ("all".equals(table)) {
            throw CommandException.badArgument("all", "a route lives in one table: expected main or local");
        }
        // The family comes from -4/-6, else from the gateway or source, which also decides what "default" means.
        IpAddress gateway = gatewayWord == null ? null : IpWords.address(gatewayWord, options.family());
        if (gateway != null && gatewayFamily != 0 && gateway.version() != gatewayFamily) {
            String name = IpOptions.familyName(gatewayFamily);
            throw CommandException.badArgument(gatewayWord, "\"via " + name + "\" expects an " + name + " address");
        }
        IpAddress src = srcWord == null ? null : IpWords.address(srcWord, options.family());
        int family = options.family() != 0 ? options.family() : gateway != null ? gateway.version() : src != null ? src.version() : 0;
        IpPrefix prefix = IpWords.prefix(prefixWord, options.family(), family);
        if (gateway != null && gateway.version() != prefix.version()) {
            throw CommandException.badArgument(gatewayWord, "the gateway must be an " + IpOptions.familyName(prefix.version())
                    + " address like the prefix " + prefixWord);
        }
        if (src != null && src.version() != prefix.version()) {
            throw CommandException.badArgument(srcWord, "the source must be an " + IpOptions.familyName(prefix.version())
                    + " address like the prefix " + prefixWord);
        }
        if (gateway != null && type != RouteType.UNICAST) {
            throw CommandException.badArgument("via", "a " + type.label() + " route has no gateway");
        }
        if (!forDelete) {
            if (type == RouteType.UNICAST && gateway == null && dev == null) {
                throw CommandException.required("dev", "via ADDRESS or dev DEV for a unicast route: " + SPEC_USAGE);
            }
            if (type == RouteType.LOCAL && dev == null) {
                throw CommandException.required("dev", "dev DEV for a local route: " + SPEC_USAGE);
            }
        }
        String device = dev == null ? null : NetCalls.device(net, dev).name();
        Route route = new Route(type, prefix, gateway, device, metric == null ? 0 : metric, src, "static");
        return new Spec(route, typeWord != null, metric != null, "local".equals(table));
    }

    /** main, local, all (or their numbers 254, 255, 0); anything else is refused. */
    private static String tableName(String word) {
        return switch (word) {
            case "main", "254" -> "main";
            case "local", "255" -> "local";
            case "all", "0" -> "all";
            default -> throw CommandException.badArgument(word, "expected one of main, local, all (the appliance has no other tables)");
        };
    }

    /** Linux's change: modify a route that exists (same prefix and metric), refuse otherwise. */
    private String change(IpOptions options, Args args) {
        Route route = spec(options, args, false).route();
        boolean exists = false;
        for (Route r : NetCalls.get(() -> net.routes(route.prefix().version()))) {
            exists |= r.prefix().equals(route.prefix()) && r.metric() == route.metric() && r.type() != RouteType.LOCAL;
        }
        if (!exists) {
            throw new CommandException("Error: no route " + dst(route.prefix()) + " metric " + route.metric()
                    + " to change: expected an existing route (ip route add or ip route replace create one)");
        }
        NetCalls.run(() -> net.replaceRoute(route));
        return null;
    }

    /**
     * Deletes the first route (lowest metric) matching every selector given, as Linux does: the
     * prefix, and when given the type, gateway, device, metric and table.
     */
    private String delete(IpOptions options, Args args) {
        Spec spec = spec(options, args, true);
        Route want = spec.route();
        boolean local = spec.tableLocal() || want.type() == RouteType.LOCAL;
        Route found = null;
        for (Route r : NetCalls.get(() -> net.routes(want.prefix().version()))) {
            boolean match = r.prefix().equals(want.prefix())
                    && (r.type() == RouteType.LOCAL) == local
                    && (!spec.typeGiven() || r.type() == want.type())
                    && (want.gateway() == null || want.gateway().equals(r.gateway()))
                    && (want.device() == null || want.device().equals(r.device()))
                    && (!spec.metricGiven() || r.metric() == want.metric());
            if (match && (found == null || r.metric() < found.metric())) {
                found = r;
            }
        }
        if (found == null) {
            StringBuilder given = new StringBuilder();
            if (spec.typeGiven()) {
                given.append(want.type().label()).append(' ');
            }
            given.append(dst(want.prefix()));
            if (want.gateway() != null) {
                given.append(" via ").append(want.gateway());
            }
            if (want.device() != null) {
                given.append(" dev ").append(want.device());
            }
            if (spec.metricGiven()) {
                given.append(" metric ").append(want.metric());
            }
            throw new CommandException("Error: no such route: " + given + ": expected one listed by ip route show"
                    + (local ? " table local" : ""));
        }
        Route target = found;
        NetCalls.run(() -> net.deleteRoute(target.prefix(), target.metric()));
        return null;
    }

    private String get(IpOptions options, Args args) {
        String addressWord = null;
        while (args.hasNext()) {
            String word = args.next();
            if (word.equals("to")) {
                word = args.value(word, "ADDRESS");
            }
            if (addressWord != null) {
                throw CommandException.badArgument(word, "expected ip route get ADDRESS");
            }
            addressWord = word;
        }
        if (addressWord == null) {
            throw CommandException.required("ADDRESS", "ip route get ADDRESS");
        }
        IpAddress destination = IpWords.hostAddress(addressWord, options.family());
        RouteLookup lookup = NetCalls.get(() -> net.routeGet(destination));
        if (lookup == null || lookup.route() == null) {
            throw new CommandException("Error: no route to " + destination + ": Network is unreachable (add one with ip route add)");
        }
        Route r = lookup.route();
        if (options.json()) {
            JsonWriter json = new JsonWriter(options.pretty()).beginArray().beginObject();
            if (r.type() != RouteType.UNICAST) {
                json.member("type", r.type().label());
            }
            json.member("dst", destination.toString());
            if (lookup.nextHop() != null && r.gateway() != null) {
                json.member("gateway", lookup.nextHop().toString());
            }
            if (lookup.device() != null) {
                json.member("dev", lookup.device());
            }
            if (lookup.source() != null) {
                json.member("prefsrc", lookup.source().toString());
            }
            return json.endObject().endArray().toString();
        }
        StringBuilder sb = new StringBuilder();
        if (r.type() != RouteType.UNICAST) {
            sb.append(r.type().label()).append(' ');
        }
        sb.append(destination);
        if (lookup.nextHop() != null && r.gateway() != null) {
            sb.append(" via ").append(lookup.nextHop());
        }
        if (lookup.device() != null) {
            sb.append(" dev ").append(lookup.device());
        }
        if (lookup.source() != null) {
            sb.append(" src ").append(lookup.source());
        }
        return sb.toString();
    }

    private String flush(IpOptions options, Args args) {
        while (args.hasNext()) {
            String word = args.next();
            if (word.equals("cache")) {
                // Linux's route cache is gone since 3.6 and "ip route flush cache" is a no-op there too;
                // scripts still say it, so accept it.
                if (args.hasNext()) {
                    throw CommandException.badArgument(args.next(), "expected ip route flush cache");
                }
                return null;
            }
            if (!word.equals("table")) {
                throw CommandException.badArgument(word, "expected ip route flush [table main]");
            }
            String table = tableName(args.value(word, "main"));
            if (table.equals("local")) {
                throw CommandException.badArgument("local", "local routes come from addresses (ip address flush removes them);"
                        + " expected table main");
            }
        }
        // as in iproute2, the family defaults to IPv4; -6 flushes IPv6 routes
        int family = options.family() == 0 ? 4 : options.family();
        NetCalls.run(() -> net.flushRoutes(family));
        return null;
    }

    private String show(IpOptions options, Args args) {
        String table = "main";
        String dev = null;
        RouteType type = null;
        String proto = null;
        String selector = null;
        IpPrefix selectorPrefix = null;
        while (args.hasNext()) {
            String word = args.next();
            switch (word) {
                case "table" -> table = tableName(args.value(word, "main | local | all"));
                case "dev", "oif" -> dev = args.value(word, "DEV");
                case "type" -> {
                    String value = args.value(word, String.join(" | ", TYPES));
                    if (!TYPES.contains(value)) {
                        throw CommandException.notOneOf(value, TYPES);
                    }
                    type = RouteType.valueOf(value.toUpperCase(Locale.ROOT));
                }
                case "proto" -> proto = args.value(word, "kernel | static");
                case "root", "match", "exact" -> {
                    if (selector != null) {
                        throw CommandException.duplicate(word);
                    }
                    selector = word;
                    selectorPrefix = IpWords.prefix(args.value(word, "PREFIX"), options.family());
                }
                case "help" -> {
                    return IpHelp.ROUTE;
                }
                default -> {
                    if (selector != null) {
                        throw CommandException.notOneOf(word, SHOW_WORDS);
                    }
                    selector = "exact";
                    selectorPrefix = IpWords.prefix(word, options.family());
                }
            }
        }
        if (dev != null) {
            dev = NetCalls.device(net, dev).name();
        }
        // iproute2 lists IPv4 unless told otherwise (-6, an IPv6 selector); table all lists both
        int family = options.family() != 0 ? options.family()
                : selectorPrefix != null ? selectorPrefix.version() : table.equals("all") ? 0 : 4;
        List<Route> routes = new ArrayList<>();
        for (Route r : NetCalls.get(() -> net.routes(family))) {
            boolean isLocal = r.type() == RouteType.LOCAL;
            if ((table.equals("main") && isLocal) || (table.equals("local") && !isLocal)
                    || (dev != null && !dev.equals(r.device()))
                    || (type != null && r.type() != type)
                    || (proto != null && !proto.equals(r.protocol()))
                    || (selector != null && !selects(selector, selectorPrefix, r.prefix()))) {
                continue;
            }
            routes.add(r);
        }
        boolean showTable = table.equals("all");
        if (options.json()) {
            JsonWriter json = new JsonWriter(options.pretty()).beginArray();
            for (Route r : routes) {
                json(json, r, dev == null, showTable, options.details());
            }
            return json.endArray().toString();
        }
        List<String> lines = new ArrayList<>(routes.size());
        for (Route r : routes) {
            lines.add(format(r, dev == null, showTable, options.details()));
        }
        return lines.isEmpty() ? null : String.join("\n", lines);
    }

    /** iproute2's selectors: root (the prefix and more specific), match (it and less specific), exact. */
    static boolean selects(String selector, IpPrefix selectorPrefix, IpPrefix p) {
        if (p.version() != selectorPrefix.version()) {
            return false;
        }
        IpPrefix s = selectorPrefix.network();
        return switch (selector) {
            case "root" -> p.length() >= s.length() && s.contains(p.address());
            case "match" -> p.length() <= s.length() && p.contains(s.address());
            default -> p.length() == s.length() && p.address().equals(s.address());
        };
    }

    /** "default", a bare address for a host route (as ip prints it), else the prefix. */
    static String dst(IpPrefix p) {
        if (p.length() == 0) {
            return "default";
        }
        return p.length() == p.address().bitLength() ? p.address().toString() : p.toString();
    }

    /** A connected route reaches its destination directly: scope link; local routes: scope host. */
    static String scope(Route r) {
        if (r.type() == RouteType.LOCAL) {
            return "host";
        }
        return r.type() == RouteType.UNICAST && r.gateway() == null ? "link" : "global";
    }

    /**
     * One route as iproute2 prints it: {@code [TYPE] DST [via GW] [dev DEV] [table local] [proto P]
     * [scope S] [src ADDR] [metric N]}. Operator routes are "static", Netfence's counterpart of
     * Linux's proto boot, which ip only prints with -d.
     */
    static String format(Route r, boolean showDev, boolean showTable, boolean details) {
        StringBuilder sb = new StringBuilder();
        if (r.type() != RouteType.UNICAST) {
            sb.append(r.type().label()).append(' ');
        }
        sb.append(dst(r.prefix()));
        if (r.gateway() != null) {
            sb.append(" via ").append(r.gateway());
        }
        if (showDev && r.device() != null) {
            sb.append(" dev ").append(r.device());
        }
        if (showTable && r.type() == RouteType.LOCAL) {
            sb.append(" table local");
        }
        if (r.protocol() != null && (details || !r.protocol().equals("static"))) {
            sb.append(" proto ").append(r.protocol());
        }
        String scope = scope(r);
        if (!scope.equals("global")) {
            sb.append(" scope ").append(scope);
        }
        if (r.preferredSource() != null) {
            sb.append(" src ").append(r.preferredSource());
        }
        if (r.metric() != 0) {
            sb.append(" metric ").append(r.metric());
        }
        return sb.toString();
    }

    private static void json(JsonWriter json, Route r, boolean showDev, boolean showTable, boolean details) {
        json.beginObject();
        if (r.type() != RouteType.UNICAST) {
            json.member("type", r.type().label());
        }
        json.member("dst", dst(r.prefix()));
        if (r.gateway() != null) {
            json.member("gateway", r.gateway().toString());
        }
        if (showDev && r.device() != null) {
            json.member("dev", r.device());
        }
        if (showTable && r.type() == RouteType.LOCAL) {
            json.member("table", "local");
        }
        if (r.protocol() != null && (details || !r.protocol().equals("static"))) {
            json.member("protocol", r.protocol());
        }
        if (details || !scope(r).equals("global")) {
            json.member("scope", scope(r));
        }
        if (r.preferredSource() != null) {
            json.member("prefsrc", r.preferredSource().toString());
        }
        if (r.metric() != 0) {
            json.member("metric", r.metric());
        }
        json.member("flags", List.of());
        json.endObject();
    }
}
