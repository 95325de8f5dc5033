package io.netfence.shell.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netfence.net.api.NeighbourState;
import io.netfence.packet.IpAddress;
import io.netfence.packet.MacAddress;
import io.netfence.shell.testing.TestJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NeighbourCommandTest extends IpTestBase {
    private static final MacAddress MAC2 = MacAddress.parse("02:00:00:00:00:02");

    NeighbourCommandTest() {
        net.addNeighbour("eth0", IpAddress.parse("10.0.0.2"), MAC2);
        net.learnNeighbour("eth0", IpAddress.parse("10.0.0.3"), MacAddress.parse("02:00:00:00:00:03"), NeighbourState.REACHABLE);
        net.learnNeighbour("eth1", IpAddress.parse("10.1.0.9"), null, NeighbourState.INCOMPLETE);
        net.learnNeighbour("eth0", IpAddress.parse("2001:db8::2"), MAC2, NeighbourState.STALE);
        net.clearCalls();
    }

    @Test
    void addForms() {
        assertEquals(call("addNeighbour", "eth1", IpAddress.parse("10.1.0.2"), MAC2),
                call("ip neigh add 10.1.0.2 lladdr 02:00:00:00:00:02 dev eth1"));
        assertEquals(call("addNeighbour", "eth1", IpAddress.parse("10.1.0.4"), MAC2),
                call("ip n add 10.1.0.4/32 lladdr 02-00-00-00-00-02 dev eth1 nud permanent"));
        assertEquals(call("addNeighbour", "eth0", IpAddress.parse("10.0.0.3"), MAC2),
                call("ip neighbour replace 10.0.0.3 lladdr 02:00:00:00:00:02 dev eth0"));
        assertEquals(call("addNeighbour", "eth0", IpAddress.parse("2001:db8::2"), MAC2),
                call("ip neighbor change to 2001:db8::2 dev eth0 lladdr 02:00:00:00:00:02"));
        assertEquals(call("addNeighbour", "eth1", IpAddress.parse("10.1.0.5"), MAC2),
                call("ip -4 ne replace 10.1.0.5 dev eth1 lladdr 02:00:00:00:00:02"));
    }

    @Test
    void errorsNameTheWord() {
        fails("ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev eth0",
                "Error: neighbour 10.0.0.2 dev eth0 exists: expected ip neigh replace to overwrite it");
        fails("ip neigh change 10.0.0.99 lladdr 02:00:00:00:00:02 dev eth0",
                "Error: no neighbour 10.0.0.99 dev eth0 to change: expected ip neigh add or replace");
        fails("ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:02 dev eth0 nud reachable", "Error: argument \"reachable\" is wrong:"
                + " expected permanent (entries added by hand are static; the dataplane learns the others)");
        fails("ip neigh add 10.0.0.9 lladdr zz dev eth0",
                "Error: argument \"zz\" is wrong: \"lladdr\" expects six hex octets like 02:00:00:00:00:01");
        fails("ip neigh add 10.0.0.9 dev eth0", "Error: \"lladdr\" argument is required: expected ip neigh add ADDRESS lladdr LLADDR"
                + " dev DEV [nud permanent]");
        fails("ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:02", "Error: \"dev\" argument is required: expected ip neigh add ADDRESS"
                + " lladdr LLADDR dev DEV [nud permanent]");
        fails("ip neigh add 10.0.0.0/24 lladdr 02:00:00:00:00:02 dev eth0",
                "Error: argument \"10.0.0.0/24\" is wrong: expected a single address (/32), not a network");
        fails("ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:02 dev eth0 proxy 1", "Error: argument \"proxy\" is wrong: expected"
                + " one of lladdr, dev, nud");
        fails("ip -6 neigh add 10.0.0.9 lladdr 02:00:00:00:00:02 dev eth0",
                "Error: argument \"10.0.0.9\" is wrong: expected an inet6 address (option -6 is in effect)");
        fails("ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:02 dev eth9", "Error: Device \"eth9\" does not exist.");
        fails("ip neigh del 10.0.0.77 dev eth0", "Error: no neighbour 10.0.0.77 dev eth0: expected one listed by ip neigh show dev eth0");
        fails("ip neigh del 10.0.0.2", "Error: \"dev\" argument is required: expected ip neigh delete ADDRESS dev DEV");
        fails("ip neigh flush", "Error: \"dev\" argument is required: expected ip neigh flush { dev DEV | all }");
        fails("ip neigh flush all eth0", "Error: argument \"eth0\" is wrong: expected ip neigh flush { dev DEV | all }");
        fails("ip neigh get 10.0.0.2", "Error: command \"get\" is unknown: expected one of add, change, replace, delete, show, flush, help");
    }

    @Test
    void deleteAndFlush() {
        assertEquals(call("deleteNeighbour", "eth0", IpAddress.parse("10.0.0.2")), call("ip neigh del 10.0.0.2 dev eth0"));
        assertEquals(call("flushNeighbours", "eth0"), call("ip neigh flush dev eth0"));
        assertEquals(call("flushNeighbours", "eth1"), call("ip neigh flush eth1"));
        assertEquals(call("flushNeighbours", (Object) null), call("ip neigh flush all"));
    }

    @Test
    void showLikeIproute2() {
        String all = String.join("\n",
                "10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 PERMANENT",
                "10.0.0.3 dev eth0 lladdr 02:00:00:00:00:03 REACHABLE",
                "10.1.0.9 dev eth1 INCOMPLETE",
                "2001:db8::2 dev eth0 lladdr 02:00:00:00:00:02 STALE");
        assertEquals(all, ip("ip neigh"));
        assertEquals(all, ip("ip neighbour show"));
        assertEquals(all, ip("ip n ls"));
        assertEquals("10.0.0.2 lladdr 02:00:00:00:00:02 PERMANENT\n10.0.0.3 lladdr 02:00:00:00:00:03 REACHABLE\n"
                + "2001:db8::2 lladdr 02:00:00:00:00:02 STALE", ip("ip neigh show dev eth0"));
        assertEquals("2001:db8::2 dev eth0 lladdr 02:00:00:00:00:02 STALE", ip("ip -6 neigh"));
        assertEquals("10.1.0.9 dev eth1 INCOMPLETE", ip("ip neigh show nud incomplete"));
        assertEquals("10.0.0.3 dev eth0 lladdr 02:00:00:00:00:03 REACHABLE", ip("ip neigh show to 10.0.0.3"));
        assertEquals("10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 PERMANENT\n10.0.0.3 dev eth0 lladdr 02:00:00:00:00:03 REACHABLE",
                ip("ip neigh show 10.0.0.0/24"));
        assertNull(ip("ip neigh show nud failed"));
        fails("ip neigh show nud bogus", "Error: argument \"bogus\" is wrong: expected one of permanent, reachable, stale, incomplete, failed");
    }

    @Test
    void jsonLikeIproute2() {
        List<Object> entries = TestJson.array(ip("ip -j neigh"));
        assertEquals(4, entries.size());
        assertEquals(Map.of("dst", "10.0.0.2", "dev", "eth0", "lladdr", "02:00:00:00:00:02", "state", List.of("PERMANENT")),
                entries.get(0));
        assertEquals(Map.of("dst", "10.1.0.9", "dev", "eth1", "state", List.of("INCOMPLETE")), entries.get(2));
    }

    @Test
    void help() {
        assertEquals(IpHelp.NEIGH, ip("ip neigh help"));
    }
}
