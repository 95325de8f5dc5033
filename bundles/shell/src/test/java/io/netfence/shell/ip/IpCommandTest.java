package io.netfence.shell.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.packet.IpPrefix;
import io.netfence.shell.text.CommandException;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpCommandTest extends IpTestBase {

    IpCommandTest() {
        net.addAddress("eth0", IpPrefix.parse("10.0.0.1/24"));
        net.clearCalls();
    }

    @Test
    void objectsAcceptIproute2Abbreviations() {
        String link = ip("ip link show");
        for (String word : List.of("l", "li", "lin", "link")) {
            assertEquals(link, ip("ip " + word + " show"), word);
        }
        String address = ip("ip address show");
        for (String word : List.of("a", "ad", "addr", "address")) {
            assertEquals(address, ip("ip " + word), word);
        }
        String route = ip("ip route show");
        for (String word : List.of("r", "ro", "rou", "route")) {
            assertEquals(route, ip("ip " + word), word);
        }
        net.learnNeighbour("eth0", io.netfence.packet.IpAddress.parse("10.0.0.2"),
                io.netfence.packet.MacAddress.parse("02:00:00:00:00:02"), io.netfence.net.api.NeighbourState.REACHABLE);
        String neigh = ip("ip neigh show");
        for (String word : List.of("n", "ne", "neigh", "neighbor", "neighbour")) {
            assertEquals(neigh, ip("ip " + word), word);
        }
    }

    @Test
    void optionsAndTheirLongForms() {
        assertEquals(ip("ip -s link"), ip("ip -stats link"));
        assertEquals(ip("ip -s link"), ip("ip -statistics link"));
        assertEquals(ip("ip -s -s link"), ip("ip --stats -st link"));
        assertEquals(ip("ip -d link"), ip("ip -details link"));
        assertEquals(ip("ip -j link"), ip("ip -json link"));
        assertEquals(ip("ip -j -p link"), ip("ip -json -pretty link"));
        assertEquals(ip("ip -o link"), ip("ip -oneline link"));
        assertEquals(ip("ip -4 addr"), ip("ip -family inet addr"));
        assertEquals(ip("ip -6 addr"), ip("ip -f inet6 addr"));
        assertTrue(ip("ip -j -p link").startsWith("[\n    {\n        \"ifindex\": 1,"));
        // -pretty without -json changes nothing, as in iproute2
        assertEquals(ip("ip link"), ip("ip -p link"));
    }

    @Test
    void optionErrors() {
        fails("ip -x link", "Error: option \"-x\" is unknown: expected one of -s[tats], -d[etails], -j[son], -p[retty],"
                + " -o[neline], -4, -6, -f[amily] inet|inet6, -b[atch] FILE, -force, -h[elp]");
        fails("ip -family inet7 link", "Error: argument \"inet7\" is wrong: expected inet or inet6");
        fails("ip -family", "Error: argument \"-family\" needs a value: expected -family inet | inet6");
        fails("ip -force link", "Error: argument \"-force\" is wrong: it only applies to -batch FILE");
        fails("ip lonk", "Error: object \"lonk\" is unknown: expected one of link, address, route, neigh, xfrm, help");
        fails("ip -batch", "Error: argument \"-batch\" needs a value: expected -batch FILE");
        fails("ip -batch f link", "Error: argument \"link\" is wrong: expected nothing after -batch FILE");
    }

    @Test
    void helpEverywhere() {
        assertEquals(IpHelp.IP, ip("ip help"));
        assertEquals(IpHelp.IP, ip("ip -h"));
        assertEquals(IpHelp.IP, ip("ip -help link"));
        assertEquals(IpHelp.IP, ip("ip h"));
        assertEquals(IpHelp.IP, ip.execute(name -> null, List.of()));
        assertEquals(IpHelp.LINK, ip("ip link help"));
        assertEquals(IpHelp.ADDRESS, ip("ip addr help"));
        assertEquals(IpHelp.ROUTE, ip("ip route help"));
        assertEquals(IpHelp.NEIGH, ip("ip neigh help"));
        for (String text : List.of(IpHelp.IP, IpHelp.LINK, IpHelp.ADDRESS, IpHelp.ROUTE, IpHelp.NEIGH)) {
            assertTrue(text.startsWith("Usage: ip "), text);
            assertTrue(text.contains("Examples:"), text);
            assertTrue(!text.endsWith("\n"), text);
        }
    }

    // --- batch ------------------------------------------------------------------------------

    @Test
    void batchRunsEveryLineSkippingCommentsAndBlanks() {
        files.put("net.ip", """
                # the lab network
                link set eth1 up

                address add 10.1.0.1/24 dev eth1   # uplink
                -6 address add 2001:db8::1/64 dev eth1
                route add default via 10.1.0.254
                route show
                """);
        String out = ip("ip -batch net.ip");
        assertEquals(List.of("setLink", "addAddress", "addAddress", "addRoute"), net.callNames());
        assertEquals(String.join("\n",
                "default via 10.1.0.254",
                "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1",
                "10.1.0.0/24 dev eth1 proto kernel scope link src 10.1.0.1"), out);
    }

    @Test
    void batchGlobalOptionsApplyToEveryLine() {
        files.put("show.ip", "link show eth0\nlink show eth1\n");
        assertEquals(ip("ip -o link"), ip("ip -o -b show.ip"));
    }

    @Test
    void batchStopsAtTheFirstError() {
        files.put("bad.ip", """
                link set eth1 up
                address add 10.1.0.1/24 dev eth1
                link set eth1 mtuu 1400
                route add default via 10.1.0.254
                """);
        BatchException e = assertThrows(BatchException.class, () -> ip("ip -batch bad.ip"));
        assertEquals("line 3: Error: argument \"mtuu\" is wrong: expected one of up, down, mtu, address", e.getMessage());
        assertEquals(List.of("setLink", "addAddress"), net.callNames());
        assertEquals("", e.output());
    }

    @Test
    void batchWithForceRunsEveryLineAndReportsEveryFailure() {
        files.put("bad.ip", """
                link show eth1
                address add 10.1.0.1/24 dev eth1
                link set eth1 mtuu 1400
                route add default via 10.1.0.254
                neigh add 10.1.0.9 dev eth9 lladdr 02:00:00:00:00:09
                route show exact 0.0.0.0/0
                """);
        BatchException e = assertThrows(BatchException.class, () -> ip("ip -force -batch bad.ip"));
        assertEquals("line 3: Error: argument \"mtuu\" is wrong: expected one of up, down, mtu, address\n"
                + "line 5: Error: Device \"eth9\" does not exist.", e.getMessage());
        assertEquals(List.of("addAddress", "addRoute"), net.callNames());
        assertEquals(ip("ip link show eth1") + "\ndefault via 10.1.0.254", e.output());
    }

    @Test
    void batchFileErrors() {
        fails("ip -batch missing.ip", "Error: cannot read batch file \"missing.ip\": missing.ip (No such file or directory):"
                + " expected a readable file of ip commands");
        files.put("nested.ip", "link show\n-batch other.ip\n");
        BatchException e = assertThrows(BatchException.class, () -> ip("ip -batch nested.ip"));
        assertEquals("line 2: Error: argument \"-batch\" is wrong: a batch file cannot start another batch", e.getMessage());
        files.put("ip.ip", "ip link show\n");
        e = assertThrows(BatchException.class, () -> ip("ip -batch ip.ip"));
        assertEquals("line 1: Error: argument \"ip\" is wrong: batch lines leave out the leading \"ip\"", e.getMessage());
        files.put("quote.ip", "link show \"eth0\n");
        e = assertThrows(BatchException.class, () -> ip("ip -batch quote.ip"));
        assertEquals("line 1: Error: unterminated quoted string: expected a closing \"", e.getMessage());
    }

    @Test
    void batchExceptionIsACommandException() {
        files.put("bad.ip", "frob\n");
        CommandException e = assertThrows(CommandException.class, () -> ip("ip -batch bad.ip"));
        assertTrue(e instanceof IllegalArgumentException);
        assertEquals("line 1: Error: object \"frob\" is unknown: expected one of link, address, route, neigh, xfrm, help", e.getMessage());
        assertEquals(List.of(), net.calls());
    }
}
