package io.netfence.net.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.AddressInfo;
import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkInfo;
import io.netfence.net.api.LinkSpec;
import io.netfence.net.api.NetException;
import io.netfence.net.api.Route;
import io.netfence.net.api.RouteLookup;
import io.netfence.net.api.RouteType;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.MacAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The control plane's rules: what it accepts, what it refuses, and that a refusal changes nothing. */
class ControlPlaneTest extends DataplaneFixture {

    /** Everything an operator can see, to compare before and after a refused call. */
    private String snapshot() {
        return net.links().stream().map(l -> l.index() + " " + l.name() + " " + l.type() + " " + l.mtu() + " " + l.mac()
                + " " + l.adminUp() + " " + l.rxQueues()).toList()
                + "\n" + net.addresses() + "\n" + net.routes(0)
                + "\n" + net.neighbours().stream().map(n -> n.device() + " " + n.address() + " " + n.mac() + " " + n.state()).toList()
                + "\n" + net.workerCount();
    }

    private void refusedAndUnchanged(String expectedWord, Executable call) {
        String before = snapshot();
        NetException e = assertThrows(NetException.class, call::run);
        assertTrue(e.getMessage().contains(expectedWord), "message names \"" + expectedWord + "\": " + e.getMessage());
        assertEquals(before, snapshot(), "a refused call changes nothing");
    }

    private interface Executable {
        void run();
    }

    private static IpPrefix p(String s) {
        return IpPrefix.parse(s);
    }

    private static IpAddress a(String s) {
        return IpAddress.parse(s);
    }

    @Test
    void startsWithLoopbackAndItsAddresses() {
        LinkInfo lo = net.link("lo");
        assertEquals(1, lo.index());
        assertEquals("loopback", lo.type());
        assertTrue(lo.adminUp() && lo.operUp());
        assertTrue(net.addresses().stream().anyMatch(x -> x.prefix().equals(p("127.0.0.1/8")) && x.scope().equals("host")));
        RouteLookup r = net.routeGet(a("127.0.0.1"));
        assertEquals(RouteType.LOCAL, r.route().type());
        assertThrows(NetException.class, () -> net.deleteLink("lo"));
    }

    @Test
    void linksGetDefaultsStayDownAndIndexesAreNeverReused() {
        LinkInfo l = net.addLink(new LinkSpec("eth0", QueueDriver.TYPE, 0, null, 0, List.of()));
        assertEquals(2, l.index());
        assertEquals(1500, l.mtu());
        assertFalse(l.adminUp(), "a new link is down, as on Linux");
        assertFalse(l.mac().isMulticast());
        assertEquals(0x02, (int) (l.mac().bits() >>> 40) & 0x03, "locally administered unicast");
        assertEquals(1, l.rxQueues());
        net.deleteLink("eth0");
        assertTrue(driver.devices.get("eth0").closed, "the device is closed with its link");
        assertEquals(3, net.addLink(new LinkSpec("eth0", QueueDriver.TYPE, 0, null, 0, List.of())).index());
    }

    @Test
    void badLinkRequestsAreRefusedNamingTheField() {
        net.addLink(new LinkSpec("eth0", QueueDriver.TYPE, 0, null, 0, List.of()));
        refusedAndUnchanged("exists", () -> net.addLink(new LinkSpec("eth0", QueueDriver.TYPE, 0, null, 0, List.of())));
        refusedAndUnchanged("name", () -> net.addLink(new LinkSpec("has space", QueueDriver.TYPE, 0, null, 0, List.of())));
        refusedAndUnchanged("name", () -> net.addLink(new LinkSpec("a-name-far-too-long", QueueDriver.TYPE, 0, null, 0, List.of())));
        refusedAndUnchanged("mtu", () -> net.addLink(new LinkSpec("eth1", QueueDriver.TYPE, 70000, null, 0, List.of())));
        refusedAndUnchanged("address", () -> net.addLink(new LinkSpec("eth1", QueueDriver.TYPE, 0,
                MacAddress.parse("01:00:5e:00:00:01"), 0, List.of())));
        refusedAndUnchanged("numrxqueues", () -> net.addLink(new LinkSpec("eth1", QueueDriver.TYPE, 0, null, 5000, List.of())));
        refusedAndUnchanged("nosuch", () -> net.addLink(new LinkSpec("eth1", "nosuch", 0, null, 0, List.of())));
        refusedAndUnchanged("bogus", () -> net.addLink(new LinkSpec("eth1", QueueDriver.TYPE, 0, null, 0, List.of("bogus"))));
        refusedAndUnchanged("refused", () -> net.addLink(new LinkSpec("eth1", QueueDriver.TYPE, 0, null, 0,
                List.of("refuse", "yes"))));
        refusedAndUnchanged("mtu", () -> net.setLink("eth0", new LinkChange(true, 20, null)));
        refusedAndUnchanged("does not exist", () -> net.setLink("eth9", new LinkChange(true, null, null)));
        assertFalse(net.link("eth0").adminUp(), "the refused set did not bring the link up either");
    }

    @Test
    void upDownAndMtuReachTheDevice() {
        link("eth0", 0x02_00_00_00_00_01L);
        QueueDriver.QueueDevice d = driver.devices.get("eth0");
        assertTrue(d.up);
        net.setLink("eth0", new LinkChange(false, 9000, null));
        assertFalse(d.up);
        assertEquals(9000, d.mtu);
        assertFalse(net.link("eth0").operUp());
    }

    @Test
    void everyLinkHasAnEui64LinkLocalAddressThatFollowsItsMac() {
        link("eth0", 0x02_11_22_33_44_55L);
        assertTrue(net.addresses().stream().anyMatch(x -> x.linkName().equals("eth0")
                && x.prefix().equals(p("fe80::11:22ff:fe33:4455/64")) && x.scope().equals("link")), net.addresses().toString());
        net.setLink("eth0", new LinkChange(null, null, MacAddress.parse("02:00:00:00:00:07")));
        List<AddressInfo> ll = net.addresses().stream().filter(x -> x.linkName().equals("eth0")).toList();
        assertEquals(List.of(p("fe80::ff:fe00:7/64")), ll.stream().map(AddressInfo::prefix).toList());
    }

    @Test
    void anAddressBringsItsLocalAndConnectedRoutesAndTakesThemAway() {
        link("eth0", 0x02_00_00_00_00_01L, "10.0.0.1/24");
        net.addAddress("eth0", p("10.0.0.9/24"));
        List<Route> routes = net.routes(4);
        assertTrue(routes.stream().anyMatch(r -> r.type() == RouteType.LOCAL && r.prefix().equals(p("10.0.0.1/32"))));
        assertEquals(1, routes.stream().filter(r -> r.prefix().equals(p("10.0.0.0/24"))).count(), "one connected route");
        Route connected = routes.stream().filter(r -> r.prefix().equals(p("10.0.0.0/24"))).findFirst().orElseThrow();
        assertEquals("kernel", connected.protocol());
        assertEquals("eth0", connected.device());
        assertNull(connected.gateway());

        net.deleteAddress("eth0", p("10.0.0.1/24"));
        assertTrue(net.routes(4).stream().anyMatch(r -> r.prefix().equals(p("10.0.0.0/24"))), "the sibling keeps the subnet");
        net.deleteAddress("eth0", p("10.0.0.9/24"));
        assertFalse(net.routes(4).stream().anyMatch(r -> r.prefix().equals(p("10.0.0.0/24"))));
        assertNull(net.routeGet(a("10.0.0.5")).route());
    }

    @Test
    void badAddressesAreRefused() {
        link("eth0", 0x02_00_00_00_00_01L, "10.0.0.1/24");
        link("eth1", 0x02_00_00_00_00_02L);
        refusedAndUnchanged("exists", () -> net.addAddress("eth0", p("10.0.0.1/16")));
        refusedAndUnchanged("eth0", () -> net.addAddress("eth1", p("10.0.0.1/24")));
        refusedAndUnchanged("unicast", () -> net.addAddress("eth1", p("224.0.0.1/4")));
        refusedAndUnchanged("unicast", () -> net.addAddress("eth1", p("0.0.0.0/0")));
        refusedAndUnchanged("not assigned", () -> net.deleteAddress("eth1", p("10.0.0.1/24")));
        refusedAndUnchanged("does not exist", () -> net.addAddress("nope", p("10.9.0.1/24")));
    }

    @Test
    void gatewayRoutesNeedAConnectedRouteAndResolveTheirDevice() {
        link("eth0", 0x02_00_00_00_00_01L, "10.0.0.1/24");
        link("eth1", 0x02_00_00_00_00_02L, "10.1.0.1/24");
        net.addRoute(Route.via(p("0.0.0.0/0"), a("10.1.0.254"), null));
        RouteLookup r = net.routeGet(a("8.8.8.8"));
        assertEquals("eth1", r.device());
        assertEquals(a("10.1.0.254"), r.nextHop());
        assertEquals(a("10.1.0.1"), r.source());

        refusedAndUnchanged("invalid gateway", () -> net.addRoute(Route.via(p("192.0.2.0/24"), a("172.16.0.1"), null)));
        refusedAndUnchanged("invalid gateway", () -> net.addRoute(Route.via(p("192.0.2.0/24"), a("10.1.0.254"), "eth0")));
        refusedAndUnchanged("exists", () -> net.addRoute(Route.via(p("0.0.0.0/0"), a("10.0.0.254"), null)));
        refusedAndUnchanged("Cannot find device", () -> net.addRoute(new Route(RouteType.UNICAST, p("192.0.2.0/24"), null,
                "eth9", 0, null, "static")));
        refusedAndUnchanged("via", () -> net.addRoute(new Route(RouteType.UNICAST, p("192.0.2.0/24"), a("2001:db8::1"),
                null, 0, null, "static")));
        refusedAndUnchanged("dev", () -> net.addRoute(new Route(RouteType.UNICAST, p("192.0.2.0/24"), null, null, 0, null,
                "static")));
        refusedAndUnchanged("prefsrc", () -> net.addRoute(new Route(RouteType.UNICAST, p("192.0.2.0/24"), null, "eth0", 0,
                a("10.9.9.9"), "static")));

        // Another metric is another route; the lower one is used.
        net.addRoute(new Route(RouteType.UNICAST, p("0.0.0.0/0"), a("10.0.0.254"), null, 10, null, "static"));
        assertEquals("eth1", net.routeGet(a("8.8.8.8")).device());
        net.deleteRoute(p("0.0.0.0/0"), 0);
        assertEquals("eth0", net.routeGet(a("8.8.8.8")).device(), "the metric 10 route takes over");
        net.replaceRoute(new Route(RouteType.UNICAST, p("0.0.0.0/0"), a("10.1.0.9"), null, 10, null, "static"));
        assertEquals(a("10.1.0.9"), net.routeGet(a("8.8.8.8")).nextHop());
        refusedAndUnchanged("does not exist", () -> net.deleteRoute(p("192.0.2.0/24"), -1));
    }

    @Test
    void deletingALinkTakesItsRoutesAddressesAndNeighbours() {
        link("eth0", 0x02_00_00_00_00_01L, "10.0.0.1/24", "2001:db8::1/64");
        net.addRoute(Route.via(p("192.0.2.0/24"), a("10.0.0.254"), null));
        net.addNeighbour("eth0", a("10.0.0.254"), MacAddress.parse("02:00:00:00:00:fe"));
        net.deleteLink("eth0");
        assertTrue(net.routes(0).stream().noneMatch(r -> "eth0".equals(r.device())), net.routes(0).toString());
        assertTrue(net.addresses().stream().noneMatch(x -> x.linkName().equals("eth0")));
        assertTrue(net.neighbours().isEmpty());
        assertNull(net.routeGet(a("192.0.2.1")).route());
    }

    @Test
    void flushRemovesStaticRoutesOnly() {
        link("eth0", 0x02_00_00_00_00_01L, "10.0.0.1/24");
        net.addRoute(Route.via(p("192.0.2.0/24"), a("10.0.0.254"), null));
        net.addRoute(new Route(RouteType.BLACKHOLE, p("198.51.100.0/24"), null, null, 0, null, "static"));
        net.flushRoutes(4);
        assertTrue(net.routes(4).stream().allMatch(r -> r.protocol().equals("kernel")), net.routes(4).toString());
        assertNotNull(net.routeGet(a("10.0.0.7")).route());
    }

    @Test
    void aBatchOfRoutesIsAllOrNothingAndAHundredThousandLoadQuickly() {
        link("eth0", 0x02_00_00_00_00_01L, "10.0.0.1/24");
        List<Route> batch = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            int net24 = 0x1400_0000 | (i << 8); // 20.x.y.0/24
            batch.add(Route.via(new IpPrefix(IpAddress.v4(net24), 24), a("10.0.0.254"), null));
        }
        List<Route> bad = new ArrayList<>(batch.subList(0, 10));
        bad.add(Route.via(p("192.0.2.0/24"), a("172.16.0.1"), null));
        refusedAndUnchanged("route 11 of 11", () -> net.addRoutes(bad));
        List<Route> twice = List.of(batch.get(0), batch.get(0));
        refusedAndUnchanged("twice", () -> net.addRoutes(twice));

        int before = net.routeCount(4);
        net.addRoutes(batch);
        assertEquals(before + 100_000, net.routeCount(4));
        assertEquals(a("10.0.0.254"), net.routeGet(a("20.1.134.9")).nextHop());
        net.addRoute(Route.via(p("200.0.0.0/8"), a("10.0.0.254"), null));
        net.addRoute(Route.via(p("0.0.0.0/0"), a("10.0.0.254"), null));
        List<Route> listed = net.routes(4);
        assertEquals(p("0.0.0.0/0"), listed.getFirst().prefix(), "default first");
        assertEquals(p("200.0.0.0/8"), listed.getLast().prefix(), "addresses above 128.0.0.0 sort last");
        for (int i = 1; i < listed.size(); i++) {
            assertTrue(listed.get(i - 1).prefix().address().compareTo(listed.get(i).prefix().address()) <= 0, "sorted");
        }
    }

    @Test
    void neighboursAreValidatedAndListed() {
        link("eth0", 0x02_00_00_00_00_01L, "10.0.0.1/24");
        net.addNeighbour("eth0", a("10.0.0.2"), MacAddress.parse("02:00:00:00:00:02"));
        assertEquals(1, net.neighbours().size());
        assertEquals("PERMANENT", net.neighbours().getFirst().state().label());
        refusedAndUnchanged("unicast", () -> net.addNeighbour("eth0", a("224.0.0.5"), MacAddress.parse("02:00:00:00:00:02")));
        refusedAndUnchanged("loopback", () -> net.addNeighbour("lo", a("10.0.0.3"), MacAddress.parse("02:00:00:00:00:02")));
        refusedAndUnchanged("does not exist", () -> net.deleteNeighbour("eth0", a("10.0.0.99")));
        net.flushNeighbours("eth0");
        assertEquals(1, net.neighbours().size(), "flush keeps permanent entries, as on Linux");
        net.deleteNeighbour("eth0", a("10.0.0.2"));
        assertTrue(net.neighbours().isEmpty());
    }

    @Test
    void aLinkWhoseDriverLeavesStaysConfiguredAndComesBackWithIt() {
        link("eth0", 0x02_00_00_00_00_01L, "10.0.0.1/24");
        QueueDriver.QueueDevice first = driver.devices.get("eth0");
        net.removeDriver(driver);
        assertTrue(first.closed);
        LinkInfo l = net.link("eth0");
        assertTrue(l.adminUp());
        assertFalse(l.operUp());
        assertTrue(l.details().get("detached").contains("not loaded"), l.details().toString());
        assertFalse(net.linkTypes().contains(QueueDriver.TYPE));
        assertThrows(NetException.class, () -> net.addLink(new LinkSpec("eth1", QueueDriver.TYPE, 0, null, 0, List.of())));

        QueueDriver again = new QueueDriver();
        net.addDriver(again);
        assertTrue(net.link("eth0").operUp());
        assertNotEquals(first, again.devices.get("eth0"));
        assertTrue(again.devices.get("eth0").up, "the new device is told the link is up");
        assertEquals(a("10.0.0.1"), net.routeGet(a("10.0.0.1")).source());
    }

    @Test
    void workersAreValidatedAndOwnTheQueuesOfUpLinks() {
        link("eth0", 0x02_00_00_00_00_01L);
        link("eth1", 0x02_00_00_00_00_02L);
        net.setWorkerCount(2);
        List<String> queues = new ArrayList<>();
        net.workers().forEach(w -> queues.addAll(w.queues()));
        assertEquals(List.of("eth0/0", "eth1/0"), queues.stream().sorted().toList());
        assertEquals(1, net.workers().get(0).queues().size(), "spread over both workers");
        refusedAndUnchanged("workers", () -> net.setWorkerCount(0));
        refusedAndUnchanged("workers", () -> net.setWorkerCount(65));
        net.setLink("eth1", new LinkChange(false, null, null));
        List<String> after = new ArrayList<>();
        net.workers().forEach(w -> after.addAll(w.queues()));
        assertEquals(List.of("eth0/0"), after, "a down link is not polled");
    }
}
