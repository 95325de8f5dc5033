package io.netfence.tc.internal;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.api.TcException;
import io.netfence.tc.api.TcService;
import io.netfence.tc.syntax.TcCommand;
import io.netfence.tc.syntax.TcParser;
import io.netfence.tc.syntax.TcPrinter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * The tc configuration on disk ({@code tc.conf} in the data folder) as the tc commands that
 * rebuild it, one per line without the leading {@code tc}, in replay order: qdiscs, shared
 * actions, empty chains, filters. Readable with a text editor and loadable by hand with
 * {@code tc -batch}; written by a {@link io.netfence.net.spi.DurableFile} after every change.
 */
final class TcConfigFile {
    static final String HEADER = "# Netfence tc configuration: tc commands (without \"tc\") that rebuild it, rewritten by the appliance"
            + " on every change.";

    private TcConfigFile() {
    }

    /** The lines that rebuild {@code c}. */
    static List<String> lines(TcConfiguration c) {
        List<String> out = new ArrayList<>(c.qdiscs().size() + c.actions().size() + c.chains().size() + c.filters().size());
        for (Qdisc q : c.qdiscs()) {
            out.add(TcPrinter.toCommand(q));
        }
        for (Action a : c.actions()) {
            out.add(TcPrinter.toCommand(a));
        }
        for (TcConfiguration.ChainRef ch : c.chains()) {
            out.add("chain add " + ch.where() + " chain " + ch.chain());
        }
        for (Filter f : c.filters()) {
            out.add(TcPrinter.toCommand(f));
        }
        return out;
    }

    /**
     * Replays {@code lines} into {@code tc}. The filters go in as one bulk change; if that is
     * refused (a device deleted while the appliance was down), they are added one by one and only
     * those that no longer apply are skipped, each with a warning.
     */
    static void load(List<String> lines, TcService tc, Path file, Logger log) {
        List<Filter> filters = new ArrayList<>();
        List<String> filterLines = new ArrayList<>();
        for (String line : lines) {
            try {
                switch (TcParser.parseLine(line)) {
                    case TcCommand.QdiscCmd q -> tc.addQdisc(q.qdisc(), TcService.Mode.ADD);
                    case TcCommand.ActionsCmd a -> {
                        for (Action action : a.actions()) {
                            tc.addAction(action, TcService.Mode.ADD);
                        }
                    }
                    case TcCommand.ChainCmd c -> tc.addChain(c.where(), c.chain());
                    case TcCommand.FilterCmd f -> {
                        if (f.filter() == null) {
                            throw new TcException("expected filter add");
                        }
                        filters.add(f.filter());
                        filterLines.add(line);
                    }
                }
            } catch (TcException e) {
                log.warn("{}: skipped \"{}\": {}", file, line, e.getMessage());
            }
        }
        if (filters.isEmpty()) {
            return;
        }
        try {
            tc.addFilters(filters, TcService.Mode.ADD);
        } catch (TcException bulk) {
            for (int i = 0; i < filters.size(); i++) {
                try {
                    tc.addFilter(filters.get(i), TcService.Mode.ADD);
                } catch (TcException e) {
                    log.warn("{}: skipped \"{}\": {}", file, filterLines.get(i), e.getMessage());
                }
            }
        }
    }
}
