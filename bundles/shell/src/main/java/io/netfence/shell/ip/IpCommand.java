package io.netfence.shell.ip;

import io.netfence.net.api.NetService;
import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import java.io.BufferedReader;
import java.io.IOException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code ip [OPTIONS] OBJECT [COMMAND [ARGS]]} and {@code ip [-force] -batch FILE}: parses the options,
 * picks the object, and returns the output (no trailing newline) or null when there is none.
 * Every word is checked before the one mutating call a command makes.
 */
public final class IpCommand {
    /** In iproute2's order of trial: "a" is address, "r" route, "n" neighbour, "l" link, "x" xfrm. */
    private static final List<String> OBJECTS = List.of("address", "route", "neighbor", "neighbour", "link", "xfrm", "help");
    /** What "ip xfrm" says when no bundle provides the SAD and SPD. */
    static final String XFRM_NOT_AVAILABLE = "Error: xfrm is not available: no XfrmService is registered;"
            + " expected the feature that provides IPsec to be installed (see feature list)";
    /** Options matched by prefix, in iproute2's order ("-s" is stats, "-d" details, "-f" family). */
    private static final List<String> OPTIONS = List.of("stats", "statistics", "details", "batch", "oneline", "family",
            "json", "pretty", "help");
    private static final String OPTION_FORMS = "-s[tats], -d[etails], -j[son], -p[retty], -o[neline], -4, -6,"
            + " -f[amily] inet|inet6, -b[atch] FILE, -force, -h[elp]";

    private final LinkCommand link;
    private final AddressCommand address;
    private final RouteCommand route;
    private final NeighbourCommand neighbour;
    private final NetService net;
    private final Supplier<?> xfrm;
    private final ZoneId zone;

    /** Without xfrm: "ip xfrm" says it is not available. */
    public IpCommand(NetService net) {
        this(net, () -> null);
    }

    /**
     * @param xfrm supplies the {@code io.netfence.xfrm.api.XfrmService}, or null while none is
     *             registered. Typed loosely so that this class does not link the xfrm API, which
     *             the shell imports optionally: only the xfrm classes do, and only when one exists.
     */
    public IpCommand(NetService net, Supplier<?> xfrm) {
        this(net, xfrm, ZoneId.systemDefault());
    }

    /** With the time zone times are shown in (tests fix it). */
    IpCommand(NetService net, Supplier<?> xfrm, ZoneId zone) {
        this.link = new LinkCommand(net);
        this.address = new AddressCommand(net);
        this.route = new RouteCommand(net);
        this.neighbour = new NeighbourCommand(net);
        this.net = net;
        this.xfrm = xfrm;
        this.zone = zone;
    }

    /** Runs one command; a -batch file is read with {@code batchInput}; what a monitor streams goes to standard output. */
    public String execute(BatchInput batchInput, List<String> words) {
        return execute(batchInput, words, line -> System.out.println(line));
    }

    /**
     * Runs one command. A command that streams until interrupted ({@code ip xfrm monitor}) gives
     * each record to {@code stream}, on the calling thread, and returns null when interrupted.
     */
    public String execute(BatchInput batchInput, List<String> words, Consumer<String> stream) {
        Args args = new Args(words);
        IpOptions options = options(args, IpOptions.DEFAULT, true);
        if (options.batch() != null) {
            if (args.hasNext()) {
                throw CommandException.badArgument(args.next(), "expected nothing after -batch FILE");
            }
            return batch(options, batchInput, stream);
        }
        if (options.force()) {
            throw CommandException.badArgument("-force", "it only applies to -batch FILE");
        }
        return object(options, args, stream);
    }

    /** Parses leading options onto {@code base}; -batch is only allowed at the top level. */
    private static IpOptions options(Args args, IpOptions base, boolean batchAllowed) {
        int stats = base.stats();
        boolean details = base.details();
        boolean json = base.json();
        boolean pretty = base.pretty();
        boolean oneline = base.oneline();
        int family = base.family();
        String batch = null;
        boolean force = false;
        boolean help = false;
        while (args.hasNext() && args.peek().startsWith("-") && args.peek().length() > 1) {
            String word = args.next();
            String option = word.startsWith("--") ? word.substring(2) : word.substring(1);
            if (option.equals("4") || option.equals("6")) {
                family = option.equals("4") ? 4 : 6;
                continue;
            }
            if (option.equals("force")) {
                force = true;
                continue;
            }
            String name = Args.match(option, OPTIONS);
            if (name == null) {
                throw new CommandException("Error: option \"" + word + "\" is unknown: expected one of " + OPTION_FORMS);
            }
            switch (name) {
                case "stats", "statistics" -> stats++;
                case "details" -> details = true;
                case "json" -> json = true;
                case "pretty" -> pretty = true;
                case "oneline" -> oneline = true;
                case "family" -> {
                    String value = args.value(word, "inet | inet6");
                    family = switch (value) {
                        case "inet" -> 4;
                        case "inet6" -> 6;
                        default -> throw CommandException.badArgument(value, "expected inet or inet6");
                    };
                }
                case "batch" -> {
                    if (!batchAllowed) {
                        throw CommandException.badArgument(word, "a batch file cannot start another batch");
                    }
                    batch = args.value(word, "FILE");
                }
                default -> help = true;
            }
        }
        return new IpOptions(stats, details, json, pretty, oneline, family, batch, force, help);
    }

    private String object(IpOptions options, Args args, Consumer<String> stream) {
        if (options.help() || !args.hasNext()) {
            return IpHelp.IP;
        }
        String word = args.next();
        String object = Args.match(word, OBJECTS);
        if (object == null) {
            throw new CommandException("Error: object \"" + word + "\" is unknown: expected one of link, address, route, neigh,"
                    + " xfrm, help");
        }
        return switch (object) {
            case "address" -> address.run(options, args);
            case "route" -> route.run(options, args);
            case "neighbor", "neighbour" -> neighbour.run(options, args);
            case "link" -> link.run(options, args);
            case "xfrm" -> xfrm(options, args, stream);
            default -> IpHelp.IP;
        };
    }

    /** {@code ip xfrm ...}: help works without a service; the rest needs one. */
    private String xfrm(IpOptions options, Args args, Consumer<String> stream) {
        Object service = xfrm.get();
        if (service == null) {
            List<String> rest = args.rest();
            if (rest.isEmpty() || rest.getLast().equals("help")) {
                return IpHelp.xfrm(rest);
            }
            throw new CommandException(XFRM_NOT_AVAILABLE);
        }
        return XfrmCommand.run(service, net, zone, stream, options, args);
    }

    /**
     * Runs each line of the batch file as an ip command (the global options apply, a line may add
     * its own). Without -force the first failing line stops the batch; with -force every line runs
     * and the failures are reported together at the end.
     */
    private String batch(IpOptions options, BatchInput batchInput, Consumer<String> stream) {
        List<String> output = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        IpOptions lineBase = options.forBatchLine();
        try (BufferedReader reader = batchInput.open(options.batch())) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                try {
                    List<String> words = Args.split(line);
                    if (words.isEmpty()) {
                        continue;
                    }
                    if (words.getFirst().equals("ip")) {
                        throw CommandException.badArgument("ip", "batch lines leave out the leading \"ip\"");
                    }
                    Args args = new Args(words);
                    IpOptions lineOptions = options(args, lineBase, false);
                    if (lineOptions.force()) {
                        throw CommandException.badArgument("-force", "it only applies to -batch FILE");
                    }
                    String result = object(lineOptions, args, stream);
                    if (result != null) {
                        output.add(result);
                    }
                } catch (RuntimeException e) {
                    // Not only the refusals: a line that fails otherwise is still reported with its number.
                    String message = e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
                    errors.add("line " + number + ": " + message);
                    if (!options.force()) {
                        break;
                    }
                }
            }
        } catch (IOException e) {
            throw new CommandException("Error: cannot read batch file \"" + options.batch() + "\": " + e.getMessage()
                    + ": expected a readable file of ip commands", e);
        }
        String out = String.join("\n", output);
        if (!errors.isEmpty()) {
            throw new BatchException(String.join("\n", errors), out);
        }
        return out.isEmpty() ? null : out;
    }
}
