package io.netfence.shell.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.shell.ip.BatchException;
import io.netfence.shell.text.CommandException;
import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.internal.TcCore;
import io.netfence.tc.syntax.TcParser;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** "tc ..." lines against the real tc core (no backend: every filter shows not_in_hw). */
class TcShellCommandTest {
    private final TcCore core = new TcCore(Set.of("eth0", "eth1", "ipsec0")::contains, () -> 1_000_000L);
    private final TcShellCommand tc = new TcShellCommand(core, () -> 1_005_000L);
    private final Map<String, String> files = new HashMap<>();

    private String tc(String line) {
        List<String> words = TcParser.split(line);
        assertEquals("tc", words.getFirst());
        return tc.execute(name -> {
            String text = files.get(name);
            if (text == null) {
                throw new FileNotFoundException(name);
            }
            return new BufferedReader(new StringReader(text));
        }, words.subList(1, words.size()));
    }

    private String fails(String line) {
        return assertThrows(CommandException.class, () -> tc(line)).getMessage();
    }

    @Test
    void theScenarioRuleGoesInAndShowsAsTcShowsIt() {
        assertNull(tc("tc qdisc add dev eth0 clsact"));
        assertNull(tc("tc filter add dev eth0 ingress protocol ip prio 10 flower dst_ip 10.20.0.0/16 action mirred egress redirect dev ipsec0"));
        // As tc: naming the device leaves it out of the lines.
        assertEquals("qdisc clsact ffff: parent ffff:fff1", tc("tc qdisc show dev eth0"));
        assertEquals("qdisc clsact ffff: dev eth0 parent ffff:fff1", tc("tc qdisc show"));
        String shown = tc("tc filter show dev eth0 ingress");
        assertTrue(shown.contains("filter protocol ip pref 10 flower chain 0 handle 0x1"), shown);
        assertTrue(shown.contains("  dst_ip 10.20.0.0/16"), shown);
        assertTrue(shown.contains("mirred (Egress Redirect to device ipsec0) stolen"), shown);
        assertTrue(shown.contains("not_in_hw"), shown);
        String json = tc("tc -j filter show dev eth0 ingress");
        assertTrue(json.startsWith("[") && json.contains("\"kind\":\"flower\""), json);
        assertTrue(tc("tc -s filter show dev eth0 ingress").contains("Sent 0 bytes 0 pkt"), "statistics with -s");
        assertNull(tc("tc filter del dev eth0 ingress prio 10"));
        assertNull(tc("tc filter show dev eth0 ingress"), "nothing left to show");
    }

    @Test
    void aBadLineNamesTheTokenAndChangesNothing() {
        tc("tc qdisc add dev eth0 clsact");
        String before = String.valueOf(core.configuration());
        assertTrue(fails("tc filter add dev eth0 ingress protocol ip flower dst_prt 80 action drop").contains("dst_prt"));
        assertTrue(fails("tc filter add dev eth0 ingress protocol ip flower action mirred egress redirect dev nosuch")
                .contains("nosuch"));
        assertTrue(fails("tc filter add dev eth0 ingress matchall action gact index 9").contains("9"), "a missing shared action");
        assertTrue(fails("tc qdisc add dev nosuch clsact").contains("nosuch"));
        assertEquals(before, String.valueOf(core.configuration()));
        assertTrue(fails("tc -force filter show").contains("-force"));
        assertTrue(tc("tc help").startsWith("Usage: tc"));
        assertTrue(tc("tc filter help").contains("flower KEYS"));
    }

    @Test
    void sharedActionsAreAddedShownBoundAndRefusedWhileBound() {
        tc("tc qdisc add dev eth0 clsact");
        tc("tc actions add action police rate 1mbit burst 10k conform-exceed drop/ok index 7");
        tc("tc filter add dev eth0 ingress protocol ip flower dst_ip 10.0.0.1 action police index 7");
        tc("tc filter add dev eth0 egress protocol ip flower src_ip 10.0.0.1 action police index 7");
        String shown = tc("tc actions show action police");
        assertTrue(shown.contains("ref 3 bind 2"), shown);
        assertTrue(fails("tc actions del action police index 7").toLowerCase().contains("bound")
                || fails("tc actions del action police index 7").contains("7"));
        tc("tc filter del dev eth0 ingress");
        tc("tc filter del dev eth0 egress");
        assertNull(tc("tc actions del action police index 7"));
        assertEquals("total acts 0", tc("tc actions show action police"));
    }

    @Test
    void aBatchLoadsFilterRunsAsOneChangeAndStopsAtTheBadLine() {
        StringBuilder ok = new StringBuilder("qdisc add dev eth0 clsact\n# rules\n");
        for (int i = 0; i < 1000; i++) {
            ok.append("filter add dev eth0 ingress protocol ip prio 1 flower dst_ip 10.1.").append(i / 250).append('.').append(i % 250)
                    .append(" action drop\n");
        }
        files.put("ok.tc", ok.toString());
        assertNull(tc("tc -batch ok.tc"));
        assertEquals(1000, core.filters(BlockRef.of("eth0", TcHook.INGRESS), 0).size());

        files.put("bad.tc", "filter add dev eth1 ingress protocol ip flower dst_ip 10.9.0.1 action drop\n"
                + "qdisc add dev eth1 clsact\n"
                + "filter add dev eth1 ingress protocol ip flower dst_ip 10.9.0.1 action drop\n"
                + "filter add dev eth1 ingress protocol ip flower dst_ipp 10.9.0.2 action drop\n"
                + "filter add dev eth1 ingress protocol ip flower dst_ip 10.9.0.3 action drop\n");
        BatchException e = assertThrows(BatchException.class, () -> tc("tc -batch bad.tc"));
        assertTrue(e.getMessage().startsWith("line 1: "), e.getMessage());
        assertEquals(List.of(), core.qdiscs().stream().filter(q -> q.dev().equals("eth1")).toList(), "stopped at line 1");

        BatchException forced = assertThrows(BatchException.class, () -> tc("tc -force -batch bad.tc"));
        assertTrue(forced.getMessage().contains("line 1: ") && forced.getMessage().contains("line 4: ") && forced.getMessage().contains("dst_ipp"),
                forced.getMessage());
        assertEquals(2, core.filters(BlockRef.of("eth1", TcHook.INGRESS), 0).size(), "lines 3 and 5 went in");
    }
}
