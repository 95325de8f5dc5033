package io.netfence.backend.software.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.ActionInfo;
import io.netfence.tc.api.ActionRef;
import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.FilterInfo;
import io.netfence.tc.api.GactAction;
import io.netfence.tc.api.MirredAction;
import io.netfence.tc.api.PoliceAction;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.api.SampleAction;
import io.netfence.tc.api.SkbeditAction;
import io.netfence.tc.api.TcException;
import io.netfence.tc.api.TcService.Mode;
import io.netfence.tc.api.U32Match;
import io.netfence.tc.api.VlanAction;
import io.netfence.tc.internal.TcCore;
import io.netfence.tc.syntax.TcCommand;
import io.netfence.tc.syntax.TcCommand.ActionsCmd;
import io.netfence.tc.syntax.TcCommand.ChainCmd;
import io.netfence.tc.syntax.TcCommand.FilterCmd;
import io.netfence.tc.syntax.TcCommand.QdiscCmd;
import io.netfence.tc.syntax.TcParser;
import io.netfence.tc.syntax.TcPrinter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * tc.api's corpus of accepted tc lines, past the parser: every line that adds or changes something
 * goes into a real {@link TcCore} driving the software provider (each in a fresh core, with what
 * it refers to set up first: the qdisc or shared block, u32 hash tables, shared actions, the filter
 * a change changes), and must install and show. A line the parser takes but the core or the
 * provider refuses (as {@code csum udplite} once was) fails here.
 */
class TcCorpusInstallTest {
    private static final Path CORPUS = Path.of(System.getProperty("basedir", "."),
            "../tc.api/src/test/java/io/netfence/tc/syntax/tc-corpus-accepted.txt");
    private static final String DEV = "nfdev";
    /** Devices the corpus names (besides DEV, a flower indev): name to port index. */
    private static final java.util.Map<String, Integer> PORTS = java.util.Map.of(DEV, 1, "eth1", 2);
    /**
     * Lines Linux's parser takes that are refused at install, each with what the refusal must say;
     * docs/TC-CONFORMANCE.md lists them. skip_sw is Linux's own refusal while no device can take the
     * filter; csum udplite and sctp are not in the software backend yet.
     */
    private static final java.util.Map<String, String> REFUSED = java.util.Map.of(
            " skip_sw ", "skip_sw: Filter with skip_sw flag cannot be offloaded",
            "csum udplite", "csum udplite: not supported in software yet",
            "csum sctp", "csum sctp: the CRC32c checksum is not supported in software yet");

    private static List<String> lines() throws IOException {
        return Files.readAllLines(CORPUS).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> l.replaceAll("\\bDEV\\b", DEV)).toList();
    }

    @Test
    void everyAcceptedLineInstallsAndShows() throws IOException {
        List<String> failed = new ArrayList<>();
        int installed = 0;
        for (String line : lines()) {
            TcCommand cmd = TcParser.parseLine(line);
            if (!installs(cmd)) {
                continue;
            }
            String refusal = REFUSED.entrySet().stream().filter(e -> line.contains(e.getKey())).map(java.util.Map.Entry::getValue).findFirst()
                    .orElse(null);
            try {
                install(cmd);
                installed++;
                if (refusal != null) {
                    failed.add(line + "  ->  installed, but listed as refused (" + refusal + "): update REFUSED and TC-CONFORMANCE.md");
                }
            } catch (TcException | AssertionError e) {
                if (refusal == null || !e.getMessage().contains(refusal)) {
                    failed.add(line + "  ->  " + e.getMessage());
                }
            }
        }
        assertEquals(List.of(), failed);
        assertTrue(installed >= 80, "most of the corpus adds something: " + installed);
    }

    /** Adds, changes and replaces; shows, gets and deletes only read or remove. */
    private static boolean installs(TcCommand cmd) {
        TcCommand.Verb v = switch (cmd) {
            case QdiscCmd q -> q.verb();
            case FilterCmd f -> f.verb();
            case ChainCmd c -> c.verb();
            case ActionsCmd a -> a.verb();
        };
        return v == TcCommand.Verb.ADD || v == TcCommand.Verb.REPLACE || v == TcCommand.Verb.CHANGE;
    }

    private static void install(TcCommand cmd) {
        SoftwareTcProvider software = new SoftwareTcProvider(dev -> PORTS.getOrDefault(dev, -1));
        TcCore core = new TcCore(PORTS::containsKey);
        core.addProvider(software);
        switch (cmd) {
            case QdiscCmd q -> {
                core.addQdisc(q.qdisc(), q.verb() == TcCommand.Verb.CHANGE ? Mode.ADD : q.verb().mode());
                if (q.verb() == TcCommand.Verb.CHANGE) {
                    core.addQdisc(q.qdisc(), Mode.CHANGE);
                }
                String shown = TcPrinter.show(new QdiscCmd(TcCommand.Verb.SHOW, TcCommand.Output.PLAIN, null, null, 0, 0), core.qdiscs());
                assertTrue(shown.contains("qdisc " + q.kind().word() + " ffff: dev " + DEV), shown);
            }
            case ChainCmd c -> {
                qdiscFor(core, c.where());
                core.addChain(c.where(), c.chain());
                assertTrue(core.chains(c.where()).contains(c.chain()));
            }
            case ActionsCmd a -> {
                for (Action action : a.actions()) {
                    if (a.verb() == TcCommand.Verb.CHANGE) {
                        core.addAction(action, Mode.ADD);
                    }
                    ActionInfo info = core.addAction(action, a.verb().mode());
                    String shown = TcPrinter.show(new ActionsCmd(TcCommand.Verb.SHOW, TcCommand.Output.PLAIN, action.kind(), List.of()),
                            List.of(info), 0);
                    assertTrue(shown.contains("total acts 1"), shown);
                }
            }
            case FilterCmd f -> {
                Filter filter = f.filter();
                qdiscFor(core, filter.where());
                filter = withU32Tables(core, filter);
                for (Action a : filter.actions()) {
                    if (a instanceof ActionRef r && core.actions(r.kind()).stream().noneMatch(i -> i.action().index() == r.index())) {
                        core.addAction(sharedOfKind(r.kind(), r.index()), Mode.ADD);
                    }
                }
                if (f.verb() == TcCommand.Verb.CHANGE) {
                    core.addFilter(filter, Mode.ADD);
                }
                FilterInfo info = core.addFilter(filter, f.verb().mode());
                FilterCmd show = new FilterCmd(TcCommand.Verb.SHOW, new TcCommand.Output(true, false, false, false), filter.where(), null, -1, 0, 0,
                        0, null, null);
                String shown = TcPrinter.show(show, List.of(info), 0);
                assertTrue(shown.contains(filter.classifier().kind()), shown);
                assertEquals(filter.actions().size(), info.actions().size());
            }
        }
        core.close();
    }

    /** The qdisc a filter or chain line needs: clsact on the device, or one naming the shared block. */
    private static void qdiscFor(TcCore core, BlockRef where) {
        if (where.isShared()) {
            core.addQdisc(new Qdisc(DEV, Qdisc.Kind.CLSACT, (int) where.block(), 0), Mode.ADD);
        } else {
            core.addQdisc(new Qdisc(DEV, Qdisc.Kind.CLSACT, 0, 0), Mode.ADD);
        }
    }

    /** A u32 filter in or linking to hash tables other than 800: gets them made first, at its prio (a new prio if it had none). */
    private static Filter withU32Tables(TcCore core, Filter f) {
        if (!(f.classifier() instanceof U32Match m) || m.divisor() > 0) {
            return f;
        }
        Set<Integer> tables = new LinkedHashSet<>();
        if (m.table() != U32Match.ROOT_TABLE) {
            tables.add(m.table());
        }
        if (m.link() != 0) {
            tables.add(m.link());
        }
        if (tables.isEmpty()) {
            return f;
        }
        int prio = f.prio() == 0 ? 49152 : f.prio();
        int protocol = f.protocol() == 0 ? EtherTypes.IPV4 : f.protocol();
        for (int t : tables) {
            U32Match table = new U32Match(List.of(), t, 0, 0, 0, 0, 256, null);
            core.addFilter(new Filter(f.where(), f.chain(), prio, protocol, 0, table, List.of(), false, false, 0), Mode.ADD);
        }
        return new Filter(f.where(), f.chain(), prio, protocol, f.handle(), f.classifier(), f.actions(), f.skipSw(), f.skipHw(), f.classid());
    }

    /** A shared action of {@code kind} at {@code index}, for a line that binds it by index. */
    private static Action sharedOfKind(String kind, int index) {
        Action a = switch (kind) {
            case "gact" -> GactAction.of(Control.SHOT);
            case "police" -> new PoliceAction(0, 125_000, 10_000, 0, 0, 0, Control.OK, Control.SHOT);
            case "mirred" -> new MirredAction(0, null, false, false, DEV);
            case "skbedit" -> new SkbeditAction(0, null, 1, 0xFFFF_FFFFL, -1);
            case "sample" -> new SampleAction(0, null, 10, 1, 0);
            case "vlan" -> new VlanAction(0, null, VlanAction.Op.POP, 0, -1, 0);
            default -> throw new AssertionError("no shared " + kind + " to bind");
        };
        return a.withIndex(index);
    }
}
