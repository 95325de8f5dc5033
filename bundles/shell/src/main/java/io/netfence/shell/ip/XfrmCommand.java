package io.netfence.shell.ip;

import io.netfence.crypto.CryptoException;
import io.netfence.net.api.NetService;
import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.shell.text.JsonWriter;
import io.netfence.xfrm.api.XfrmEvent;
import io.netfence.xfrm.api.XfrmException;
import io.netfence.xfrm.api.XfrmService;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code ip xfrm { state | policy | monitor | help }}, on the SAD and SPD of an {@link XfrmService}.
 * This class and the ones it uses are the only ones that link the xfrm API and the crypto
 * bundle (both optional imports): {@link IpCommand} reaches them only when a service exists.
 */
final class XfrmCommand {
    /** iproute2's order of trial: "s" is state, "p" policy, "m" monitor. */
    private static final List<String> OBJECTS = List.of("state", "sa", "policy", "monitor", "help");
    private static final List<String> MONITOR_WORDS = List.of("acquire", "expire", "SA", "aevent", "policy", "report");

    final XfrmService xfrm;
    final NetService net;
    final ZoneId zone;
    private final Consumer<String> stream;

    private XfrmCommand(XfrmService xfrm, NetService net, ZoneId zone, Consumer<String> stream) {
        this.xfrm = xfrm;
        this.net = net;
        this.zone = zone;
        this.stream = stream;
    }

    /**
     * Runs {@code ip xfrm ...}; {@code service} is the XfrmService (typed loosely so that callers
     * need not link the API), {@code stream} prints what {@code monitor} streams, on the caller's thread.
     */
    static String run(Object service, NetService net, ZoneId zone, Consumer<String> stream, IpOptions options, Args args) {
        return new XfrmCommand((XfrmService) service, net, zone, stream).run(options, args);
    }

    private String run(IpOptions options, Args args) {
        if (!args.hasNext()) {
            return IpHelp.XFRM;
        }
        String word = args.next();
        String object = Args.match(word, OBJECTS);
        if (object == null) {
            throw new CommandException("Error: object \"" + word + "\" is unknown: expected one of state, policy, monitor, help");
        }
        return switch (object) {
            case "state", "sa" -> new XfrmStateCommand(this).run(options, args);
            case "policy" -> new XfrmPolicyCommand(this).run(options, args);
            case "monitor" -> monitor(options, args);
            default -> IpHelp.XFRM;
        };
    }

    /**
     * Calls the service; its refusals (XfrmException, and the CryptoException or
     * IllegalArgumentException of the model's constructors) become the operator's error message.
     */
    static <T> T call(Supplier<T> call) {
        try {
            return call.get();
        } catch (CommandException e) {
            throw e;
        } catch (XfrmException | CryptoException | IllegalArgumentException e) {
            throw CommandException.refused(e);
        }
    }

    static void run(Runnable call) {
        call(() -> {
            call.run();
            return null;
        });
    }

    /**
     * {@code ip xfrm monitor [nokeys] [all | OBJECTS]}: prints the events as they come, until the
     * command's thread is interrupted (Ctrl-C in the console). The service's event thread only
     * queues them; they are printed on the command's thread, whose output is the session's.
     */
    private String monitor(IpOptions options, Args args) {
        Set<XfrmEvent.Kind> kinds = EnumSet.noneOf(XfrmEvent.Kind.class);
        boolean objects = false;
        boolean nokeys = false;
        while (args.hasNext()) {
            String word = args.next();
            if (word.equals("nokeys")) {
                nokeys = true;
                continue;
            }
            if (word.equals("all")) {
                continue;
            }
            if (word.equals("help")) {
                return IpHelp.XFRM_MONITOR;
            }
            if (Args.match(word, List.of("file", "all-nsid")) != null) {
                throw CommandException.badArgument(word, "reading a netlink dump and other namespaces are not supported by"
                        + " Netfence: expected ip xfrm monitor [nokeys] [all | OBJECTS]");
            }
            String object = Args.match(word, MONITOR_WORDS);
            if (object == null) {
                throw CommandException.notOneOf(word, List.of("all", "acquire", "expire", "SA", "policy", "aevent", "report",
                        "nokeys"));
            }
            objects = true;
            kinds.addAll(switch (object) {
                case "acquire" -> EnumSet.of(XfrmEvent.Kind.ACQUIRE);
                case "expire" -> EnumSet.of(XfrmEvent.Kind.EXPIRE_SOFT, XfrmEvent.Kind.EXPIRE_HARD,
                        XfrmEvent.Kind.POLICY_EXPIRE_SOFT, XfrmEvent.Kind.POLICY_EXPIRE_HARD);
                case "SA" -> EnumSet.of(XfrmEvent.Kind.STATE_ADD, XfrmEvent.Kind.STATE_UPDATE, XfrmEvent.Kind.STATE_DELETE,
                        XfrmEvent.Kind.STATE_FLUSH);
                case "policy" -> EnumSet.of(XfrmEvent.Kind.POLICY_ADD, XfrmEvent.Kind.POLICY_UPDATE,
                        XfrmEvent.Kind.POLICY_DELETE, XfrmEvent.Kind.POLICY_FLUSH);
                // Netfence sends no asynchronous (replay) events and no reports: these listen to nothing
                default -> EnumSet.noneOf(XfrmEvent.Kind.class);
            });
        }
        boolean all = !objects;
        XfrmFormat format = new XfrmFormat(options, nokeys, zone);
        BlockingQueue<XfrmEvent> queue = new LinkedBlockingQueue<>();
        AutoCloseable handle = call(() -> xfrm.monitor(queue::add));
        try {
            while (true) {
                XfrmEvent event = queue.take();
                if (!all && !kinds.contains(event.kind())) {
                    continue;
                }
                if (options.json()) {
                    JsonWriter json = new JsonWriter(options.pretty());
                    format.event(json, event);
                    stream.accept(json.toString());
                } else {
                    stream.accept(format.record(format.event(event)));
                }
            }
        } catch (InterruptedException e) {
            // Ctrl-C: the normal end of a monitor
            Thread.currentThread().interrupt();
            return null;
        } finally {
            try {
                handle.close();
            } catch (Exception e) {
                // the listener is gone either way; nothing the operator could act on
            }
        }
    }
}
