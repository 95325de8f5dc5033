package io.netfence.shell.bench;

import io.netfence.packet.IpAddress;
import io.netfence.tc.api.Action;
import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.GactAction;
import io.netfence.tc.api.Masked;
import io.netfence.tc.api.PortRange;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.api.TcService;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench tc RULES}: a clsact qdisc on the generator port and RULES flower rules on its
 * ingress, in one classifier instance, spread evenly over four masks (destination /32; source /24
 * with UDP and a destination port; destination MAC; TCP with a source port), all passing what they
 * match. Exactly one rule (in the second mask) matches the generated traffic, so every packet is
 * classified against all four mask groups and then forwarded as without tc. The only class of
 * the bench command that links the (optional) tc API.
 */
public final class BenchTc {
    public static final int MASKS = 4;
    static final int MAX_RULES = 200_000;
    /** Longer than any tc.conf write of MAX_RULES rules on a loaded machine. */
    private static final long SAVE_TIMEOUT_MILLIS = 120_000;
    private final TcService tc;

    BenchTc(Object service) {
        this.tc = (TcService) service;
    }

    /**
     * Adds the qdisc and the rules in one bulk change; returns how long the rules took, in seconds.
     * Returns once tc.conf is saved too (not counted): 100k rules are a 13 MB write that would
     * otherwise share the CPUs with the measurement that follows.
     */
    double install(String dev, int rules, IpAddress source, int dport, BenchClock clock) {
        tc.addQdisc(new Qdisc(dev, Qdisc.Kind.CLSACT, 0, 0), TcService.Mode.ADD);
        List<Filter> filters = rules(dev, rules, source, dport);
        long t0 = clock.nanoTime();
        tc.addFilters(filters, TcService.Mode.ADD);
        double seconds = (clock.nanoTime() - t0) / 1e9;
        awaitSaved();
        return seconds;
    }

    void remove(String dev) {
        tc.deleteQdisc(dev, null);
        awaitSaved();
    }

    private void awaitSaved() {
        try {
            tc.awaitSaved(SAVE_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The rule set, also used by the JMH benchmark TcClassifyBench. */
    public static List<Filter> rules(String dev, int n, IpAddress source, int dport) {
        BlockRef where = BlockRef.of(dev, TcHook.INGRESS);
        List<Action> pass = List.of(GactAction.of(Control.OK));
        List<Filter> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            FlowerMatch.Builder b = FlowerMatch.builder();
            int k = i / MASKS;
            switch (i % MASKS) {
                case 0 -> b.dstIp = Masked.of(0x0A00_0000L | k, 0xFFFF_FFFFL);
                case 1 -> {
                    // Rule 1 is the one the generated traffic matches.
                    long net = i == 1 ? source.v4bits() & 0xFFFF_FF00L : 0x0A00_0000L | ((long) k << 8);
                    b.srcIp = Masked.of(net, 0xFFFF_FF00L);
                    b.ipProto = 17;
                    b.dstPort = PortRange.exactly(dport);
                }
                case 2 -> b.dstMac = Masked.of(0x02_00_5E_00_00_00L | k, 0xFFFF_FFFF_FFFFL);
                default -> {
                    b.ipProto = 6;
                    b.srcPort = PortRange.exactly(k & 0xFFFF);
                    b.dstIp = Masked.of(0x0B00_0000L | (k >>> 16), 0xFFFF_FFFFL);
                }
            }
            out.add(new Filter(where, 0, 1, EtherTypes.IPV4, 0, b.build(), pass, false, false, 0));
        }
        return out;
    }
}
