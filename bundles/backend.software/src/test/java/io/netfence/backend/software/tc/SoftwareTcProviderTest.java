package io.netfence.backend.software.tc;

import static io.netfence.backend.software.tc.TcKit.alive;
import static io.netfence.backend.software.tc.TcKit.eth;
import static io.netfence.backend.software.tc.TcKit.filter;
import static io.netfence.backend.software.tc.TcKit.gact;
import static io.netfence.backend.software.tc.TcKit.matchAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.ActionRef;
import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.CsumAction;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.MatchAll;
import io.netfence.tc.api.MirredAction;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.spi.ClsOffload;
import io.netfence.tc.spi.SharedAction;
import io.netfence.tc.spi.TcRefusal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The provider's side of the SPI: what it refuses and why, when changes take effect, counters by cookie. */
class SoftwareTcProviderTest {
    private static byte[] udp4() {
        return eth().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build();
    }

    private static TcRefusal refusalOf(Action a) {
        return new TcKit().offer(matchAll(0, 1, a));
    }

    @Test
    void itIsTheSoftwareProviderForEveryDevice() {
        SoftwareTcProvider tc = new TcKit().tc;
        assertEquals("software", tc.name());
        assertTrue(tc.software());
        assertTrue(tc.drives("anything"));
    }

    @Test
    void refusalsNameTheProvider() {
        TcRefusal r = refusalOf(new MirredAction(0, Control.PIPE, false, true, "eth1"));
        assertNotNull(r);
        assertEquals("software", r.provider());
    }

    @Test
    void mirredAndIndevNamingADeviceThatDoesNotExistAreTaken() {
        // The core refuses them from a user; a filter whose device went away, or replayed from tc.conf, stays (LinkChangeTest).
        assertNull(refusalOf(new MirredAction(0, null, false, true, "eth9")));
        FlowerMatch.Builder b = FlowerMatch.builder();
        b.indev = "eth7";
        assertNull(new TcKit().offer(filter(0, 1, EtherTypes.IPV4, 0, b.build())));
    }

    @Test
    void everyMirredFormIsTakenButARedirectThatWouldKeepThePacket() {
        assertNull(refusalOf(new MirredAction(0, null, false, false, "eth1")), "egress mirror");
        assertNull(refusalOf(new MirredAction(0, null, true, false, "eth1")), "ingress mirror");
        assertNull(refusalOf(new MirredAction(0, null, true, true, "eth1")), "ingress redirect");
        assertTrue(refusalOf(new MirredAction(0, Control.PIPE, false, true, "eth1")).reason().contains("control pipe"));
        assertNull(refusalOf(new MirredAction(0, null, false, true, "eth1")));
    }

    @Test
    void otherRefusals() {
        assertTrue(refusalOf(new CsumAction(0, null, CsumAction.IPH | CsumAction.SCTP)).reason().contains("csum sctp"));
        assertTrue(refusalOf(new CsumAction(0, null, CsumAction.UDPLITE)).reason().contains("csum udplite"));
        assertTrue(refusalOf(new ActionRef("gact", 3)).reason().contains("gact index 3"));
        TcKit kit = new TcKit();
        Filter hwOnly = new Filter(TcKit.WHERE, 0, 1, EtherTypes.ALL, 1, new MatchAll(), List.of(), true, false, 0);
        assertTrue(kit.offer(hwOnly).reason().contains("skip_sw"));
        Filter unresolved = matchAll(0, 1, gact(Control.SHOT)).withHandle(1);
        assertTrue(kit.tc.replace(new ClsOffload(TcKit.BLOCK, 1, unresolved, List.of())).reason().contains("1 actions but 0"));
        assertNotNull(kit.tc.bind("eth9", TcHook.INGRESS, 3));
    }

    @Test
    void aRefusedFilterChangesNothing() {
        TcKit kit = new TcKit();
        long cookie = kit.add(matchAll(0, 1, gact(Control.SHOT)));
        Filter bad = matchAll(0, 1, new MirredAction(0, Control.PIPE, false, true, "eth1")).withHandle(1);
        assertNotNull(kit.offer(bad, List.of(kit.share(bad.actions().get(0))), cookie));
        kit.tc.commit();
        assertFalse(alive(kit.ingress(udp4())), "the filter it would have replaced still runs");
    }

    @Test
    void filtersRunFromTheCommitOn() {
        TcKit kit = new TcKit();
        assertNull(kit.offer(matchAll(0, 1, gact(Control.SHOT))));
        assertTrue(alive(kit.ingress(udp4())), "not yet committed");
        kit.tc.commit();
        assertFalse(alive(kit.ingress(udp4())));
    }

    @Test
    void destroyTakesEffectAtCommitAndUnknownCookiesAreIgnored() {
        TcKit kit = new TcKit();
        long cookie = kit.add(matchAll(0, 1, gact(Control.SHOT)));
        kit.tc.destroy(TcKit.BLOCK, cookie);
        kit.tc.destroy(TcKit.BLOCK, 12345);
        kit.tc.destroy(999, cookie);
        assertFalse(alive(kit.ingress(udp4())), "until the commit");
        kit.tc.commit();
        assertTrue(alive(kit.ingress(udp4())));
        assertNull(kit.stats(cookie));
        assertNull(kit.tc.stats(999, 1));
    }

    @Test
    void bindAndUnbindTakeEffectAtOnceWithTheCommittedFilters() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, gact(Control.SHOT)));
        assertTrue(alive(kit.ingress(TcKit.ETH1, udp4())));
        assertNull(kit.tc.bind("eth1", TcHook.INGRESS, TcKit.BLOCK));
        assertFalse(alive(kit.ingress(TcKit.ETH1, udp4())), "a shared block serves both ports");
        kit.tc.unbind("eth1", TcHook.INGRESS, 55);
        assertFalse(alive(kit.ingress(TcKit.ETH1, udp4())), "unbinding another block changes nothing");
        kit.tc.unbind("eth1", TcHook.INGRESS, TcKit.BLOCK);
        assertTrue(alive(kit.ingress(TcKit.ETH1, udp4())));
        assertFalse(alive(kit.ingress(TcKit.ETH0, udp4())));
    }

    @Test
    void aReplacedFilterKeepsItsCountersAndRunsItsNewActions() {
        TcKit kit = new TcKit();
        long cookie = kit.add(matchAll(0, 1, gact(Control.OK)).withHandle(4));
        kit.ingress(udp4());
        Filter changed = matchAll(0, 1, gact(Control.SHOT)).withHandle(4);
        assertNull(kit.offer(changed, List.of(kit.share(changed.actions().get(0))), cookie));
        kit.tc.commit();
        assertFalse(alive(kit.ingress(udp4())));
        assertEquals(2, kit.stats(cookie).filter().packets());
        assertEquals(1, kit.stats(cookie).filter().drops());
        assertEquals(1, kit.stats(cookie).actions().size());
    }

    @Test
    void blocksAreIndependent() {
        TcKit kit = new TcKit();
        assertNull(kit.tc.bind("eth1", TcHook.INGRESS, 8));
        kit.add(matchAll(0, 1, gact(Control.SHOT)));
        Filter pass = new Filter(BlockRef.shared(8), 0, 1, EtherTypes.ALL, 1, new MatchAll(), List.of(gact(Control.OK)),
                false, false, 0);
        SharedAction ok = kit.share(pass.actions().get(0));
        assertNull(kit.tc.replace(new ClsOffload(8, 1, pass, List.of(ok))));
        kit.tc.commit();
        assertFalse(alive(kit.ingress(TcKit.ETH0, udp4())));
        assertTrue(alive(kit.ingress(TcKit.ETH1, udp4())));
    }
}
