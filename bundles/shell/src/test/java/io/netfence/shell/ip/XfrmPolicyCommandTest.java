package io.netfence.shell.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.shell.testing.FakeXfrmService;
import io.netfence.shell.testing.TestJson;
import io.netfence.shell.text.CommandException;
import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.OffloadSpec;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.Template;
import io.netfence.xfrm.api.XfrmDirection;
import io.netfence.xfrm.api.XfrmException;
import io.netfence.xfrm.api.XfrmMode;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmPolicyInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ip xfrm policy}: lines as strongSwan, libreswan and the guides write them, turned into policies. */
class XfrmPolicyCommandTest extends IpTestBase {
    static final String TUNNEL = "tmpl src 192.168.1.1 dst 192.168.2.1 proto esp reqid 1 mode tunnel";
    static final Selector NETS = new Selector(IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("10.2.0.0/16"), 0, 0, 0, 0, 0, null);
    static final Template TUNNEL_TEMPLATE = new Template(IpAddress.parse("192.168.1.1"), IpAddress.parse("192.168.2.1"), 0,
            XfrmMode.TUNNEL, 1, false);

    /** Runs an add or update and returns the policy it gave the service. */
    XfrmPolicy policy(String line) {
        return (XfrmPolicy) xfrmCall(line);
    }

    @Test
    void tunnelPolicy() {
        XfrmPolicy p = policy("ip xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out " + TUNNEL);
        assertEquals(List.of("addPolicy"), xfrm.callNames());
        assertEquals(new XfrmPolicy(NETS, XfrmDirection.OUT, 0, XfrmPolicy.Action.ALLOW, 0, List.of(TUNNEL_TEMPLATE), 0,
                Mark.NONE, Lifetime.NONE, null), p);
    }

    @Test
    void libreswanStyle() {
        XfrmPolicy p = policy("ip xfrm policy add src 10.2.0.0/16 dst 10.1.0.0/16 dir fwd priority 383615 ptype main"
                + " tmpl src 192.168.2.1 dst 192.168.1.1 proto esp reqid 16389 mode tunnel level use");
        assertEquals(XfrmDirection.FWD, p.direction());
        assertEquals(383615, p.priority());
        assertEquals(List.of(new Template(IpAddress.parse("192.168.2.1"), IpAddress.parse("192.168.1.1"), 0, XfrmMode.TUNNEL,
                16389, true)), p.templates());
    }

    @Test
    void blockAndPorts() {
        XfrmPolicy p = policy("ip xfrm policy add dir out src 10.1.0.0/16 dst 10.9.0.0/16 proto tcp dport 25 action block"
                + " priority 10");
        assertEquals(new Selector(IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("10.9.0.0/16"), 6, 0, 0, 25, 0xffff, null),
                p.selector());
        assertEquals(XfrmPolicy.Action.BLOCK, p.action());
        assertEquals(List.of(), p.templates());
    }

    @Test
    void transportTemplateWithoutAddressesAndTwoTemplates() {
        XfrmPolicy p = policy("ip xfrm policy add src 1.1.1.1 dst 2.2.2.2 dir in tmpl proto esp");
        assertEquals(List.of(new Template(null, null, 0, XfrmMode.TRANSPORT, 0, false)), p.templates());
        p = policy("ip xfrm policy add src 1.1.1.1 dst 2.2.2.2 dir out tmpl proto esp src 1.1.1.1 dst 2.2.2.2 spi 0x100"
                + " mode transport reqid 5 " + TUNNEL);
        assertEquals(List.of(new Template(IpAddress.parse("1.1.1.1"), IpAddress.parse("2.2.2.2"), 0x100, XfrmMode.TRANSPORT, 5,
                false), TUNNEL_TEMPLATE), p.templates());
    }

    @Test
    void everyOption() {
        XfrmPolicy p = policy("ip xfrm policy add src 10.0.0.0/8 dst 0.0.0.0/0 proto udp sport 500 dev eth0 dir out index 0x20"
                + " priority 1 ptype main mark 0x10 mask 0xf0 if_id 7 limit time-hard 100 limit packet-soft 5"
                + " offload packet dev eth1 " + TUNNEL);
        assertEquals(new Selector(IpPrefix.parse("10.0.0.0/8"), IpPrefix.parse("0.0.0.0/0"), 17, 500, 0xffff, 0, 0, "eth0"),
                p.selector());
        assertEquals(0x20, p.index());
        assertEquals(new Mark(0x10, 0xf0), p.mark());
        assertEquals(7, p.ifId());
        assertEquals(new Lifetime(Lifetime.INF, Lifetime.INF, 5, Lifetime.INF, 0, 100, 0, 0), p.lifetime());
        assertEquals(new OffloadSpec(OffloadSpec.Type.PACKET, "eth1", XfrmDirection.OUT), p.offload());
    }

    @Test
    void selectorsOfOtherProtocolsAndFamilies() {
        XfrmPolicy p = policy("ip -6 xfrm policy add src 2001:db8::/32 dst 2001:db8:1::/48 proto ipv6-icmp type 135 dir in"
                + " tmpl src 192.168.1.1 dst 192.168.2.1 proto esp mode tunnel");
        assertEquals(new Selector(IpPrefix.parse("2001:db8::/32"), IpPrefix.parse("2001:db8:1::/48"), 58, 135, 0xffff, 0, 0, null),
                p.selector());
        assertEquals(IpAddress.parse("192.168.1.1"), p.templates().getFirst().src(), "an IPv6 policy through an IPv4 tunnel");
        p = policy("ip xfrm policy add src 10.9.0.0/16 dst 10.2.0.0/16 proto gre key 5 dir in");
        assertEquals(new Selector(IpPrefix.parse("10.9.0.0/16"), IpPrefix.parse("10.2.0.0/16"), 47, 0, 0xffff, 5, 0xffff, null),
                p.selector());
        assertEquals(Selector.any(4), policy("ip xfrm policy add dir fwd").selector());
        assertEquals(Selector.any(6), policy("ip -6 xfrm policy add dir fwd").selector());
        assertEquals(new Selector(IpPrefix.parse("0.0.0.0/0"), IpPrefix.parse("10.2.0.0/16"), 0, 0, 0, 0, 0, null),
                policy("ip xfrm policy add dst 10.2.0.0/16 dir out").selector());
        assertEquals(new Selector(IpPrefix.parse("10.3.0.0/16"), IpPrefix.parse("10.4.0.0/16"), 0, 80, 0xffff, 0, 0, null),
                policy("ip xfrm policy add src 10.3.0.0/16 dst 10.4.0.0/16 sport 80 dir in").selector(),
                "a port without proto, as iproute2 allows");
    }

    @Test
    void updateAndAbbreviations() {
        ip("ip xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out " + TUNNEL);
        XfrmPolicy p = policy("ip xfrm policy u src 10.1.0.0/16 dst 10.2.0.0/16 dir out"
                + " tmpl src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x100 reqid 1 mode tunnel");
        assertEquals(List.of("updatePolicy"), xfrm.callNames());
        assertEquals(0x100, p.templates().getFirst().spi());
        assertEquals(1, xfrm.policyCount());
        String listing = ip("ip xfrm policy list");
        for (String line : List.of("ip xfrm policy", "ip xfrm p", "ip x p s", "ip xfrm policy lst")) {
            assertEquals(listing, ip(line), line);
        }
    }

    /** The policies of a tunnel (out, in, fwd), a blocking one, and counters on one of them. */
    void policies() {
        ip("ip xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out " + TUNNEL);
        ip("ip xfrm policy add src 10.2.0.0/16 dst 10.1.0.0/16 dir in tmpl src 192.168.2.1 dst 192.168.1.1 proto esp reqid 1"
                + " mode tunnel");
        ip("ip xfrm policy add src 10.2.0.0/16 dst 10.1.0.0/16 dir fwd tmpl src 192.168.2.1 dst 192.168.1.1 proto esp reqid 1"
                + " mode tunnel level use");
        ip("ip xfrm policy add src 10.1.0.0/16 dst 10.9.0.0/16 proto tcp dport 25 dir out action block priority 10 mark 7"
                + " if_id 3 limit time-hard 60");
        XfrmPolicyInfo first = xfrm.policies().getFirst();
        List<XfrmPolicyInfo> all = xfrm.policies();
        xfrm.flushPolicies();
        xfrm.putPolicy(new XfrmPolicyInfo(first.policy(), 12, 3400, FakeXfrmService.NOW, FakeXfrmService.NOW + 5));
        all.stream().skip(1).forEach(xfrm::putPolicy);
        xfrm.clearCalls();
    }

    static final String LISTING = """
            src 10.1.0.0/16 dst 10.2.0.0/16
            \tdir out priority 0 ptype main
            \ttmpl src 192.168.1.1 dst 192.168.2.1
            \t\tproto esp reqid 1 mode tunnel
            src 10.2.0.0/16 dst 10.1.0.0/16
            \tdir in priority 0 ptype main
            \ttmpl src 192.168.2.1 dst 192.168.1.1
            \t\tproto esp reqid 1 mode tunnel
            src 10.2.0.0/16 dst 10.1.0.0/16
            \tdir fwd priority 0 ptype main
            \ttmpl src 192.168.2.1 dst 192.168.1.1
            \t\tproto esp reqid 1 mode tunnel
            \t\tlevel use
            src 10.1.0.0/16 dst 10.9.0.0/16 proto tcp dport 25
            \tdir out action block priority 10 ptype main
            \tmark 0x7/0xffffffff
            \tif_id 0x3""";

    @Test
    void listLikeLinux() {
        policies();
        assertEquals(LISTING, ip("ip xfrm policy"));
        assertEquals(List.of(), xfrm.calls());
    }

    @Test
    void statsLikeLinux() {
        policies();
        assertEquals("""
                src 10.1.0.0/16 dst 10.2.0.0/16 uid 0
                \tdir out action allow index 9 priority 0 ptype main share any flag  (0x00000000)
                \tlifetime config:
                \t  limit: soft (INF)(bytes), hard (INF)(bytes)
                \t  limit: soft (INF)(packets), hard (INF)(packets)
                \t  expire add: soft 0(sec), hard 0(sec)
                \t  expire use: soft 0(sec), hard 0(sec)
                \tlifetime current:
                \t  3400(bytes), 12(packets)
                \t  add 2026-11-29 07:00:00 use 2026-11-29 07:00:05
                \ttmpl src 192.168.1.1 dst 192.168.2.1
                \t\tproto esp spi 0x00000000(0) reqid 1(0x00000001) mode tunnel
                \t\tlevel required share any
                \t\tenc-mask ffffffff auth-mask ffffffff comp-mask ffffffff
                src 10.1.0.0/16 dst 10.9.0.0/16 proto tcp dport 25 uid 0
                \tdir out action block index 33 priority 10 ptype main share any flag  (0x00000000)
                \tlifetime config:
                \t  limit: soft (INF)(bytes), hard (INF)(bytes)
                \t  limit: soft (INF)(packets), hard (INF)(packets)
                \t  expire add: soft 0(sec), hard 60(sec)
                \t  expire use: soft 0(sec), hard 0(sec)
                \tlifetime current:
                \t  0(bytes), 0(packets)
                \t  add 2026-11-29 07:00:00 use -
                \tmark 0x7/0xffffffff
                \tif_id 0x3""", ip("ip -s xfrm policy list dir out"));
    }

    @Test
    void json() {
        policies();
        List<Object> all = TestJson.array(ip("ip -j xfrm policy"));
        assertEquals(4, all.size());
        Map<String, Object> out = TestJson.object(all.getFirst());
        assertEquals(Map.of("src", "10.1.0.0/16", "dst", "10.2.0.0/16"), out.get("sel"));
        assertEquals("out", out.get("dir"));
        assertEquals("allow", out.get("action"));
        assertEquals(9L, out.get("index"));
        assertEquals(0L, out.get("priority"));
        assertEquals("main", out.get("ptype"));
        assertEquals(List.of(Map.of("src", "192.168.1.1", "dst", "192.168.2.1", "proto", "esp", "spi", 0L, "reqid", 1L,
                "mode", "tunnel", "level", "required")), out.get("tmpl"));
        Map<String, Object> block = TestJson.object(all.get(3));
        assertEquals(Map.of("src", "10.1.0.0/16", "dst", "10.9.0.0/16", "proto", "tcp", "dport", 25L), block.get("sel"));
        assertEquals(Map.of("value", 7L, "mask", 4294967295L), block.get("mark"));
        assertEquals(3L, block.get("if_id"));
        assertEquals(List.of(), block.get("tmpl"));
        Map<String, Object> stats = TestJson.object(TestJson.array(ip("ip -s -j xfrm policy list index 9")).getFirst());
        assertEquals(Map.of("bytes", 3400L, "packets", 12L, "add_time", FakeXfrmService.NOW, "use_time", FakeXfrmService.NOW + 5),
                TestJson.object(stats.get("lifetime")).get("current"));
        assertEquals("[]", ip("ip -j xfrm policy list dir fwd priority 1"));
        assertEquals(Map.of("in", 1L, "out", 2L, "fwd", 1L), TestJson.object(TestJson.parse(ip("ip -j xfrm policy count"))));
    }

    @Test
    void countAndOneline() {
        policies();
        assertEquals("\t SPD IN  1 OUT 2 FWD 1", ip("ip xfrm policy count"));
        assertEquals("\t SPD IN  1 OUT 2 FWD 1 (Sock: IN 0 OUT 0 FWD 0)", ip("ip -s xfrm policy count"));
        assertEquals("src 10.2.0.0/16 dst 10.1.0.0/16\\\tdir in priority 0 ptype main\\\ttmpl src 192.168.2.1 dst 192.168.1.1"
                + "\\\t\tproto esp reqid 1 mode tunnel", ip("ip -o xfrm policy list dir in"));
    }

    @Test
    void listFilters() {
        policies();
        ip("ip -6 xfrm policy add src 2001:db8::/32 dst 2001:db8:1::/48 dir in");
        // indexes as Linux makes them: 8 * n + dir (in 0, out 1, fwd 2)
        assertEquals(List.of(9L, 33L), indexes("ip xfrm policy list dir out"));
        assertEquals(List.of(9L, 33L), indexes("ip xfrm policy list src 10.1.0.0/16 nosock"));
        assertEquals(List.of(9L, 33L), indexes("ip xfrm policy list src 10.0.0.0/8 dir out"));
        assertEquals(List.of(33L), indexes("ip xfrm policy list action block"));
        assertEquals(List.of(33L), indexes("ip xfrm policy list proto tcp"));
        assertEquals(List.of(33L), indexes("ip xfrm policy list dport 25"));
        assertEquals(List.of(33L), indexes("ip xfrm policy list priority 10 ptype main"));
        assertEquals(List.of(16L), indexes("ip xfrm policy list index 16"));
        assertEquals(List.of(40L), indexes("ip -6 xfrm policy"));
        assertEquals(List.of(40L), indexes("ip xfrm policy list dst 2001:db8::/16"));
        assertEquals(List.of(9L, 16L, 26L, 33L), indexes("ip -4 xfrm policy"));
    }

    List<Long> indexes(String line) {
        String json = ip(line.replace("ip ", "ip -j "));
        return TestJson.array(json).stream().map(o -> (Long) TestJson.object(o).get("index")).toList();
    }

    @Test
    void getDeleteDeleteallFlush() {
        policies();
        assertEquals(LISTING.substring(0, LISTING.indexOf("src 10.2.0.0/16") - 1),
                ip("ip xfrm policy get src 10.1.0.0/16 dst 10.2.0.0/16 dir out"));
        assertEquals(ip("ip xfrm policy get src 10.1.0.0/16 dst 10.9.0.0/16 proto tcp dport 25 dir out mark 7 if_id 3"),
                ip("ip xfrm policy get index 33 dir out"));
        assertEquals(List.of("deletePolicy"), callsOf("ip xfrm policy delete src 10.1.0.0/16 dst 10.2.0.0/16 dir out"));
        assertEquals(List.of(XfrmDirection.OUT, NETS, Mark.NONE, 0), xfrm.calls().getFirst().args());
        assertEquals(List.of("deletePolicy"), callsOf("ip xfrm policy delete dir out index 0x21"));
        assertEquals(List.of(XfrmDirection.OUT, 33), xfrm.calls().getFirst().args());
        assertEquals(List.of("deletePolicy"), callsOf("ip xfrm policy deleteall dir fwd"));
        assertEquals(List.of(XfrmDirection.FWD, 26), xfrm.calls().getFirst().args());
        assertEquals(1, xfrm.policyCount());
        assertEquals(List.of("flushPolicies"), callsOf("ip xfrm policy flush ptype main"));
        assertEquals(0, xfrm.policyCount());
    }

    List<String> callsOf(String line) {
        xfrm.clearCalls();
        ip(line);
        return xfrm.callNames();
    }

    @Test
    void errors() {
        String add = "expected ip xfrm policy { add | update } SELECTOR dir DIR [mark MARK [mask MASK]] [index INDEX]"
                + " [action ACTION] [priority PRIORITY] [if_id IF_ID] [LIMIT-LIST] [TMPL-LIST]";
        String p = "ip xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 ";
        fails("ip xfrm policy add src 10.0.0.0/8 dst 10.1.0.0/16", "Error: \"dir\" argument is required: " + add);
        fails(p + "dir sideways", "Error: argument \"sideways\" is wrong: expected dir in, out or fwd");
        fails(p + "dir out dir in", "Error: argument \"dir\" is duplicate: give it at most once");
        fails(p + "dir out action allowed", "Error: argument \"allowed\" is wrong: expected action allow or block");
        fails(p + "dir out priority x", "Error: argument \"x\" is wrong: \"priority\" expects a number 0-4294967295 (decimal,"
                + " or hex after 0x)");
        fails(p + "dir out ptype foo", "Error: argument \"foo\" is wrong: expected ptype main");
        fails(p + "dir out ptype sub", "Error: argument \"sub\" is wrong: sub policies are not supported by Netfence:"
                + " expected ptype main");
        fails(p + "dir out flag localok", "Error: argument \"localok\" is wrong: policy flag localok is not supported by"
                + " Netfence: leave \"flag\" out");
        fails(p + "dir out ctx system_u", "Error: argument \"ctx\" is wrong: a security context is not supported by Netfence:"
                + " leave \"ctx\" out");
        fails(p + "dir out bogus", "Error: argument \"bogus\" is wrong: expected one of src, dst, dev, proto, sport, dport,"
                + " type, code, key, dir, mark, index, ptype, action, priority, limit, tmpl, if_id, offload");
        fails(p + "dir out src 10.3.0.0/16", "Error: argument \"src\" is wrong: the SELECTOR is given in one place: expected "
                + XfrmWords.SELECTOR_FORM);
        fails(p + "proto tcp type 8 dir out", "Error: argument \"type\" is wrong: type and code apply to proto icmp, ipv6-icmp"
                + " or mobility-header, not tcp");
        fails("ip xfrm policy add src 10.0.0.0/8 dst 2001:db8::/32 dir out",
                "Error: argument \"2001:db8::/32\" is wrong: \"src\" and \"dst\" must be of the same address family");
        fails("ip -6 xfrm policy add src 10.0.0.0/8 dir out",
                "Error: argument \"10.0.0.0/8\" is wrong: expected an inet6 prefix (option -6 is in effect)");
        fails(p + "dev eth9 dir out", "Error: Device \"eth9\" does not exist.");
        String tmpl = "expected tmpl src ADDR dst ADDR proto esp [spi SPI] [mode MODE] [reqid REQID] [level LEVEL]";
        fails(p + "dir out tmpl src 1.1.1.1 dst 2.2.2.2 mode tunnel", "Error: \"proto\" argument is required: " + tmpl);
        fails(p + "dir out tmpl", "Error: argument \"tmpl\" needs a value: expected tmpl src ADDR dst ADDR proto esp [spi SPI]"
                + " [mode MODE] [reqid REQID] [level LEVEL]");
        fails(p + "dir out tmpl proto esp level maybe", "Error: argument \"maybe\" is wrong: expected level required or use");
        fails(p + "dir out tmpl proto esp mode beet", "Error: argument \"beet\" is wrong: mode beet is not supported by Netfence:"
                + " expected transport or tunnel");
        fails(p + "dir out tmpl src 1.1.1.1 dst 2.2.2.2 proto ah mode tunnel", "Error: argument \"ah\" is wrong: Netfence"
                + " implements ESP only: expected proto esp");
        fails(p + "dir out tmpl proto esp mode tunnel", "Error: \"src\" argument is required: expected tmpl src ADDR dst ADDR"
                + " proto esp mode tunnel (a tunnel-mode template names the tunnel's endpoints)");
        fails(p + "dir out tmpl src 1.1.1.1 dst 2001:db8::1 proto esp mode tunnel",
                "Error: argument \"2001:db8::1\" is wrong: \"src\" and \"dst\" must be of the same address family");
        fails(p + "dir out limit time-hard x", "Error: argument \"x\" is wrong: \"time-hard\" expects a number"
                + " 0-9223372036854775807 (decimal, or hex after 0x)");
        fails(p + "dir out offload crypto dev eth0", "Error: argument \"crypto\" is wrong: a policy is offloaded whole: expected"
                + " offload packet dev DEV");
        fails(p + "dir fwd offload packet dev eth0", "Error: argument \"offload\" is wrong: packet offload applies to policies"
                + " of dir in or out, not fwd");
        String delete = "expected ip xfrm policy delete { SELECTOR | index INDEX } dir DIR [mark MARK [mask MASK]] [if_id IF_ID]";
        fails("ip xfrm policy delete src 10.0.0.0/8 dst 10.1.0.0/16", "Error: \"dir\" argument is required: " + delete);
        fails("ip xfrm policy delete dir out", "Error: \"SELECTOR or index\" argument is required: " + delete);
        fails("ip xfrm policy delete src 10.0.0.0/8 dir out index 5",
                "Error: argument \"index\" is wrong: a policy is named by its SELECTOR or by its index, not both");
        fails("ip xfrm policy get dir in index x", "Error: argument \"x\" is wrong: \"index\" expects a number 0-4294967295"
                + " (decimal, or hex after 0x)");
        fails("ip xfrm policy list dir bogus", "Error: argument \"bogus\" is wrong: expected dir in, out or fwd");
        fails("ip xfrm policy list bogus", "Error: argument \"bogus\" is wrong: expected one of src, dst, dev, proto, sport,"
                + " dport, type, code, key, dir, index, ptype, action, priority, nosock");
        fails("ip xfrm policy flush ptype sub", "Error: argument \"sub\" is wrong: sub policies are not supported by Netfence:"
                + " expected ptype main");
        fails("ip xfrm policy flush main", "Error: argument \"main\" is wrong: expected ip xfrm policy flush [ptype main]");
        fails("ip xfrm policy count x", "Error: argument \"x\" is wrong: expected ip xfrm policy count");
        fails("ip xfrm policy set hthresh4 24 24", "Error: command \"set\" is not supported by Netfence: its SPD has no hash"
                + " thresholds to tune");
        fails("ip xfrm policy getdefault", "Error: command \"getdefault\" is not supported by Netfence: it has no default"
                + " policies (traffic that no policy matches passes; to block it, add a policy with action block)");
        fails("ip xfrm policy frob", "Error: command \"frob\" is unknown: expected one of add, update, delete, get, deleteall,"
                + " list, flush, count, help");
    }

    @Test
    void existingPolicyIsRefusedByTheService() {
        ip("ip xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out " + TUNNEL);
        xfrm.clearCalls();
        CommandException e = assertThrows(CommandException.class,
                () -> ip("ip xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out " + TUNNEL));
        assertEquals("Error: policy exists: expected ip xfrm policy update", e.getMessage());
        assertTrue(e.getCause() instanceof XfrmException);
        assertEquals(1, xfrm.policyCount());
        e = assertThrows(CommandException.class,
                () -> ip("ip xfrm policy delete dir out index 5"));
        assertEquals("Error: no policy dir out index 5", e.getMessage());
    }

    @Test
    void help() {
        assertEquals(IpHelp.XFRM_POLICY, ip("ip xfrm policy help"));
        assertEquals(IpHelp.XFRM_POLICY, ip("ip x p h"));
    }
}
