package io.netfence.net.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkInfo;
import io.netfence.net.api.LinkSpec;
import io.netfence.net.api.Route;
import io.netfence.net.api.RouteType;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.MacAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.helpers.NOPLogger;

/** What an operator configured survives a restart of the dataplane, drivers or not. */
class PersistenceTest {
    @TempDir
    Path dir;

    private ControlPlane start(Path file, QueueDriver driver) {
        ControlPlane cp = new ControlPlane(1, NOPLogger.NOP_LOGGER);
        if (driver != null) {
            cp.addDriver(driver);
        }
        cp.persistTo(file);
        cp.start();
        return cp;
    }

    /** What must be equal before and after a restart. */
    private static String view(ControlPlane cp) {
        return cp.links().stream().map(l -> l.index() + " " + l.name() + " " + l.type() + " " + l.mtu() + " " + l.mac() + " "
                + l.adminUp() + " " + l.rxQueues()).toList()
                + "\n" + cp.addresses() + "\n" + cp.routes(0) + "\n"
                + cp.neighbours().stream().map(n -> n.device() + " " + n.address() + " " + n.mac() + " " + n.state()).toList()
                + "\n" + cp.workerCount();
    }

    @Test
    void theWholeConfigurationSurvivesARestart() throws Exception {
        Path file = dir.resolve("dataplane.conf");
        ControlPlane first = start(file, new QueueDriver());
        first.addLink(new LinkSpec("eth0", QueueDriver.TYPE, 9000, MacAddress.parse("02:00:00:00:00:01"), 2, List.of()));
        first.addLink(new LinkSpec("wan1", QueueDriver.TYPE, 0, null, 0, List.of()));
        first.deleteLink("wan1");
        first.addLink(new LinkSpec("eth1", QueueDriver.TYPE, 0, null, 0, List.of()));
        first.setLink("eth0", new LinkChange(true, null, null));
        first.addAddress("eth0", IpPrefix.parse("10.0.0.1/24"));
        first.addAddress("eth0", IpPrefix.parse("2001:db8::1/64"));
        first.addAddress("eth1", IpPrefix.parse("10.1.0.1/24"));
        first.addRoute(Route.via(IpPrefix.parse("0.0.0.0/0"), IpAddress.parse("10.1.0.254"), null));
        first.addRoute(new Route(RouteType.BLACKHOLE, IpPrefix.parse("192.0.2.0/24"), null, null, 5, null, "static"));
        first.addNeighbour("eth1", IpAddress.parse("10.1.0.254"), MacAddress.parse("02:00:00:00:00:fe"));
        first.setWorkerCount(2);
        String before = view(first);
        first.stop();

        ControlPlane second = start(file, new QueueDriver());
        try {
            assertEquals(before, view(second));
            LinkInfo eth1 = second.link("eth1");
            assertEquals(4, eth1.index(), "indexes are kept, so the deleted one (3) is not reused");
            assertTrue(second.link("eth0").operUp());
            // New indexes continue after the restored ones.
            assertEquals(5, second.addLink(new LinkSpec("eth2", QueueDriver.TYPE, 0, null, 0, List.of())).index());
        } finally {
            second.stop();
        }
    }

    @Test
    void restoredLinksComeUpTogetherOnceEveryDriverIsThere() throws Exception {
        Path file = dir.resolve("dataplane.conf");
        QueueDriver firstA = new QueueDriver();
        QueueDriver firstB = new QueueDriver("queue2");
        ControlPlane first = new ControlPlane(1, NOPLogger.NOP_LOGGER);
        first.addDriver(firstA);
        first.addDriver(firstB);
        first.persistTo(file);
        first.start();
        first.addLink(new LinkSpec("in0", QueueDriver.TYPE, 0, null, 0, List.of()));
        first.addLink(new LinkSpec("out0", "queue2", 0, null, 0, List.of()));
        first.setLink("in0", new LinkChange(true, null, null));
        first.setLink("out0", new LinkChange(true, null, null));
        first.stop();

        // As in the appliance: the dataplane restores before the drivers come, one at a time.
        ControlPlane second = start(file, null);
        try {
            QueueDriver a = new QueueDriver();
            second.addDriver(a);
            assertFalse(a.devices.get("in0").up, "in0's device waits for out0's driver");
            assertFalse(second.link("in0").operUp());
            assertTrue(second.link("in0").adminUp(), "it is still configured up");
            QueueDriver b = new QueueDriver("queue2");
            second.addDriver(b);
            assertTrue(a.devices.get("in0").up);
            assertTrue(b.devices.get("out0").up);
            assertTrue(second.link("in0").operUp() && second.link("out0").operUp());
        } finally {
            second.stop();
        }

        // A driver that never comes keeps the others down only for a while.
        ControlPlane third = new ControlPlane(1, NOPLogger.NOP_LOGGER);
        third.restoreHoldMillis = 200;
        third.persistTo(file);
        third.start();
        try {
            QueueDriver a = new QueueDriver();
            third.addDriver(a);
            assertFalse(third.link("in0").operUp());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!third.link("in0").operUp() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(third.link("in0").operUp());
            assertTrue(a.devices.get("in0").up);
            assertFalse(third.link("out0").operUp());
        } finally {
            third.stop();
        }
    }

    @Test
    void wordsWithSpacesAndPercentSignsRoundTrip() {
        for (String w : List.of("plain", "with space", "100%", "tab\there", "", "a+b", "%20")) {
            assertEquals(w, ConfigStore.decode(ConfigStore.encode(w)));
            assertFalse(ConfigStore.encode(w).contains(" "));
        }
    }

    @Test
    void linksWaitForTheirDriverAfterARestart() {
        Path file = dir.resolve("dataplane.conf");
        ControlPlane first = start(file, new QueueDriver());
        first.addLink(new LinkSpec("eth0", QueueDriver.TYPE, 0, null, 0, List.of()));
        first.addAddress("eth0", IpPrefix.parse("10.0.0.1/24"));
        first.setLink("eth0", new LinkChange(true, null, null));
        first.stop();

        ControlPlane second = start(file, null);
        try {
            assertTrue(second.link("eth0").adminUp());
            assertFalse(second.link("eth0").operUp());
            assertEquals("10.0.0.0/24", second.routeGet(IpAddress.parse("10.0.0.7")).route().prefix().toString());
            second.addDriver(new QueueDriver());
            assertTrue(second.link("eth0").operUp());
        } finally {
            second.stop();
        }
    }

    @Test
    void theFileIsReplacedWholeAndALineThatNoLongerAppliesIsSkipped() throws Exception {
        Path file = dir.resolve("dataplane.conf");
        Files.writeString(file, """
                # hand-edited
                link 2 eth0 queue mtu 1500 address 02:00:00:00:00:01 queues 1 up args
                addr eth0 10.0.0.1/24
                addr eth9 10.9.0.1/24
                route unicast 0.0.0.0/0 via 172.16.0.1 dev - metric 0 src - proto static
                frobnicate
                route unicast 192.0.2.0/24 via 10.0.0.254 dev eth0 metric 0 src - proto static
                """);
        ControlPlane cp = start(file, new QueueDriver());
        try {
            assertEquals(2, cp.link("eth0").index());
            assertEquals(IpAddress.parse("10.0.0.254"), cp.routeGet(IpAddress.parse("192.0.2.1")).nextHop());
            cp.addAddress("eth0", IpPrefix.parse("10.0.0.2/24"));
        } finally {
            cp.stop();
        }
        String saved = Files.readString(file);
        assertTrue(saved.startsWith(ConfigStore.HEADER), saved);
        assertTrue(saved.contains("addr eth0 10.0.0.2/24"), saved);
        assertFalse(saved.contains("frobnicate"), "rewritten from the model, not appended: " + saved);
        assertFalse(Files.exists(dir.resolve("dataplane.conf.tmp")));
    }
}
