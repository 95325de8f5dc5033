package io.netfence.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static io.netfence.itests.Host.assumeTrue;

import io.netfence.net.api.LinkInfo;
import io.netfence.net.api.NetService;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * End to end through real Linux network stacks: two network namespaces, each attached to the
 * appliance by a TAP port, ping each other (IPv4 and IPv6) and move a 10 MB TCP transfer through
 * Netfence's forwarding path. Needs root and /dev/net/tun (CI has both); skipped otherwise.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NamespaceForwardingIT {
    private static final String NS_A = "nf-itest-a";
    private static final String NS_B = "nf-itest-b";

    @Inject
    NetService net;
    @Inject
    CommandProcessor processor;

    @Configuration
    public Option[] config() {
        return Appliance.options("netns");
    }

    @Before
    public void setUp() throws Exception {
        assumeTrue("needs root, /dev/net/tun and iproute2", Host.canUseNamespacesAndTap());
        cleanUp();
        try (Shell sh = new Shell(processor)) {
            sh.run("ip link add tapa type tap ifname nfia0");
            sh.run("ip link add tapb type tap ifname nfib0");
            sh.run("ip addr add 10.71.1.1/24 dev tapa");
            sh.run("ip addr add 10.71.2.1/24 dev tapb");
            sh.run("ip addr add fd00:71:1::1/64 dev tapa");
            sh.run("ip addr add fd00:71:2::1/64 dev tapb");
            sh.run("ip link set tapa up");
            sh.run("ip link set tapb up");
        }
        attach(NS_A, "nfia0", "10.71.1.2/24", "10.71.1.1", "fd00:71:1::2/64", "fd00:71:1::1");
        attach(NS_B, "nfib0", "10.71.2.2/24", "10.71.2.1", "fd00:71:2::2/64", "fd00:71:2::1");
    }

    private static void attach(String ns, String dev, String v4, String gw4, String v6, String gw6) throws Exception {
        Host.must(10, "ip", "netns", "add", ns);
        Host.must(10, "ip", "link", "set", dev, "netns", ns);
        Host.must(10, "ip", "-n", ns, "link", "set", "lo", "up");
        Host.must(10, "ip", "-n", ns, "addr", "add", v4, "dev", dev);
        Host.must(10, "ip", "-n", ns, "addr", "add", v6, "dev", dev, "nodad");
        Host.must(10, "ip", "-n", ns, "link", "set", dev, "up");
        Host.must(10, "ip", "-n", ns, "route", "add", "default", "via", gw4);
        Host.must(10, "ip", "-n", ns, "-6", "route", "add", "default", "via", gw6);
    }

    @After
    public void cleanUp() throws Exception {
        if (!Host.canUseNamespacesAndTap()) {
            return;
        }
        for (String link : new String[] {"tapa", "tapb"}) {
            if (net.links().stream().anyMatch(l -> l.name().equals(link))) {
                net.deleteLink(link);
            }
        }
        Host.run(10, "ip", "netns", "del", NS_A);
        Host.run(10, "ip", "netns", "del", NS_B);
    }

    @Test
    public void namespacesPingEachOtherAndTheApplianceThroughTap() throws Exception {
        Host.must(20, "ip", "netns", "exec", NS_A, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.71.1.1");
        Host.must(20, "ip", "netns", "exec", NS_A, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.71.2.2");
        Host.must(20, "ip", "netns", "exec", NS_B, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.71.1.2");
        Host.must(20, "ip", "netns", "exec", NS_A, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "fd00:71:2::2");
        // TTL 1 through the appliance: its ICMP time-exceeded names the appliance as the hop.
        Host.Result ttl = Host.run(20, "ip", "netns", "exec", NS_A, "ping", "-c", "1", "-t", "1", "-W", "2", "10.71.2.2");
        assertTrue(ttl.output(), ttl.output().contains("10.71.1.1") && ttl.output().toLowerCase().contains("time to live exceeded"));

        LinkInfo a = net.link("tapa");
        assertTrue("rx counted on tapa", a.stats().rxPackets() >= 12);
        assertTrue("tx counted on tapa", a.stats().txPackets() >= 9);
    }

    @Test
    public void aTenMegabyteTcpTransferCrossesTheAppliance() throws Exception {
        Host.tcpTransfer(NS_B, "10.71.2.2", 5071, NS_A, null, 10);
        assertTrue(net.link("tapb").stats().txBytes() > 10L * 1024 * 1024);
    }
}
