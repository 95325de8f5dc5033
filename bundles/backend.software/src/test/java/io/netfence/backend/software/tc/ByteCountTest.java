package io.netfence.backend.software.tc;

import static io.netfence.backend.software.tc.TcKit.alive;
import static io.netfence.backend.software.tc.TcKit.eth;
import static io.netfence.backend.software.tc.TcKit.gact;
import static io.netfence.backend.software.tc.TcKit.matchAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.tc.api.Control;
import io.netfence.tc.api.PoliceAction;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.spi.ClsStats;
import org.junit.jupiter.api.Test;

/** Bytes as Linux counts skb->len: without the Ethernet header at ingress and on xfrm interfaces, with it at a port's egress. */
class ByteCountTest {
    private static final byte[] FRAME = eth().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).size(100).build();

    @Test
    void ingressCountsFromTheNetworkHeader() {
        TcKit kit = new TcKit();
        assertEquals(100, FRAME.length);
        long cookie = kit.add(matchAll(0, 1, gact(Control.OK)));
        kit.ingress(FRAME);
        ClsStats s = kit.stats(cookie);
        assertEquals(86, s.filter().bytes(), "eth_type_trans pulled the 14-byte header before tc ingress");
        assertEquals(86, s.actions().get(0).bytes());
    }

    @Test
    void egressCountsTheWholeFrame() {
        TcKit kit = new TcKit();
        assertNull(kit.tc.bind("eth1", TcHook.EGRESS, TcKit.BLOCK));
        long cookie = kit.add(matchAll(0, 1, gact(Control.OK)));
        kit.egress(TcKit.ETH1, FRAME);
        assertEquals(100, kit.stats(cookie).filter().bytes(), "dev_queue_xmit: skb->len includes the Ethernet header");
    }

    @Test
    void anXfrmInterfaceHasNoHeaderToCountAtEitherHook() {
        TcKit kit = new TcKit();
        kit.headerless.add("eth1");
        assertNull(kit.tc.bind("eth1", TcHook.EGRESS, TcKit.BLOCK));
        long cookie = kit.add(matchAll(0, 1, gact(Control.OK)));
        kit.egress(TcKit.ETH1, FRAME);
        assertEquals(86, kit.stats(cookie).filter().bytes());
    }

    @Test
    void policeSeesTheSameLength() {
        TcKit kit = new TcKit();
        // mtu 90: the 100-byte frame is 86 bytes at ingress and passes; a burst of 172 bytes holds exactly two.
        long cookie = kit.add(matchAll(0, 1, new PoliceAction(0, 1000, 172, 0, 0, 90, Control.OK, Control.SHOT)));
        assertTrue(alive(kit.ingress(FRAME)));
        assertTrue(alive(kit.ingress(FRAME)));
        assertFalse(alive(kit.ingress(FRAME)));
        assertEquals(1, kit.stats(cookie).actions().get(0).overlimits());
        assertNull(kit.tc.bind("eth1", TcHook.EGRESS, 9));
    }
}
