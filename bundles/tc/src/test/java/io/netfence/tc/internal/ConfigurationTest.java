package io.netfence.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.tc.api.ActionInfo;
import io.netfence.tc.api.ActionRef;
import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.FilterInfo;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.GactAction;
import io.netfence.tc.api.MatchAll;
import io.netfence.tc.api.MirredAction;
import io.netfence.tc.api.PoliceAction;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.api.TcService.Mode;
import io.netfence.tc.api.U32Match;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The persistence seam: the configuration, replayed into an empty core in its order, gives the same configuration and counts. */
class ConfigurationTest extends TcFixture {
    static List<String> counts(TcCore c) {
        return c.actions(null).stream().map((ActionInfo a) -> a.action().kind() + " " + a.action().index() + " ref " + a.refCount() + " bind " + a.bindCount())
                .toList();
    }

    @Test
    void replayingTheConfigurationRebuildsIt() {
        configureAllKinds();

        TcConfiguration saved = core.configuration();
        assertEquals(3, saved.qdiscs().size());
        assertEquals(List.of("gact 1", "police 1"), saved.actions().stream().map(a -> a.kind() + " " + a.index()).toList(),
                "only what tc actions add made: filters bring their own inline actions");
        assertEquals(List.of(new TcConfiguration.ChainRef(ETH0_IN, 7), new TcConfiguration.ChainRef(BlockRef.shared(11), 2)), saved.chains());
        assertEquals(8, saved.filters().size());

        TcCore copy = new TcCore(devices::contains, clock::get);
        saved.qdiscs().forEach(q -> copy.addQdisc(q, Mode.ADD));
        saved.actions().forEach(a -> copy.addAction(a, Mode.ADD));
        saved.chains().forEach(c -> copy.addChain(c.where(), c.chain()));
        copy.addFilters(saved.filters(), Mode.ADD);

        assertEquals(saved, copy.configuration());
        assertEquals(counts(core), counts(copy));
        assertEquals(core.chains(ETH0_IN), copy.chains(ETH0_IN));
    }

    @Test
    void theConfigFileIsTcCommandsThatRebuildIt() {
        configureAllKinds();
        TcConfiguration saved = core.configuration();
        List<String> lines = TcConfigFile.lines(saved);
        assertEquals("qdisc add dev eth0 clsact", lines.getFirst());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("actions add action police")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("chain add dev eth0 ingress chain 7")), String.join("\n", lines));

        TcCore copy = new TcCore(devices::contains, clock::get);
        TcConfigFile.load(lines, copy, java.nio.file.Path.of("tc.conf"), org.slf4j.helpers.NOPLogger.NOP_LOGGER);
        assertEquals(saved, copy.configuration());
        assertEquals(counts(core), counts(copy));

        // A device gone while the appliance was down: its lines are skipped, the rest loads.
        devices.remove("eth1");
        TcCore without = new TcCore(devices::contains, clock::get);
        TcConfigFile.load(lines, without, java.nio.file.Path.of("tc.conf"), org.slf4j.helpers.NOPLogger.NOP_LOGGER);
        assertEquals(saved.filters().size() - 1, without.configuration().filters().size(), "all but eth1's own filter");
    }

    @Test
    void aFilterNamingADeviceThatWentAwayIsKeptShownAsGoneAndReplayed() {
        clsact("eth0");
        FlowerMatch.Builder b = FlowerMatch.builder();
        b.indev = "eth3";
        core.addFilter(flower(ETH0_IN, 1, 0, 1, new MirredAction(0, null, false, true, "eth2")), Mode.ADD);
        core.addFilter(new Filter(ETH0_IN, 0, 2, EtherTypes.IPV4, 0, b.build(), List.of(drop()), false, false, 0), Mode.ADD);
        devices.remove("eth2");
        devices.remove("eth3");
        List<FilterInfo> shown = core.filters(ETH0_IN, -1);
        assertEquals(2, shown.size(), "Linux keeps a mirred whose device went away; so is an indev filter kept");
        assertTrue(shown.get(0).actions().get(0).devGone());
        assertTrue(shown.get(1).indevGone());
        refused(() -> core.addFilter(flower(ETH0_IN, 1, 0, 2, new MirredAction(0, null, false, true, "eth2")), Mode.ADD),
                "mirred dev eth2", "Cannot find device");

        // After a restart: tc.conf still holds them, and the replay keeps them (with a warning), as they were.
        List<String> lines = TcConfigFile.lines(core.configuration());
        List<String> warned = new java.util.ArrayList<>();
        TcCore copy = new TcCore(devices::contains, clock::get) {
            @Override
            protected void warn(String message) {
                warned.add(message);
            }
        };
        copy.restore(() -> TcConfigFile.load(lines, copy, java.nio.file.Path.of("tc.conf"), org.slf4j.helpers.NOPLogger.NOP_LOGGER));
        assertEquals(core.configuration(), copy.configuration());
        assertEquals(2, warned.size(), String.join("\n", warned));
        assertTrue(warned.get(0).contains("eth2"), warned.get(0));
        // Outside the replay a missing device is refused again.
        refused(() -> copy.addFilter(flower(ETH0_IN, 1, 0, 2, new MirredAction(0, null, false, true, "eth2")), Mode.ADD), "Cannot find device");

        devices.add("eth2");
        assertFalse(copy.filters(ETH0_IN, -1).get(0).actions().get(0).devGone(), "the name is back");
    }

    private void configureAllKinds() {
        clsact("eth0");
        clsact("eth1", 10, 11);
        core.addQdisc(new Qdisc("eth2", Qdisc.Kind.INGRESS, 10, 0), Mode.ADD);
        core.addAction(new PoliceAction(1, 1_000_000, 10_000, 0, 0, 0, Control.PIPE, Control.SHOT), Mode.ADD);
        core.addAction(GactAction.of(Control.OK), Mode.ADD);
        core.addAction(GactAction.of(Control.SHOT), Mode.ADD);
        core.addChain(ETH0_IN, 7);
        core.addChain(BlockRef.shared(11), 2);

        core.addFilter(flower(ETH0_IN, 0, 0, 1, new ActionRef("police", 1), gotoChain(5)), Mode.ADD);
        core.addFilter(flower(ETH0_IN, 5, 1, 0, 2, new MirredAction(0, null, false, true, "ipsec0")), Mode.ADD);
        core.addFilter(flower(ETH0_IN, 5, 1, 0, 3, new GactAction(9, Control.SHOT, null, null, 0)), Mode.ADD);
        core.addFilter(flower(ETH0_OUT, 0, 0, 4, new GactAction(9, Control.OK, null, null, 0), new ActionRef("gact", 1)), Mode.ADD);
        U32Match table = new U32Match(List.of(), 0x900, 0, 0, 0, 0, 16, null);
        U32Match link = new U32Match(List.of(new U32Match.Key(0x11 << 16, 0xFF << 16, 8, false)), 0x800, 0, 0x900, 0xFF, 12, 0, null);
        refused(() -> core.addFilter(new Filter(ETH0_IN, 0, 3, EtherTypes.IPV4, 0, link, List.of(), false, false, 0), Mode.ADD), "link 900");
        core.addFilter(new Filter(ETH0_IN, 0, 4, EtherTypes.IPV4, 0, table, List.of(), false, false, 0), Mode.ADD);
        core.addFilter(new Filter(ETH0_IN, 0, 4, EtherTypes.IPV4, 0, link, List.of(drop()), false, true, 0), Mode.ADD);
        core.addFilter(new Filter(BlockRef.shared(10), 0, 2, EtherTypes.ALL, 0, new MatchAll(), List.of(drop()), false, false, 0), Mode.ADD);
        core.addFilter(flower(BlockRef.of("eth1", TcHook.EGRESS), 2, 1, 0, 5, drop()), Mode.ADD);
        core.deleteAction("gact", 2);
    }
}
