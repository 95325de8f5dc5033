package io.netfence.backend.software.tc;

import static io.netfence.backend.software.tc.TcKit.alive;
import static io.netfence.backend.software.tc.TcKit.eth;
import static io.netfence.backend.software.tc.TcKit.filter;
import static io.netfence.backend.software.tc.TcKit.gact;
import static io.netfence.backend.software.tc.TcKit.matchAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.packet.DropReason;
import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.MirredAction;
import io.netfence.tc.api.TcStats;
import org.junit.jupiter.api.Test;

/** Devices named by mirred and flower indev resolve by name again whenever a link comes or goes. */
class LinkChangeTest {
    private static final int TC_DROP = DropReason.TC_DROP.ordinal();

    private static byte[] udp4() {
        return eth().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build();
    }

    @Test
    void aRedirectToADeletedDeviceDropsAndCountsThenFollowsTheNameToItsNewIndex() {
        TcKit kit = new TcKit();
        long cookie = kit.add(matchAll(0, 1, new MirredAction(0, null, false, true, "eth2")));
        assertEquals(TcKit.ETH2, kit.ingress(udp4()).outPort);

        kit.ports.remove("eth2");
        kit.tc.linksChanged();
        PacketBuffer p = kit.ingress(udp4());
        assertEquals(TC_DROP, p.dropReason, "Linux: a mirred whose device went away drops");
        TcStats mirred = kit.stats(cookie).actions().get(0);
        assertEquals(1, mirred.overlimits());
        assertEquals(1, mirred.drops());
        assertEquals(2, mirred.packets());

        kit.ports.put("eth2", 9);
        kit.tc.linksChanged();
        PacketBuffer back = kit.ingress(udp4());
        assertTrue(alive(back));
        assertEquals(9, back.outPort, "the device added under the name, with its new index");
    }

    @Test
    void aMirrorToADeletedDeviceCountsAnOverlimitAndTheListGoesOn() {
        TcKit kit = new TcKit();
        ActionsTest.RecordingContext ctx = new ActionsTest.RecordingContext(10);
        long cookie = kit.add(matchAll(0, 1, new MirredAction(0, null, false, false, "eth1"), gact(Control.SHOT)));
        kit.ports.remove("eth1");
        kit.tc.linksChanged();
        PacketBuffer p = kit.ingress(udp4(), ctx);
        assertEquals(TC_DROP, p.dropReason, "the gact after the mirror ran");
        assertEquals(java.util.List.of(), ctx.asked, "no copy asked for a device that is gone");
        assertEquals(1, kit.stats(cookie).actions().get(0).overlimits());
    }

    @Test
    void aMirredToADeviceThatDoesNotExistYetRunsOnceItIsAdded() {
        // As a filter replayed from tc.conf whose device is gone: kept, dropping, until the name comes back.
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, new MirredAction(0, null, false, true, "eth5")));
        assertEquals(TC_DROP, kit.ingress(udp4()).dropReason);
        kit.ports.put("eth5", 12);
        kit.tc.linksChanged();
        assertEquals(12, kit.ingress(udp4()).outPort);
    }

    @Test
    void anIndevThatIsGoneMatchesNothingUntilTheNameComesBack() {
        TcKit kit = new TcKit();
        FlowerMatch.Builder b = FlowerMatch.builder();
        b.indev = "eth0";
        long cookie = kit.add(filter(0, 1, EtherTypes.IPV4, 0, b.build(), gact(Control.SHOT)));
        assertFalse(alive(kit.ingress(udp4())));

        kit.ports.remove("eth0");
        kit.tc.linksChanged();
        // The block is still bound to port 1 (the core unbinds it when the link's qdisc goes): the filter no longer matches.
        assertTrue(alive(kit.ingress(udp4())), "indev of a device that is gone matches nothing");
        assertEquals(1, kit.stats(cookie).filter().packets());

        kit.ports.put("eth0", TcKit.ETH1);
        kit.tc.linksChanged();
        assertTrue(alive(kit.ingress(TcKit.ETH0, udp4())), "port 1 is no longer eth0");
        assertNull(kit.tc.bind("eth1", io.netfence.tc.api.TcHook.INGRESS, TcKit.BLOCK));
        assertFalse(alive(kit.ingress(TcKit.ETH1, udp4())), "eth0 now comes in on its new index");
    }

    @Test
    void aLinkChangeDuringACoreChangeWaitsForItsCommit() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, new MirredAction(0, null, false, true, "eth2")));
        // The core offered a filter and has not committed yet: a link change must not publish it.
        assertNull(kit.offer(matchAll(0, 0, gact(Control.SHOT))));
        kit.ports.remove("eth2");
        kit.tc.linksChanged();
        PacketBuffer p = kit.ingress(udp4());
        assertTrue(alive(p), "neither the uncommitted drop nor the re-resolved mirred runs before the commit");
        kit.tc.commit();
        assertEquals(TC_DROP, kit.ingress(udp4()).dropReason);
    }
}
