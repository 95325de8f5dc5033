package io.netfence.shell.dataplane;

import io.netfence.net.api.NetException;
import io.netfence.net.api.NetService;
import io.netfence.net.api.WorkerInfo;
import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.shell.text.JsonWriter;
import io.netfence.shell.text.OutputOptions;
import io.netfence.shell.text.Table;
import java.util.List;

/**
 * {@code dataplane [-j] [-p] { show | set workers N | clear counters | help }}: the worker
 * threads, which RX queues each one polls, what they did; and the two knobs operators need.
 */
public final class DataplaneCommand {
    private static final List<String> COMMANDS = List.of("show", "set", "clear", "help");

    static final String HELP = """
            Usage: dataplane [ -j[son] [ -p[retty] ] ] [ show ]
                   dataplane set workers COUNT
                   dataplane clear counters
                   dataplane help
            where  COUNT := 1-64

            The forwarding dataplane runs on worker threads (by default one per core). Each RX queue of
            every link that is up belongs to exactly one worker, which polls it and runs each batch to
            completion; queues are spread over the workers in turn.

            Commands:
              show            the workers: the queues each one polls (LINK/QUEUE), batches and packets it
                              processed, and polls that found nothing (the default command)
              set workers     change the number of workers while traffic flows; queues are handed over
                              without being polled twice or lost. Saved with the configuration.
              clear counters  set every link, drop and worker counter back to zero

            Examples:
              dataplane
              dataplane set workers 2
              dataplane -j show""";

    private final NetService net;

    public DataplaneCommand(NetService net) {
        this.net = net;
    }

    public String execute(String... words) {
        Args args = new Args(List.of(words));
        OutputOptions options = OutputOptions.parse(args);
        if (options.help()) {
            return HELP;
        }
        String command = "show";
        if (args.hasNext()) {
            String word = args.next();
            command = Args.match(word, COMMANDS);
            if (command == null) {
                throw CommandException.notOneOf(word, COMMANDS);
            }
        }
        return switch (command) {
            case "help" -> HELP;
            case "set" -> {
                String what = args.value("set", "workers COUNT");
                if (!"workers".equals(Args.match(what, List.of("workers")))) {
                    throw CommandException.badArgument(what, "expected dataplane set workers COUNT");
                }
                int count = args.intValue("workers", 1, 64);
                end(args, "dataplane set workers COUNT");
                call(() -> net.setWorkerCount(count));
                yield "";
            }
            case "clear" -> {
                String what = args.value("clear", "counters");
                if (!"counters".equals(Args.match(what, List.of("counters")))) {
                    throw CommandException.badArgument(what, "expected dataplane clear counters");
                }
                end(args, "dataplane clear counters");
                call(net::clearCounters);
                yield "";
            }
            default -> {
                end(args, "dataplane [ show ]");
                yield show(options);
            }
        };
    }

    private static void end(Args args, String usage) {
        if (args.hasNext()) {
            throw CommandException.badArgument(args.next(), "expected " + usage);
        }
    }

    private static void call(Runnable r) {
        try {
            r.run();
        } catch (NetException e) {
            throw CommandException.refused(e);
        }
    }

    private String show(OutputOptions options) {
        List<WorkerInfo> workers = net.workers();
        if (options.json()) {
            JsonWriter w = new JsonWriter(options.pretty()).beginObject().member("workers", workers.size())
                    .name("worker").beginArray();
            for (WorkerInfo wi : workers) {
                w.beginObject().member("id", wi.id()).member("queues", wi.queues()).member("batches", wi.batches())
                        .member("packets", wi.packets()).member("idle_polls", wi.idlePolls()).endObject();
            }
            return w.endArray().endObject().toString();
        }
        Table t = Table.withHeader("WORKER", "BATCHES", "PACKETS", "PKTS/BATCH", "IDLE_POLLS", "QUEUES").alignRight(0, 1, 2, 3, 4);
        for (WorkerInfo wi : workers) {
            String perBatch = wi.batches() == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f", (double) wi.packets() / wi.batches());
            t.row(wi.id(), wi.batches(), wi.packets(), perBatch, wi.idlePolls(),
                    wi.queues().isEmpty() ? "-" : String.join(" ", wi.queues()));
        }
        return workers.size() + (workers.size() == 1 ? " worker" : " workers") + "\n" + t.render();
    }
}
