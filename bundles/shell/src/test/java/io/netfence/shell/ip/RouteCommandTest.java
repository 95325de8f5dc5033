package io.netfence.shell.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netfence.net.api.Route;
import io.netfence.net.api.RouteType;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.shell.testing.TestJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteCommandTest extends IpTestBase {

    RouteCommandTest() {
        net.addAddress("eth0", IpPrefix.parse("10.0.0.1/24"));
        net.addAddress("eth1", IpPrefix.parse("10.1.0.1/24"));
        net.addAddress("eth0", IpPrefix.parse("2001:db8::1/64"));
        ip("ip route add default via 10.0.0.254");
        ip("ip route add 10.2.0.0/16 via 10.1.0.2 dev eth1 metric 10");
        ip("ip route add blackhole 10.9.0.0/16");
        net.clearCalls();
    }

    private static Route route(RouteType type, String prefix, String gateway, String dev, int metric, String src) {
        return new Route(type, IpPrefix.parse(prefix), gateway == null ? null : IpAddress.parse(gateway), dev, metric,
                src == null ? null : IpAddress.parse(src), "static");
    }

    @Test
    void addForms() {
        assertEquals(call("addRoute", route(RouteType.UNICAST, "10.3.0.0/16", "10.1.0.2", "eth1", 10, null)),
                call("ip route add 10.3.0.0/16 via 10.1.0.2 dev eth1 metric 10"));
        assertEquals(call("addRoute", route(RouteType.UNICAST, "10.4.0.0/16", "10.1.0.2", null, 0, null)),
                call("ip r a 10.4.0.0/16 via inet 10.1.0.2 table main proto static"));
        assertEquals(call("addRoute", route(RouteType.UNICAST, "::/0", "fe80::1", "eth0", 0, null)),
                call("ip ro add default via inet6 fe80::1 dev eth0"));
        assertEquals(call("addRoute", route(RouteType.UNICAST, "::/0", null, "eth1", 1, null)),
                call("ip -6 route add default dev eth1 metric 1"));
        assertEquals(call("addRoute", route(RouteType.UNREACHABLE, "10.8.0.0/16", null, null, 0, null)),
                call("ip route add unreachable 10.8.0.0/16"));
        assertEquals(call("addRoute", route(RouteType.PROHIBIT, "10.7.0.0/16", null, null, 5, null)),
                call("ip route add prohibit 10.7.0.0/16 metric 5"));
        assertEquals(call("addRoute", route(RouteType.LOCAL, "10.0.0.77/32", null, "eth0", 0, null)),
                call("ip route add local 10.0.0.77 dev eth0 table local"));
        assertEquals(call("addRoute", route(RouteType.UNICAST, "10.5.0.0/16", null, "eth1", 7, "10.1.0.1")),
                call("ip route add unicast to 10.5.0.0/16 dev eth1 src 10.1.0.1 preference 7"));
        assertEquals(call("addRoute", route(RouteType.UNICAST, "10.6.0.0/16", null, "eth1", 3, null)),
                call("ip route add 10.6.1.2/16 dev eth1 priority 3"));
    }

    @Test
    void replaceAndChange() {
        assertEquals(call("replaceRoute", route(RouteType.UNICAST, "10.2.0.0/16", "10.1.0.3", null, 10, null)),
                call("ip route replace 10.2.0.0/16 via 10.1.0.3 metric 10"));
        assertEquals(call("replaceRoute", route(RouteType.UNICAST, "0.0.0.0/0", "10.0.0.253", null, 0, null)),
                call("ip route change default via 10.0.0.253"));
        fails("ip route change 10.3.0.0/16 via 10.1.0.2", "Error: no route 10.3.0.0/16 metric 0 to change: expected an existing"
                + " route (ip route add or ip route replace create one)");
        fails("ip route chg 10.2.0.0/16 via 10.1.0.2", "Error: no route 10.2.0.0/16 metric 0 to change: expected an existing"
                + " route (ip route add or ip route replace create one)");
    }

    @Test
    void deleteMatchesTheGivenSelectors() {
        assertEquals(call("deleteRoute", IpPrefix.parse("10.2.0.0/16"), 10), call("ip route del 10.2.0.0/16"));
        assertEquals(call("deleteRoute", IpPrefix.parse("0.0.0.0/0"), 0), call("ip route delete default via 10.0.0.254"));
        assertEquals(call("deleteRoute", IpPrefix.parse("10.9.0.0/16"), 0), call("ip route d blackhole 10.9.0.0/16"));
        fails("ip route del 10.1.0.0/24 via 10.1.0.9", "Error: no such route: 10.1.0.0/24 via 10.1.0.9: expected one listed by"
                + " ip route show");
        fails("ip route del 10.0.0.1", "Error: no such route: 10.0.0.1: expected one listed by ip route show");
        assertEquals(call("deleteRoute", IpPrefix.parse("10.0.0.1/32"), 0), call("ip route del local 10.0.0.1 table local"));
    }

    @Test
    void errorsNameTheWord() {
        fails("ip route add 10.3.0.0/16 via 2001:db8::9",
                "Error: argument \"2001:db8::9\" is wrong: the gateway must be an inet address like the prefix 10.3.0.0/16");
        fails("ip route add 10.3.0.0/16 via inet6 10.1.0.2", "Error: argument \"10.1.0.2\" is wrong: \"via inet6\" expects an inet6 address");
        fails("ip route add 10.3.0.0/16 via 10.1.0.2 src 2001:db8::1",
                "Error: argument \"2001:db8::1\" is wrong: the source must be an inet address like the prefix 10.3.0.0/16");
        fails("ip route add blackhole 10.3.0.0/16 via 10.0.0.1", "Error: argument \"via\" is wrong: a blackhole route has no gateway");
        fails("ip route add 10.3.0.0/16", "Error: \"dev\" argument is required: expected via ADDRESS or dev DEV for a unicast route: "
                + "ip route { add | change | replace | delete } [TYPE] PREFIX [via [inet|inet6] ADDRESS] [dev DEV] [metric NUMBER] [src ADDRESS]");
        fails("ip route add local 10.0.0.5", "Error: \"dev\" argument is required: expected dev DEV for a local route: "
                + "ip route { add | change | replace | delete } [TYPE] PREFIX [via [inet|inet6] ADDRESS] [dev DEV] [metric NUMBER] [src ADDRESS]");
        fails("ip route add 10.3.0.0/16 via 10.1.0.2 table 7",
                "Error: argument \"7\" is wrong: expected one of main, local, all (the appliance has no other tables)");
        fails("ip route add 10.3.0.0/16 via 10.1.0.2 table local",
                "Error: argument \"local\" is wrong: table local holds only routes of type local; expected table main");
        fails("ip route add 10.3.0.0/16 via 10.1.0.2 metric -1", "Error: argument \"-1\" is wrong: \"metric\" expects an integer 0-2147483647");
        fails("ip route add 10.3.0.0/16 via 10.1.0.2 metric", "Error: argument \"metric\" needs a value: expected metric 0-2147483647");
        fails("ip route add 10.3.0.0/16 via 10.1.0.2 weight 2", "Error: argument \"weight\" is wrong: expected one of via, dev, metric,"
                + " src, table, proto");
        fails("ip route add 10.3.0.0/16 dev eth9", "Error: Device \"eth9\" does not exist.");
        fails("ip route add 10.3.0.0/16 via 10.1.0.2 proto bgp", "Error: argument \"bgp\" is wrong: expected static or boot (routes made"
                + " by operators)");
        fails("ip route add 10.3.0.0/33 dev eth1",
                "Error: argument \"10.3.0.0/33\" is wrong: expected PREFIX like 10.0.0.1/24, 2001:db8::1/64 or default");
        fails("ip -6 route add 10.3.0.0/16 dev eth1",
                "Error: argument \"10.3.0.0/16\" is wrong: expected an inet6 prefix (option -6 is in effect)");
        fails("ip route add via 10.1.0.2", "Error: \"PREFIX\" argument is required: expected ip route { add | change | replace | delete }"
                + " [TYPE] PREFIX [via [inet|inet6] ADDRESS] [dev DEV] [metric NUMBER] [src ADDRESS]");
        fails("ip route frob", "Error: command \"frob\" is unknown: expected one of add, change, replace, delete, show, get, flush, help");
        fails("ip route add 10.3.0.0/16 dev eth1 dev eth0", "Error: argument \"dev\" is duplicate: give it at most once");
    }

    @Test
    void showLikeIproute2() {
        String main = String.join("\n",
                "default via 10.0.0.254",
                "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1",
                "10.1.0.0/24 dev eth1 proto kernel scope link src 10.1.0.1",
                "10.2.0.0/16 via 10.1.0.2 dev eth1 metric 10",
                "blackhole 10.9.0.0/16");
        assertEquals(main, ip("ip route"));
        assertEquals(main, ip("ip route show"));
        assertEquals(main, ip("ip r list"));
        assertEquals(main, ip("ip ro sh table main"));
        assertEquals(main, ip("ip -4 route lst"));
    }

    @Test
    void localRoutesLiveInTableLocal() {
        assertEquals("local 10.0.0.1 dev eth0 proto kernel scope host src 10.0.0.1\n"
                + "local 10.1.0.1 dev eth1 proto kernel scope host src 10.1.0.1", ip("ip route show table local"));
        assertEquals(String.join("\n",
                "default via 10.0.0.254",
                "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1",
                "local 10.0.0.1 dev eth0 table local proto kernel scope host src 10.0.0.1",
                "10.1.0.0/24 dev eth1 proto kernel scope link src 10.1.0.1",
                "local 10.1.0.1 dev eth1 table local proto kernel scope host src 10.1.0.1",
                "10.2.0.0/16 via 10.1.0.2 dev eth1 metric 10",
                "blackhole 10.9.0.0/16",
                "2001:db8::/64 dev eth0 proto kernel scope link src 2001:db8::1",
                "local 2001:db8::1 dev eth0 table local proto kernel scope host src 2001:db8::1"), ip("ip route show table all"));
    }

    @Test
    void showSelectors() {
        assertEquals("2001:db8::/64 dev eth0 proto kernel scope link src 2001:db8::1", ip("ip -6 route"));
        assertEquals("2001:db8::/64 dev eth0 proto kernel scope link src 2001:db8::1", ip("ip route show root 2001:db8::/32"));
        assertEquals("10.1.0.0/24 proto kernel scope link src 10.1.0.1\n10.2.0.0/16 via 10.1.0.2 metric 10", ip("ip route show dev eth1"));
        assertEquals(String.join("\n",
                "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1",
                "10.1.0.0/24 dev eth1 proto kernel scope link src 10.1.0.1",
                "10.2.0.0/16 via 10.1.0.2 dev eth1 metric 10",
                "blackhole 10.9.0.0/16"), ip("ip route show root 10.0.0.0/8"));
        assertEquals("default via 10.0.0.254\n10.2.0.0/16 via 10.1.0.2 dev eth1 metric 10", ip("ip route show match 10.2.3.4"));
        assertEquals("10.2.0.0/16 via 10.1.0.2 dev eth1 metric 10", ip("ip route show exact 10.2.0.0/16"));
        assertEquals("10.2.0.0/16 via 10.1.0.2 dev eth1 metric 10", ip("ip route show 10.2.0.0/16"));
        assertEquals("blackhole 10.9.0.0/16", ip("ip route show type blackhole"));
        assertEquals("10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1\n10.1.0.0/24 dev eth1 proto kernel scope link src 10.1.0.1",
                ip("ip route show proto kernel"));
        assertEquals("10.2.0.0/16 via 10.1.0.2 dev eth1 proto static metric 10", ip("ip -d route show 10.2.0.0/16"));
        assertNull(ip("ip route show exact 10.99.0.0/16"));
        fails("ip route show type bogus", "Error: argument \"bogus\" is wrong: expected one of unicast, local, blackhole, unreachable, prohibit");
        fails("ip route show table 7", "Error: argument \"7\" is wrong: expected one of main, local, all (the appliance has no other tables)");
        fails("ip route show dev eth9", "Error: Device \"eth9\" does not exist.");
    }

    @Test
    void jsonLikeIproute2() {
        List<Object> routes = TestJson.array(ip("ip -j route"));
        assertEquals(5, routes.size());
        assertEquals(Map.of("dst", "default", "gateway", "10.0.0.254", "flags", List.of()), routes.get(0));
        assertEquals(Map.of("dst", "10.0.0.0/24", "dev", "eth0", "protocol", "kernel", "scope", "link", "prefsrc", "10.0.0.1",
                "flags", List.of()), routes.get(1));
        assertEquals(Map.of("dst", "10.2.0.0/16", "gateway", "10.1.0.2", "dev", "eth1", "metric", 10L, "flags", List.of()),
                routes.get(3));
        assertEquals(Map.of("type", "blackhole", "dst", "10.9.0.0/16", "flags", List.of()), routes.get(4));
        Map<String, Object> local = TestJson.object(TestJson.array(ip("ip -j -p route show table all")).get(2));
        assertEquals("local", local.get("table"));
        assertEquals("host", local.get("scope"));
        assertEquals("[]", ip("ip -j route show exact 10.99.0.0/16"));
    }

    @Test
    void getLikeIproute2() {
        assertEquals("10.2.0.5 via 10.1.0.2 dev eth1 src 10.1.0.1", ip("ip route get 10.2.0.5"));
        assertEquals("10.0.0.9 dev eth0 src 10.0.0.1", ip("ip route get 10.0.0.9"));
        assertEquals("local 10.0.0.1 dev eth0 src 10.0.0.1", ip("ip route get to 10.0.0.1"));
        assertEquals("blackhole 10.9.1.1", ip("ip route get 10.9.1.1"));
        assertEquals("192.168.1.1 via 10.0.0.254 dev eth0 src 10.0.0.1", ip("ip route get 192.168.1.1"));
        assertEquals(List.of(Map.of("dst", "10.2.0.5", "gateway", "10.1.0.2", "dev", "eth1", "prefsrc", "10.1.0.1")),
                TestJson.parse(ip("ip -j route get 10.2.0.5")));
        ip("ip route del default");
        net.clearCalls();
        fails("ip route get 192.168.1.1", "Error: no route to 192.168.1.1: Network is unreachable (add one with ip route add)");
        fails("ip route get 10.2.0.0/16", "Error: argument \"10.2.0.0/16\" is wrong: expected a single address (/32), not a network");
        fails("ip route get", "Error: \"ADDRESS\" argument is required: expected ip route get ADDRESS");
        fails("ip route get 10.0.0.1 10.0.0.2", "Error: argument \"10.0.0.2\" is wrong: expected ip route get ADDRESS");
        fails("ip route get 10.0.0.x", "Error: argument \"10.0.0.x\" is wrong: expected an address like 10.0.0.1 or 2001:db8::1");
    }

    @Test
    void flushForms() {
        assertEquals(call("flushRoutes", 4), call("ip route flush"));
        assertEquals(call("flushRoutes", 4), call("ip route flush table main"));
        assertEquals(call("flushRoutes", 6), call("ip -6 route flush table all"));
        net.clearCalls();
        assertNull(ip("ip route flush cache"));
        assertEquals(List.of(), net.calls());
        fails("ip route flush table local", "Error: argument \"local\" is wrong: local routes come from addresses (ip address flush"
                + " removes them); expected table main");
        fails("ip route flush dev eth0", "Error: argument \"dev\" is wrong: expected ip route flush [table main]");
    }

    @Test
    void help() {
        assertEquals(IpHelp.ROUTE, ip("ip route help"));
        assertEquals(IpHelp.ROUTE, ip("ip r show help"));
    }
}
