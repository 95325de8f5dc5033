package io.netfence.shell.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netfence.packet.IpPrefix;
import io.netfence.shell.testing.TestJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AddressCommandTest extends IpTestBase {

    private static final String ETH0_HEADER =
            "1: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default";
    private static final String ETH1_HEADER = "2: eth1: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN group default";

    private void addresses() {
        net.addAddress("eth0", IpPrefix.parse("2001:db8::1/64"));
        net.addAddress("eth0", IpPrefix.parse("10.0.0.1/24"));
        net.addAddress("eth1", IpPrefix.parse("10.1.0.1/24"));
        net.clearCalls();
    }

    @Test
    void addAndDeleteForms() {
        assertEquals(call("addAddress", "eth0", IpPrefix.parse("10.0.0.1/24")), call("ip addr add 10.0.0.1/24 dev eth0"));
        assertEquals(call("addAddress", "eth1", IpPrefix.parse("2001:db8::1/64")), call("ip -6 a add local 2001:db8::1/64 dev eth1"));
        assertEquals(call("addAddress", "eth1", IpPrefix.parse("10.9.9.9/32")), call("ip address add 10.9.9.9 dev eth1"));
        assertEquals(call("deleteAddress", "eth0", IpPrefix.parse("10.0.0.1/24")), call("ip address delete 10.0.0.1/24 dev eth0"));
        // without a length, the assigned address whatever its length, as Linux does
        assertEquals(call("deleteAddress", "eth1", IpPrefix.parse("2001:db8::1/64")), call("ip addr del 2001:db8::1 dev eth1"));
    }

    @Test
    void errorsNameTheWord() {
        fails("ip addr add 10.0.0.300/24 dev eth0",
                "Error: argument \"10.0.0.300/24\" is wrong: expected PREFIX like 10.0.0.1/24, 2001:db8::1/64 or default");
        fails("ip addr add 10.0.0.1/33 dev eth0",
                "Error: argument \"10.0.0.1/33\" is wrong: expected PREFIX like 10.0.0.1/24, 2001:db8::1/64 or default");
        fails("ip addr add 10.0.0.1/24", "Error: \"dev\" argument is required: expected ip address add PREFIX dev DEV");
        fails("ip addr add dev eth0", "Error: \"PREFIX\" argument is required: expected ip address add PREFIX dev DEV");
        fails("ip addr add 10.0.0.1/24 dev eth9", "Error: Device \"eth9\" does not exist.");
        fails("ip addr add 10.0.0.1/24 dev eth0 brd +", "Error: argument \"brd\" is wrong: expected one of dev, local");
        fails("ip -6 addr add 10.0.0.1/24 dev eth0",
                "Error: argument \"10.0.0.1/24\" is wrong: expected an inet6 prefix (option -6 is in effect)");
        fails("ip addr del 10.0.0.7/24 dev eth0", "Error: address 10.0.0.7/24 is not assigned to eth0: expected one of its"
                + " addresses (see ip address show dev eth0)");
        fails("ip addr replace 10.0.0.1/24 dev eth0",
                "Error: command \"replace\" is unknown: expected one of add, delete, flush, show, help");
        fails("ip addr flush", "Error: \"dev\" argument is required: expected ip address flush dev DEV");
    }

    @Test
    void flushForms() {
        assertEquals(call("flushAddresses", "eth0", 0), call("ip addr flush dev eth0"));
        assertEquals(call("flushAddresses", "eth1", 4), call("ip -4 addr flush eth1"));
        assertEquals(call("flushAddresses", "eth1", 6), call("ip -family inet6 address flush dev eth1"));
    }

    @Test
    void showLikeIproute2() {
        addresses();
        String expected = String.join("\n", ETH0_HEADER,
                "    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff",
                "    inet 10.0.0.1/24 scope global eth0",
                "    inet6 2001:db8::1/64 scope global",
                ETH1_HEADER,
                "    link/ether 02:00:00:00:00:02 brd ff:ff:ff:ff:ff:ff",
                "    inet 10.1.0.1/24 scope global eth1");
        assertEquals(expected, ip("ip addr"));
        assertEquals(expected, ip("ip address show"));
        assertEquals(expected, ip("ip a list"));
        assertEquals(ETH1_HEADER + "\n    link/ether 02:00:00:00:00:02 brd ff:ff:ff:ff:ff:ff\n    inet 10.1.0.1/24 scope global eth1",
                ip("ip addr show dev eth1"));
    }

    @Test
    void familyFilterShowsOnlyLinksWithSuchAddresses() {
        addresses();
        assertEquals(ETH0_HEADER + "\n    inet6 2001:db8::1/64 scope global", ip("ip -6 addr"));
        assertEquals(ETH0_HEADER + "\n    inet 10.0.0.1/24 scope global eth0\n" + ETH1_HEADER + "\n    inet 10.1.0.1/24 scope global eth1",
                ip("ip -4 addr show"));
        assertNull(ip("ip -6 addr show eth1"));
    }

    @Test
    void onelineIsOneLinePerAddress() {
        addresses();
        assertEquals("""
                1: eth0    inet 10.0.0.1/24 scope global eth0
                1: eth0    inet6 2001:db8::1/64 scope global
                2: eth1    inet 10.1.0.1/24 scope global eth1""", ip("ip -o addr"));
    }

    @Test
    void upFilter() {
        addresses();
        assertEquals(ETH0_HEADER + "\n    inet 10.0.0.1/24 scope global eth0", ip("ip -4 addr show up"));
    }

    @Test
    void jsonLikeIproute2() {
        addresses();
        List<Object> links = TestJson.array(ip("ip -j addr"));
        Map<String, Object> eth0 = TestJson.object(links.getFirst());
        assertEquals("eth0", eth0.get("ifname"));
        assertEquals(List.of(
                Map.of("family", "inet", "local", "10.0.0.1", "prefixlen", 24L, "scope", "global", "label", "eth0"),
                Map.of("family", "inet6", "local", "2001:db8::1", "prefixlen", 64L, "scope", "global")), eth0.get("addr_info"));
        assertEquals(false, eth0.containsKey("linkmode"));
        Map<String, Object> eth1 = TestJson.object(TestJson.array(ip("ip -j -6 addr show")).getFirst());
        assertEquals("eth0", eth1.get("ifname"));
        assertEquals(1, TestJson.array(ip("ip -j -6 addr show")).size());
    }

    @Test
    void help() {
        assertEquals(IpHelp.ADDRESS, ip("ip address help"));
        assertEquals(IpHelp.ADDRESS, ip("ip a show help"));
    }
}
