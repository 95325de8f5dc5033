package io.netfence.shell.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkSpec;
import io.netfence.packet.MacAddress;
import io.netfence.shell.testing.FakeNetService;
import io.netfence.shell.testing.TestJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinkCommandTest extends IpTestBase {

    private static final String ETH0 = """
            1: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default
                link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff""";
    private static final String ETH1 = """
            2: eth1: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default
                link/ether 02:00:00:00:00:02 brd ff:ff:ff:ff:ff:ff""";

    private void counters() {
        FakeNetService.FakeLink l = net.fakeLink("eth0");
        l.rxBytes = 46416482;
        l.rxPackets = 360716;
        l.rxDropped = 4;
        l.txBytes = 1234;
        l.txPackets = 12;
        l.dropReasons.put("bad_ipv4_csum", 1L);
        l.dropReasons.put("truncated_ipv4", 3L);
    }

    @Test
    void addWithEveryOption() {
        assertEquals(call("addLink", new LinkSpec("gen0", "gen", 9000, MacAddress.parse("02:aa:00:00:00:01"), 4,
                        List.of("dst", "198.19.0.2", "flows", "8"))),
                call("ip link add gen0 mtu 9000 address 02:aa:00:00:00:01 numrxqueues 4 type gen dst 198.19.0.2 flows 8"));
        assertEquals(call("addLink", new LinkSpec("p0", "pcap", 0, null, 0, List.of("rx", "a.pcap", "tx", "b.pcap"))),
                call("ip link add name p0 type pcap rx a.pcap tx b.pcap"));
        assertEquals(call("addLink", new LinkSpec("s0", "sink", 0, null, 0, List.of())), call("ip l a dev s0 type sink"));
    }

    @Test
    void typeWithoutDriverListsTheTypes() {
        fails("ip link add x0 type bogus", "Error: argument \"bogus\" is wrong: unknown link type, expected one of gen, pcap, sink, tap");
        fails("ip link add x0 type", "Error: argument \"type\" needs a value: expected type TYPE (gen | pcap | sink | tap)");
        fails("ip link add x0 mtu 1400", "Error: \"type\" argument is required: expected ip link add NAME type TYPE [ARGS] (see ip link help)");
        net.setTypes();
        fails("ip link add x0 type tap", "Error: argument \"tap\" is wrong: unknown link type, and no link driver is present now");
    }

    @Test
    void addErrorsNameTheWord() {
        fails("ip link add type tap", "Error: \"name\" argument is required: expected ip link add NAME type tap [ARGS]");
        fails("ip link add x0 mtu 20 type tap", "Error: argument \"20\" is wrong: \"mtu\" expects an integer 68-65535");
        fails("ip link add x0 mtu big type tap", "Error: argument \"big\" is wrong: \"mtu\" expects an integer 68-65535");
        fails("ip link add x0 address 01:00:5e:00:00:01 type tap", "Error: argument \"01:00:5e:00:00:01\" is wrong: \"address\""
                + " expects a unicast address, six hex octets like 02:00:00:00:00:01 (the first octet even, not all zero)");
        fails("ip link add x0 address 02:00 type tap", "Error: argument \"02:00\" is wrong: \"address\" expects six hex octets"
                + " like 02:00:00:00:00:01");
        fails("ip link add x0 numrxqueues 0 type tap", "Error: argument \"0\" is wrong: \"numrxqueues\" expects an integer 1-1024");
        fails("ip link add x0 y0 type tap", "Error: argument \"y0\" is wrong: expected one of name, mtu, address, numrxqueues, type");
        fails("ip link add x0 mtu 1400 mtu 1500 type tap", "Error: argument \"mtu\" is duplicate: give it at most once");
        fails("ip link add this-name-is-too-long type tap", "Error: argument \"this-name-is-too-long\" is wrong: expected a device"
                + " name of 1-15 printable characters without '/', ':' or blanks");
        fails("ip link add a/b type tap", "Error: argument \"a/b\" is wrong: expected a device name of 1-15 printable characters"
                + " without '/', ':' or blanks");
    }

    @Test
    void driverRefusalIsReportedAndChangesNothing() {
        String before = net.snapshot();
        net.clearCalls();
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.netfence.shell.text.CommandException.class,
                () -> ip("ip link add eth0 type tap"));
        assertEquals("Error: Device \"eth0\" exists.", e.getMessage());
        assertEquals(before, net.snapshot());
    }

    @Test
    void typeHelpPrintsTheDriverUsage() {
        assertEquals("Usage: ip link add NAME type pcap rx FILE tx FILE [loop COUNT]", ip("ip link add p0 type pcap help"));
        assertEquals("Usage: ip link add NAME type pcap rx FILE tx FILE [loop COUNT]", ip("ip link help pcap"));
        assertEquals("Usage: ip link add NAME type sink\nThe sink link type takes no arguments.", ip("ip link help sink"));
        assertEquals(List.of(), net.calls());
    }

    @Test
    void deleteForms() {
        assertEquals(call("deleteLink", "eth1"), call("ip link delete eth1"));
        net.addLink(new LinkSpec("eth1", "tap", 0, null, 0, List.of()));
        assertEquals(call("deleteLink", "eth1"), call("ip link del dev eth1"));
        fails("ip link delete", "Error: \"dev\" argument is required: expected ip link delete [dev] DEV");
        fails("ip link delete eth9", "Error: Device \"eth9\" does not exist.");
        fails("ip link delete eth0 eth0", "Error: argument \"eth0\" is wrong: expected ip link delete [dev] DEV");
    }

    @Test
    void setForms() {
        assertEquals(call("setLink", "eth1", new LinkChange(true, null, null)), call("ip link set eth1 up"));
        assertEquals(call("setLink", "eth1", new LinkChange(false, 9000, MacAddress.parse("02:00:00:00:00:99"))),
                call("ip link set dev eth1 down mtu 9000 address 02:00:00:00:00:99"));
        assertEquals(call("setLink", "eth0", new LinkChange(null, 1400, null)), call("ip li s eth0 mtu 1400"));
    }

    @Test
    void setErrorsNameTheWord() {
        fails("ip link set eth0 mtuu 1400", "Error: argument \"mtuu\" is wrong: expected one of up, down, mtu, address");
        fails("ip link set eth0 up down", "Error: argument \"down\" is wrong: give one of up, down, once");
        fails("ip link set eth0", "Error: nothing to change on \"eth0\": expected one of up, down, mtu, address");
        fails("ip link set up", "Error: \"dev\" argument is required: expected ip link set [dev] DEV [up|down] [mtu MTU] [address LLADDR]");
        fails("ip link set eth9 up", "Error: Device \"eth9\" does not exist.");
        fails("ip link set eth0 mtu", "Error: argument \"mtu\" needs a value: expected mtu 68-65535");
        fails("ip link frob eth0", "Error: command \"frob\" is unknown: expected one of add, delete, set, show, help");
    }

    @Test
    void showLikeIproute2() {
        assertEquals(ETH0 + "\n" + ETH1, ip("ip link"));
        assertEquals(ETH0 + "\n" + ETH1, ip("ip link show"));
        assertEquals(ETH1, ip("ip link show eth1"));
        assertEquals(ETH1, ip("ip l sh dev eth1"));
        assertEquals(ETH0, ip("ip link show up"));
        assertEquals(ETH1, ip("ip link show type pcap"));
        assertNull(ip("ip link show type gen"));
        fails("ip link show eth9", "Error: Device \"eth9\" does not exist.");
        fails("ip link show eth0 eth1", "Error: argument \"eth1\" is wrong: expected one of dev, up, type");
    }

    @Test
    void adminUpWithoutCarrierIsNoCarrier() {
        net.fakeLink("eth1").up = true;
        net.fakeLink("eth1").carrier = false;
        assertTrue(ip("ip link show eth1").startsWith(
                "2: eth1: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default"));
    }

    @Test
    void loopbackIsShownAsLinux() {
        net.setTypes("loopback");
        net.addLink(new LinkSpec("lo", "loopback", 0, MacAddress.ZERO, 0, List.of()));
        net.fakeLink("lo").up = true;
        assertEquals("""
                3: lo: <LOOPBACK,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN mode DEFAULT group default
                    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00""", ip("ip link show lo"));
    }

    @Test
    void xfrmInterfaceIsShownAsLinux() {
        net.setTypes("xfrm");
        net.addLink(new LinkSpec("ipsec0", "xfrm", 0, null, 0, List.of("dev", "eth1", "if_id", "0x7")));
        assertEquals("""
                3: ipsec0: <NOARP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default
                    link/none""", ip("ip link show ipsec0"));
        net.fakeLink("ipsec0").up = true;
        assertEquals("""
                3: ipsec0: <NOARP,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN mode DEFAULT group default
                    link/none
                    xfrm dev eth1 if_id 0x7 numrxqueues 1""", ip("ip -d link show ipsec0"));
        Map<?, ?> json = (Map<?, ?>) ((List<?>) TestJson.parse(ip("ip -j link show ipsec0"))).getFirst();
        assertEquals("none", json.get("link_type"));
        assertEquals(List.of("NOARP", "UP", "LOWER_UP"), json.get("flags"));
        assertTrue(!json.containsKey("address") && !json.containsKey("broadcast"), "no link-layer address: " + json);
    }

    @Test
    void detailsLine() {
        assertEquals(ETH1 + "\n    pcap rx in.pcap tx out.pcap numrxqueues 1", ip("ip -d link show eth1"));
    }

    @Test
    void statsBlockInIproute2Layout() {
        counters();
        assertEquals(String.join("\n", ETH0,
                "    RX:  bytes packets errors dropped  missed   mcast",
                "      46416482  360716      0       4       0       0",
                "    TX:  bytes packets errors dropped carrier collsns",
                "          1234      12      0       0       0       0"), ip("ip -s link show eth0"));
        assertEquals(ip("ip -s link show eth0"), ip("ip -stats link show eth0"));
    }

    @Test
    void statsColumnsWidenForBigNumbers() {
        FakeNetService.FakeLink l = net.fakeLink("eth0");
        l.rxBytes = 123456789012L;
        l.rxPackets = 123456789L;
        l.txBytes = 1234;
        assertEquals(String.join("\n", ETH0,
                "    RX:    bytes   packets errors dropped  missed   mcast",
                "    123456789012 123456789      0       0       0       0",
                "    TX:    bytes   packets errors dropped carrier collsns",
                "            1234         0      0       0       0       0"), ip("ip -s link show eth0"));
    }

    @Test
    void secondStatsAddsTheDropReasons() {
        counters();
        assertEquals(String.join("\n", ETH0,
                "    RX:  bytes packets errors dropped  missed   mcast",
                "      46416482  360716      0       4       0       0",
                "    RX drops: truncated_ipv4 3 bad_ipv4_csum 1",
                "    TX:  bytes packets errors dropped carrier collsns",
                "          1234      12      0       0       0       0"), ip("ip -s -s link show eth0"));
    }

    @Test
    void onelineJoinsARecordWithBackslashes() {
        assertEquals(ETH0.replace("\n", "\\") + "\n" + ETH1.replace("\n", "\\"), ip("ip -o link"));
        assertEquals(ETH0.replace("\n", "\\"), ip("ip -oneline link show eth0"));
    }

    @Test
    void jsonLikeIproute2() {
        counters();
        List<Object> links = TestJson.array(ip("ip -j link"));
        assertEquals(2, links.size());
        Map<String, Object> eth0 = TestJson.object(links.getFirst());
        assertEquals(List.of("ifindex", "ifname", "flags", "mtu", "qdisc", "operstate", "linkmode", "group", "link_type",
                "address", "broadcast"), List.copyOf(eth0.keySet()));
        assertEquals(1L, eth0.get("ifindex"));
        assertEquals("eth0", eth0.get("ifname"));
        assertEquals(List.of("BROADCAST", "MULTICAST", "UP", "LOWER_UP"), eth0.get("flags"));
        assertEquals(1500L, eth0.get("mtu"));
        assertEquals("UP", eth0.get("operstate"));
        assertEquals("ether", eth0.get("link_type"));
        assertEquals("02:00:00:00:00:01", eth0.get("address"));
        assertEquals("ff:ff:ff:ff:ff:ff", eth0.get("broadcast"));
        assertEquals("DOWN", TestJson.object(links.get(1)).get("operstate"));
    }

    @Test
    void jsonWithStatsAndDetails() {
        counters();
        Map<String, Object> eth0 = TestJson.object(TestJson.array(ip("ip -j -p -s -s -d link show eth0")).getFirst());
        Map<String, Object> stats = TestJson.object(eth0.get("stats64"));
        assertEquals(Map.of("bytes", 46416482L, "packets", 360716L, "errors", 0L, "dropped", 4L, "over_errors", 0L,
                "multicast", 0L, "drop_reasons", Map.of("truncated_ipv4", 3L, "bad_ipv4_csum", 1L)), stats.get("rx"));
        assertEquals(Map.of("bytes", 1234L, "packets", 12L, "errors", 0L, "dropped", 0L, "carrier_errors", 0L,
                "collisions", 0L), stats.get("tx"));
        Map<String, Object> eth1 = TestJson.object(TestJson.array(ip("ip -j -d link show eth1")).getFirst());
        assertEquals(Map.of("info_kind", "pcap", "info_data", Map.of("rx", "in.pcap", "tx", "out.pcap")), eth1.get("linkinfo"));
        assertEquals(1L, eth1.get("num_rx_queues"));
        assertTrue(ip("ip -j -p link show eth1").contains("\n    {\n        \"ifindex\": 2,"));
    }

    @Test
    void emptyListIsEmptyJsonArray() {
        assertEquals("[]", ip("ip -j link show type gen"));
    }

    @Test
    void helpTexts() {
        assertEquals(IpHelp.LINK, ip("ip link help"));
        assertEquals(IpHelp.LINK, ip("ip link add help"));
        assertTrue(IpHelp.LINK.contains("RX drops: truncated_ipv4 3 bad_ipv4_csum 1"));
        assertTrue(IpHelp.LINK.startsWith("Usage: ip link add [ name ] NAME"));
    }
}
