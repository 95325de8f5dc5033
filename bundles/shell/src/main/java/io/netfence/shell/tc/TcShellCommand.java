package io.netfence.shell.tc;

import io.netfence.shell.ip.BatchException;
import io.netfence.shell.ip.BatchInput;
import io.netfence.shell.text.CommandException;
import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.FilterInfo;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.api.TcException;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.api.TcService;
import io.netfence.tc.api.Action;
import io.netfence.tc.api.ActionInfo;
import io.netfence.tc.api.ActionRef;
import io.netfence.tc.syntax.TcCommand;
import io.netfence.tc.syntax.TcCommand.ActionsCmd;
import io.netfence.tc.syntax.TcCommand.ChainCmd;
import io.netfence.tc.syntax.TcCommand.FilterCmd;
import io.netfence.tc.syntax.TcCommand.QdiscCmd;
import io.netfence.tc.syntax.TcCommand.Verb;
import io.netfence.tc.syntax.TcParser;
import io.netfence.tc.syntax.TcPrinter;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * {@code tc [OPTIONS] qdisc|filter|chain|actions COMMAND ...} and {@code tc [-force] -batch FILE}:
 * iproute2's syntax (parsed by {@link TcParser}) run against the {@link TcService}, and output as
 * {@code tc} prints it ({@link TcPrinter}). Returns the output without a trailing newline, or null
 * when there is none. A refused command changes nothing.
 */
public final class TcShellCommand {
    private final TcService tc;
    private final LongSupplier clock;

    public TcShellCommand(TcService tc) {
        this(tc, System::currentTimeMillis);
    }

    TcShellCommand(TcService tc, LongSupplier clock) {
        this.tc = tc;
        this.clock = clock;
    }

    public String execute(BatchInput batchInput, List<String> words) {
        String batch = null;
        boolean force = false;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("-force")) {
                force = true;
            } else if (w.equals("-b") || w.equals("-batch")) {
                if (i + 1 >= words.size()) {
                    throw CommandException.missingValue(w, "FILE (a file of tc commands without the leading \"tc\"; - for standard input)");
                }
                batch = words.get(++i);
            } else if (batch == null && rest.isEmpty() && (w.equals("help") || w.equals("-h") || w.equals("-help"))) {
                return TcHelp.TEXT;
            } else {
                rest.add(w);
            }
        }
        if (batch != null) {
            if (!rest.isEmpty()) {
                throw CommandException.badArgument(rest.getFirst(), "expected nothing else with -batch FILE");
            }
            return batch(batchInput, batch, force);
        }
        if (force) {
            throw CommandException.badArgument("-force", "it only applies to -batch FILE");
        }
        if (rest.size() >= 2 && rest.get(rest.size() - 1).equals("help")) {
            return TcHelp.forObject(rest.get(rest.size() - 2));
        }
        if (rest.isEmpty()) {
            return TcHelp.TEXT;
        }
        try {
            return run(TcParser.parse(rest));
        } catch (TcException e) {
            throw CommandException.refused(e);
        }
    }

    /** One parsed command against the service. */
    String run(TcCommand command) {
        return switch (command) {
            case QdiscCmd q -> qdisc(q);
            case FilterCmd f -> filter(f);
            case ChainCmd c -> chain(c);
            case ActionsCmd a -> actions(a);
        };
    }

    private String qdisc(QdiscCmd q) {
        switch (q.verb()) {
            case ADD, CHANGE, REPLACE -> tc.addQdisc(q.qdisc(), q.verb().mode());
            case DELETE -> tc.deleteQdisc(q.dev(), q.kind());
            case SHOW, GET -> {
                List<Qdisc> shown = tc.qdiscs().stream().filter(x -> q.dev() == null || x.dev().equals(q.dev())).toList();
                return blankToNull(TcPrinter.show(q, shown));
            }
            default -> throw new TcException(q.verb().word() + ": expected add, change, replace, del or show for qdisc");
        }
        return null;
    }

    private String filter(FilterCmd f) {
        switch (f.verb()) {
            case ADD, CHANGE, REPLACE -> tc.addFilter(f.filter(), f.verb().mode());
            case DELETE -> {
                for (BlockRef where : places(f)) {
                    tc.deleteFilters(where, f.chain(), f.prio(), f.protocol(), f.handle());
                }
            }
            case GET -> {
                if (f.where() == null || f.prio() == 0 || f.handle() == 0) {
                    throw new TcException("get: expected dev DEV ingress|egress | block N, prio N, protocol PROTO, handle H and the classifier kind");
                }
                FilterInfo info = tc.getFilter(f.where(), Math.max(0, f.chain()), f.prio(), f.protocol(), f.handle());
                return blankToNull(TcPrinter.show(f, List.of(info), clock.getAsLong()));
            }
            case SHOW -> {
                List<FilterInfo> shown = new ArrayList<>();
                for (BlockRef where : places(f)) {
                    for (FilterInfo i : tc.filters(where, f.chain())) {
                        if (selected(f, i.filter())) {
                            shown.add(i);
                        }
                    }
                }
                return blankToNull(TcPrinter.show(f, shown, clock.getAsLong()));
            }
            default -> throw new TcException(f.verb().word() + ": expected add, change, replace, del, get or show for filter");
        }
        return null;
    }

    /** A filter listing narrowed by prio, protocol, handle and kind, as tc's dump filters them. */
    private static boolean selected(FilterCmd f, Filter x) {
        return (f.prio() == 0 || x.prio() == f.prio()) && (f.protocol() == 0 || x.protocol() == f.protocol())
                && (f.handle() == 0 || x.handle() == f.handle()) && (f.kind() == null || x.classifier().kind().equals(f.kind()));
    }

    /**
     * Where a del or show applies: the place named, or every hook of the device named (each hook
     * its qdisc has), or every hook of every device with a qdisc.
     */
    private List<BlockRef> places(FilterCmd f) {
        if (f.where() != null) {
            return List.of(f.where());
        }
        List<BlockRef> places = new ArrayList<>();
        for (Qdisc q : tc.qdiscs()) {
            if (f.dev() != null && !q.dev().equals(f.dev())) {
                continue;
            }
            for (TcHook hook : TcHook.values()) {
                if (q.has(hook)) {
                    places.add(BlockRef.of(q.dev(), hook));
                }
            }
        }
        if (f.dev() != null && places.isEmpty()) {
            throw new TcException("dev " + f.dev() + ": has no clsact or ingress qdisc (Cannot find specified qdisc on specified device)");
        }
        return places;
    }

    private String chain(ChainCmd c) {
        switch (c.verb()) {
            case ADD -> tc.addChain(c.where(), c.chain());
            case DELETE -> tc.deleteChain(c.where(), c.chain());
            case SHOW, GET -> {
                List<Integer> chains = tc.chains(c.where()).stream().filter(n -> c.chain() < 0 || n == c.chain()).toList();
                long shared = sharedBlockOf(c.where());
                return blankToNull(shared > 0 ? TcPrinter.show(c, chains, shared) : TcPrinter.show(c, chains));
            }
            default -> throw new TcException(c.verb().word() + ": expected add, del, get or show for chain");
        }
        return null;
    }

    /** The shared block a device hook uses (the kernel reports its chains by block), else 0. */
    private long sharedBlockOf(BlockRef where) {
        if (where.isShared()) {
            return 0;
        }
        for (Qdisc q : tc.qdiscs()) {
            if (q.dev().equals(where.dev()) && q.has(where.hook())) {
                return q.block(where.hook());
            }
        }
        return 0;
    }

    private String actions(ActionsCmd a) {
        switch (a.verb()) {
            case ADD, CHANGE, REPLACE -> {
                // All or nothing, like the other changes: an action that fails undoes those added before it.
                List<ActionInfo> added = new ArrayList<>();
                try {
                    for (Action action : a.actions()) {
                        added.add(tc.addAction(action, a.verb().mode()));
                    }
                } catch (TcException e) {
                    if (a.verb() == Verb.ADD) {
                        for (ActionInfo info : added) {
                            tc.deleteAction(info.action().kind(), info.action().index());
                        }
                    }
                    throw e;
                }
            }
            case DELETE -> {
                for (Action action : a.actions()) {
                    tc.getAction(action.kind(), action.index());
                }
                for (Action action : a.actions()) {
                    tc.deleteAction(action.kind(), action.index());
                }
            }
            case GET -> {
                List<ActionInfo> got = new ArrayList<>();
                for (Action action : a.actions()) {
                    got.add(tc.getAction(action.kind(), action.index()));
                }
                return blankToNull(TcPrinter.show(a, got, clock.getAsLong()));
            }
            case SHOW -> {
                return blankToNull(TcPrinter.show(a, tc.actions(a.kind()), clock.getAsLong()));
            }
            case FLUSH -> tc.flushActions(a.kind());
        }
        return null;
    }

    /**
     * Each line of the file is a tc command without the leading {@code tc}. Runs of filter adds
     * (or replaces) go to the service as one bulk change, so 100k rules load in one publication;
     * if such a run is refused, its lines are retried one by one, so the lines before the bad one
     * apply and the error names the bad one's line, exactly as without the grouping. Without
     * {@code -force} the first failing line stops the batch; with it every line runs and the
     * failures are reported together at the end.
     */
    private String batch(BatchInput batchInput, String file, boolean force) {
        List<String> output = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<FilterCmd> run = new ArrayList<>();
        List<Integer> runLines = new ArrayList<>();
        try (BufferedReader reader = batchInput.open(file)) {
            String line;
            int number = 0;
            boolean stop = false;
            while (!stop && (line = reader.readLine()) != null) {
                number++;
                List<String> words;
                TcCommand command;
                try {
                    words = TcParser.split(line);
                    if (words.isEmpty() || words.getFirst().startsWith("#")) {
                        continue;
                    }
                    if (words.getFirst().equals("tc")) {
                        throw CommandException.badArgument("tc", "batch lines leave out the leading \"tc\"");
                    }
                    command = TcParser.parse(words);
                } catch (TcException | CommandException e) {
                    stop = !flushRun(run, runLines, errors, force) && !force;
                    if (!stop) {
                        errors.add("line " + number + ": " + message(e));
                        stop = !force;
                    }
                    continue;
                }
                if (command instanceof FilterCmd f && (f.verb() == Verb.ADD || f.verb() == Verb.REPLACE)
                        && (run.isEmpty() || run.getFirst().verb() == f.verb())) {
                    run.add(f);
                    runLines.add(number);
                    continue;
                }
                if (!flushRun(run, runLines, errors, force) && !force) {
                    stop = true;
                    continue;
                }
                if (command instanceof FilterCmd f && (f.verb() == Verb.ADD || f.verb() == Verb.REPLACE)) {
                    run.add(f);
                    runLines.add(number);
                    continue;
                }
                try {
                    String result = run(command);
                    if (result != null) {
                        output.add(result);
                    }
                } catch (TcException e) {
                    errors.add("line " + number + ": " + message(e));
                    stop = !force;
                }
            }
            if (!stop) {
                flushRun(run, runLines, errors, force);
            }
        } catch (IOException e) {
            throw new CommandException("Error: cannot read batch file \"" + file + "\": " + e.getMessage()
                    + ": expected a readable file of tc commands", e);
        }
        String out = String.join("\n", output);
        if (!errors.isEmpty()) {
            throw new BatchException(String.join("\n", errors), out);
        }
        return out.isEmpty() ? null : out;
    }

    /**
     * Applies a pending run of filter adds as one change; if that is refused, line by line, which
     * is what the batch means: the lines before a bad one apply and the error names its line.
     * False if a line failed (its error recorded).
     */
    private boolean flushRun(List<FilterCmd> run, List<Integer> lines, List<String> errors, boolean force) {
        if (run.isEmpty()) {
            return true;
        }
        List<FilterCmd> pending = List.copyOf(run);
        List<Integer> pendingLines = List.copyOf(lines);
        run.clear();
        lines.clear();
        try {
            tc.addFilters(pending.stream().map(FilterCmd::filter).toList(), pending.getFirst().verb().mode());
            return true;
        } catch (TcException bulk) {
            boolean ok = true;
            for (int i = 0; i < pending.size(); i++) {
                try {
                    run(pending.get(i));
                } catch (TcException e) {
                    errors.add("line " + pendingLines.get(i) + ": " + message(e));
                    ok = false;
                    if (!force) {
                        return false;
                    }
                }
            }
            return ok;
        }
    }

    private static String message(RuntimeException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.startsWith("Error: ") ? m : "Error: " + m;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.stripTrailing();
    }
}
