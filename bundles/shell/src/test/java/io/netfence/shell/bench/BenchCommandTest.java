package io.netfence.shell.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkSpec;
import io.netfence.net.api.Route;
import io.netfence.net.api.RouteType;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.MacAddress;
import io.netfence.shell.testing.FakeNetService;
import io.netfence.shell.testing.TestJson;
import io.netfence.shell.text.CommandException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    private final FakeNetService net = new FakeNetService();
    private final TestClock clock = new TestClock();
    private final BenchCommand bench = new BenchCommand(net, clock);
    private final String before;

    /** Simulated time: each sleep advances the clock and lets the fake dataplane move packets. */
    final class TestClock implements BenchClock {
        long now = 5_000_000_000L;
        int sleeps;
        int interruptAfter = -1;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleep(long millis) throws InterruptedException {
            if (interruptAfter >= 0 && sleeps >= interruptAfter) {
                throw new InterruptedException();
            }
            sleeps++;
            now += millis * 1_000_000L;
            net.tick(millis);
        }
    }

    BenchCommandTest() {
        net.addLink(new LinkSpec("eth0", "tap", 0, null, 0, List.of()));
        net.addAddress("eth0", IpPrefix.parse("10.0.0.1/24"));
        net.clearCalls();
        before = net.snapshot();
        // worker 0 forwards 1 Mpps, worker 1 2 Mpps
        net.simulateGenerator(1000, 0, 0);
    }

    @Test
    void runReportsPerWorkerAndTotalAndRemovesItsSetup() {
        assertEquals(String.join("\n",
                "worker 0: 1.00 Mpps",
                "worker 1: 2.00 Mpps",
                "total: 3.00 Mpps (3000000 packets in 1.00 s, 64-byte frames, 256 flows)"), bench.execute("seconds", "1"));
        assertEquals(before, net.snapshot());
        FakeNetService.Call genSpec = net.calls().getFirst();
        assertEquals(new FakeNetService.Call("addLink", List.of(new LinkSpec("bench-gen", "gen", 0, null, 2,
                List.of("src", "198.18.0.2", "dst", "198.19.128.1", "flows", "256", "size", "64")))), genSpec);
        assertEquals(List.of("addLink", "addLink", "addAddress", "addAddress", "addNeighbour", "addRoute", "setLink", "setLink",
                "setLink", "deleteRoute", "deleteNeighbour", "deleteAddress", "deleteAddress", "deleteLink", "deleteLink"),
                net.callNames());
        assertEquals(List.of(
                call("addLink", new LinkSpec("bench-sink", "sink", 0, null, 1, List.of())),
                call("addAddress", "bench-gen", IpPrefix.parse("198.18.0.1/24")),
                call("addAddress", "bench-sink", IpPrefix.parse("198.19.0.1/24")),
                call("addNeighbour", "bench-sink", IpAddress.parse("198.19.0.2"), MacAddress.parse("02:00:c6:13:00:02")),
                call("addRoute", new Route(RouteType.UNICAST, IpPrefix.parse("198.19.128.0/17"), IpAddress.parse("198.19.0.2"),
                        "bench-sink", 0, null, "static")),
                call("setLink", "bench-sink", new LinkChange(true, null, null)),
                call("setLink", "bench-gen", new LinkChange(true, null, null)),
                call("setLink", "bench-gen", new LinkChange(false, null, null)),
                call("deleteRoute", IpPrefix.parse("198.19.128.0/17"), 0),
                call("deleteNeighbour", "bench-sink", IpAddress.parse("198.19.0.2")),
                call("deleteAddress", "bench-sink", IpPrefix.parse("198.19.0.1/24")),
                call("deleteAddress", "bench-gen", IpPrefix.parse("198.18.0.1/24")),
                call("deleteLink", "bench-sink"),
                call("deleteLink", "bench-gen")), net.calls().subList(1, net.calls().size()));
    }

    private static FakeNetService.Call call(String method, Object... args) {
        return new FakeNetService.Call(method, List.of(args));
    }

    @Test
    void workersAreSetForTheRunAndRestored() {
        String out = bench.execute("workers", "3", "seconds", "2", "size", "9014", "flows", "10", "pps", "5000000");
        assertEquals(String.join("\n",
                "worker 0: 1.00 Mpps",
                "worker 1: 2.00 Mpps",
                "worker 2: 3.00 Mpps",
                "total: 6.00 Mpps (12000000 packets in 2.00 s, 9014-byte frames, 10 flows)"), out);
        assertEquals(call("setWorkerCount", 3), net.calls().getFirst());
        assertEquals(call("addLink", new LinkSpec("bench-gen", "gen", 9000, null, 3,
                List.of("src", "198.18.0.2", "dst", "198.19.128.1", "flows", "10", "size", "9014", "rate", "5000000"))),
                net.calls().get(1));
        assertEquals(call("setWorkerCount", 2), net.calls().getLast());
        assertEquals(before, net.snapshot());
    }

    @Test
    void countEndsTheRun() {
        String out = bench.execute("count", "500000");
        assertTrue(out.endsWith("total: 3.00 Mpps (600000 packets in 0.20 s, 64-byte frames, 256 flows)"), out);
        assertTrue(((LinkSpec) net.calls().getFirst().args().getFirst()).driverArgs().containsAll(List.of("count", "500000")));
    }

    @Test
    void dropsAreReportedByReason() {
        net.simulateGenerator(1000, 10, 0);
        String out = bench.execute("seconds", "1");
        assertTrue(out.endsWith("total: 3.00 Mpps (3000000 packets in 1.00 s, 64-byte frames, 256 flows)\n"
                + "drops: 10000 bad_ipv4_csum 10000"), out);
    }

    @Test
    void countersThatDoNotAddUpAreAWarning() {
        net.simulateGenerator(1000, 0, 5);
        String out = bench.execute("seconds", "1");
        assertTrue(out.endsWith("\nwarning: counters do not add up: bench-gen received 3000000 and dropped 0, so 3000000 should"
                + " have left, but bench-sink sent 2995000 and dropped 0"), out);
    }

    @Test
    void silenceIsAWarning() {
        net.simulateGenerator(0, 0, 0);
        assertTrue(bench.execute("seconds", "1").endsWith("\nwarning: bench-gen received nothing: is the gen driver generating?"));
    }

    @Test
    void json() {
        net.simulateGenerator(1000, 10, 0);
        Map<String, Object> r = TestJson.object(TestJson.parse(bench.execute("-j", "seconds", "1")));
        assertEquals(List.of(Map.of("id", 0L, "packets", 1000000L, "mpps", 1L), Map.of("id", 1L, "packets", 2000000L, "mpps", 2L)),
                r.get("workers"));
        assertEquals(Map.of("packets", 3000000L, "seconds", 1L, "mpps", 3L), r.get("total"));
        assertEquals(64L, r.get("frame_size"));
        assertEquals(256L, r.get("flows"));
        assertEquals(Map.of("gen_rx_packets", 3000000L, "gen_rx_dropped", 10000L, "sink_tx_packets", 2990000L,
                "sink_tx_dropped", 0L, "consistent", true, "drop_reasons", Map.of("bad_ipv4_csum", 10000L)), r.get("counters"));
        assertEquals(List.of(), r.get("warnings"));
    }

    @Test
    void refusesWhenItsNamesOrRangeAreTaken() {
        net.addLink(new LinkSpec("bench-sink", "sink", 0, null, 0, List.of()));
        assertRefused("Error: link \"bench-sink\" exists: expected no links named bench-gen or bench-sink (another bench is"
                + " running, or delete them with ip link delete)");
        net.deleteLink("bench-sink");
        net.addAddress("eth0", IpPrefix.parse("198.19.7.1/24"));
        assertRefused("Error: address 198.19.7.1/24 dev eth0 is in 198.18.0.0/15: expected that range free for bench (remove it"
                + " with ip address delete)");
        net.deleteAddress("eth0", IpPrefix.parse("198.19.7.1/24"));
        net.addRoute(new Route(RouteType.BLACKHOLE, IpPrefix.parse("198.0.0.0/8"), null, null, 0, null, "static"));
        assertRefused("Error: route 198.0.0.0/8 is in 198.18.0.0/15: expected that range free for bench (remove it with ip route"
                + " delete)");
        net.deleteRoute(IpPrefix.parse("198.0.0.0/8"), 0);
        net.setTypes("gen", "tap");
        assertRefused("Error: link type \"sink\" is not available: expected the sink driver to be installed (ip link add NAME type"
                + " lists the drivers present)");
    }

    private void assertRefused(String message, String... words) {
        String snapshot = net.snapshot();
        net.clearCalls();
        CommandException e = assertThrows(CommandException.class, () -> bench.execute(words));
        assertEquals(message, e.getMessage());
        assertEquals(List.of(), net.calls());
        assertEquals(snapshot, net.snapshot());
    }

    @Test
    void parameterErrorsNameTheWord() {
        assertRefused("Error: argument \"10\" is wrong: \"size\" expects an integer 64-9014", "size", "10");
        assertRefused("Error: argument \"0\" is wrong: \"flows\" expects an integer 1-32766", "flows", "0");
        assertRefused("Error: argument \"65\" is wrong: \"workers\" expects an integer 1-64", "workers", "65");
        assertRefused("Error: argument \"fast\" is wrong: \"pps\" expects an integer 1-1000000000", "pps", "fast");
        assertRefused("Error: argument \"seconds\" is duplicate: give it at most once", "seconds", "1", "seconds", "2");
        assertRefused("Error: argument \"count\" needs a value: expected count 1-4611686018427387903", "count");
        assertRefused("Error: argument \"rate\" is wrong: expected one of pps, count, size, flows, workers, seconds, esp, encrypt, decrypt, tc, -j, -p, help",
                "rate", "5");
        assertRefused("Error: argument \"rot13\" is wrong: expected one of aes-128-gcm, aes-256-gcm, chacha20-poly1305, "
                + "aes-128-cbc-hmac-sha256", "esp", "rot13");
        assertRefused("Error: argument \"decrypt\" is wrong: it needs esp SUITE before or after it", "decrypt");
        assertRefused("Error: argument \"encrypt | decrypt\" is duplicate: give it at most once", "esp", "aes-128-gcm", "encrypt", "decrypt");
        // No xfrm service here: refused before anything is made.
        assertRefused("Error: bench esp needs IPsec: expected the xfrm feature installed (feature list)", "esp", "aes-128-gcm");
    }

    @Test
    void aFailedSetupIsUndone() {
        net.refuse("addRoute");
        CommandException e = assertThrows(CommandException.class, () -> bench.execute("workers", "4"));
        assertEquals("Error: addRoute refused by the test", e.getMessage());
        assertEquals(before, net.snapshot());
        assertEquals(call("setWorkerCount", 2), net.calls().getLast());
    }

    @Test
    void aFailedCleanupStepIsReportedAndTheRestStillRuns() {
        net.refuse("deleteNeighbour");
        String out = bench.execute("seconds", "1");
        assertTrue(out.endsWith("\nwarning: cleanup failed: ip neigh delete 198.19.0.2 dev bench-sink: deleteNeighbour refused by"
                + " the test"), out);
        // deleting bench-sink took its neighbour with it
        assertEquals(before, net.snapshot());
    }

    @Test
    void interruptionRemovesTheSetupAndKeepsTheInterruptFlag() {
        clock.interruptAfter = 6;
        CommandException e = assertThrows(CommandException.class, () -> bench.execute("workers", "1", "seconds", "60"));
        assertTrue(Thread.interrupted(), "the interrupt flag is restored");
        assertEquals("Error: bench interrupted after 0.3 s; its setup was removed", e.getMessage());
        assertEquals(before, net.snapshot());
        assertEquals(call("setWorkerCount", 2), net.calls().getLast());
        assertFalse(net.callNames().contains("addLink") && net.fakeLink("bench-gen") != null);
    }

    @Test
    void help() {
        assertEquals(BenchCommand.HELP, bench.execute("help"));
        assertEquals(BenchCommand.HELP, bench.execute("-h"));
        assertTrue(BenchCommand.HELP.startsWith("Usage: bench"));
        assertTrue(BenchCommand.HELP.contains("Examples:"));
    }
}
