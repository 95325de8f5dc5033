package io.netfence.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static io.netfence.itests.Host.assumeTrue;

import io.netfence.net.api.NetService;
import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.FilterInfo;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.api.TcService;
import io.netfence.xfrm.api.XfrmService;
import io.netfence.xfrm.api.XfrmStateInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
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
 * Two appliances, a site-to-site ESP tunnel between them, and real Linux hosts at both ends:
 *
 * <pre>
 * ns nf-esp-a 10.81.1.2 --TAP-- lana [appliance A: this container] wana 172.31.81.1 --TAP--+
 *                                                                       ns nf-esp-wan: bridge br0 (tcpdump)
 * ns nf-esp-b 10.81.2.2 --TAP-- lanb [appliance B: a second JVM, --serve -b] wanb 172.31.81.2 --TAP--+
 * </pre>
 *
 * The hosts ping each other and move 10 MB over TCP through the tunnel; what crossed the wire is
 * captured on the bridge and Wireshark's ESP dissector (tshark) decrypts it with the keys and finds
 * every ICV good. Needs root, /dev/net/tun and tshark (CI installs it); skipped otherwise.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EspTunnelIT {
    private static final String NS_A = "nf-esp-a";
    private static final String NS_B = "nf-esp-b";
    private static final String NS_WAN = "nf-esp-wan";
    private static final String KEY_AB = "0x6d9a4c8f1e2b3a4c5d6e7f8091a2b3c4d5e6f708";
    private static final String KEY_BA = "0x0f1e2d3c4b5a69788796a5b4c3d2e1f001122334";
    private static final String AEAD = "aead 'rfc4106(gcm(aes))' ";

    @Inject
    NetService net;
    @Inject
    XfrmService xfrm;
    @Inject
    TcService tc;
    @Inject
    CommandProcessor processor;

    private Process siteB;
    private Process capture;
    private Path work;

    @Configuration
    public Option[] config() {
        return Appliance.options("esp-tunnel");
    }

    /** How a site sends the other LAN's traffic into the tunnel. */
    enum Steering {
        /** The out policy picks the traffic between the two LANs. */
        POLICY,
        /** An xfrm interface ipsec0 with if_id 81, a route into it, SAs and catch-all policies with that if_id. */
        ROUTE,
        /**
         * As ROUTE, but no route to the other LAN at all: a tc flower rule on the LAN port's ingress
         * redirects it into ipsec0 (Netfence's reason to exist: IPsec usable from tc for forwarding).
         */
        TC
    }

    /** One site's configuration; {@code me} is 1 (A) or 2 (B). */
    static List<String> site(int me, String lan, String lanTap, String wan, String wanTap, Steering steering) {
        int peer = 3 - me;
        String self = "172.31.81." + me;
        String other = "172.31.81." + peer;
        String ab = "src 172.31.81.1 dst 172.31.81.2 proto esp spi 0x81000001 reqid 81 mode tunnel " + AEAD + KEY_AB + " 128";
        String ba = "src 172.31.81.2 dst 172.31.81.1 proto esp spi 0x81000002 reqid 82 mode tunnel " + AEAD + KEY_BA + " 128";
        String mine = "10.81." + me + ".0/24";
        String theirs = "10.81." + peer + ".0/24";
        String outReqid = me == 1 ? "81" : "82";
        String inReqid = me == 1 ? "82" : "81";
        if (steering != Steering.POLICY) {
            String any = "src 0.0.0.0/0 dst 0.0.0.0/0 ";
            List<String> steer = steering == Steering.ROUTE
                    ? List.of("ip route add " + theirs + " dev ipsec0")
                    : List.of("tc qdisc add dev " + lan + " clsact",
                            "tc filter add dev " + lan + " ingress protocol ip prio 10 flower dst_ip " + theirs
                                    + " action mirred egress redirect dev ipsec0");
            return Stream.concat(Stream.of(
                    "ip link add " + lan + " type tap ifname " + lanTap,
                    "ip link add " + wan + " type tap ifname " + wanTap,
                    "ip link add ipsec0 type xfrm dev " + wan + " if_id 81",
                    "ip addr add 10.81." + me + ".1/24 dev " + lan,
                    "ip addr add " + self + "/24 dev " + wan,
                    "ip link set " + lan + " up",
                    "ip link set " + wan + " up",
                    "ip link set ipsec0 up"), Stream.concat(steer.stream(), Stream.of(
                    "ip xfrm state add " + ab + " replay-window 128 if_id 81",
                    "ip xfrm state add " + ba + " replay-window 128 if_id 81",
                    "ip xfrm policy add " + any + "dir out if_id 81 tmpl src " + self + " dst " + other
                            + " proto esp reqid " + outReqid + " mode tunnel",
                    "ip xfrm policy add " + any + "dir fwd if_id 81 tmpl src " + other + " dst " + self
                            + " proto esp reqid " + inReqid + " mode tunnel",
                    "ip xfrm policy add " + any + "dir in if_id 81 tmpl src " + other + " dst " + self
                            + " proto esp reqid " + inReqid + " mode tunnel"))).toList();
        }
        return List.of(
                "ip link add " + lan + " type tap ifname " + lanTap,
                "ip link add " + wan + " type tap ifname " + wanTap,
                "ip addr add 10.81." + me + ".1/24 dev " + lan,
                "ip addr add " + self + "/24 dev " + wan,
                "ip link set " + lan + " up",
                "ip link set " + wan + " up",
                "ip route add " + theirs + " via " + other,
                "ip xfrm state add " + ab + " replay-window 128",
                "ip xfrm state add " + ba + " replay-window 128",
                "ip xfrm policy add src " + mine + " dst " + theirs + " dir out tmpl src " + self + " dst " + other
                        + " proto esp reqid " + outReqid + " mode tunnel",
                "ip xfrm policy add src " + theirs + " dst " + mine + " dir fwd tmpl src " + other + " dst " + self
                        + " proto esp reqid " + inReqid + " mode tunnel",
                "ip xfrm policy add src " + theirs + " dst " + mine + " dir in tmpl src " + other + " dst " + self
                        + " proto esp reqid " + inReqid + " mode tunnel");
    }

    @Before
    public void setUp() throws Exception {
        assumeTrue("needs root, /dev/net/tun and iproute2", Host.canUseNamespacesAndTap());
        assumeTrue("needs tshark", Files.isExecutable(Path.of("/usr/bin/tshark")));
        cleanUp();
        work = Path.of(System.getProperty("netfence.itest.work"));
    }

    /** Both sites up, the WAN bridged, the hosts attached; B steers by route unless both use policies. */
    private void start(Steering a) throws Exception {
        try (Shell sh = new Shell(processor)) {
            for (String line : site(1, "lana", "nfea0", "wana", "nfewa0", a)) {
                sh.run(line);
            }
        }
        // Site B: the same distribution in a second JVM, headless, configured by a batch file.
        Path batch = work.resolve("site-b.batch");
        Files.write(batch, site(2, "lanb", "nfeb0", "wanb", "nfewb0", a == Steering.POLICY ? Steering.POLICY : Steering.ROUTE));
        Path data = work.resolve("site-b-data");
        Appliance.deleteTree(data);
        Files.createDirectories(data);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        siteB = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dnetfence.home=" + Appliance.DIST, "-Dnetfence.data=" + data, "-jar",
                Appliance.DIST.resolve("bin/netfence-launcher.jar").toString(), "--serve", "-b", batch.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("site-b.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(work.resolve("site-b.log")).contains("netfence: serving")) {
            assertTrue("site B stopped: " + Files.readString(work.resolve("site-b.log")), siteB.isAlive());
            assertTrue("site B did not start in 60 s: " + Files.readString(work.resolve("site-b.log")), System.nanoTime() < deadline);
            Thread.sleep(100);
        }
        Host.must(10, "ip", "netns", "add", NS_WAN);
        Host.must(10, "ip", "-n", NS_WAN, "link", "add", "br0", "type", "bridge");
        for (String tap : new String[] {"nfewa0", "nfewb0"}) {
            Host.must(10, "ip", "link", "set", tap, "netns", NS_WAN);
            Host.must(10, "ip", "-n", NS_WAN, "link", "set", tap, "master", "br0");
            Host.must(10, "ip", "-n", NS_WAN, "link", "set", tap, "up");
        }
        Host.must(10, "ip", "-n", NS_WAN, "link", "set", "br0", "up");
        host(NS_A, "nfea0", "10.81.1.2/24", "10.81.1.1");
        host(NS_B, "nfeb0", "10.81.2.2/24", "10.81.2.1");
    }

    private static void host(String ns, String dev, String address, String gateway) throws Exception {
        Host.must(10, "ip", "netns", "add", ns);
        Host.must(10, "ip", "link", "set", dev, "netns", ns);
        Host.must(10, "ip", "-n", ns, "link", "set", "lo", "up");
        Host.must(10, "ip", "-n", ns, "addr", "add", address, "dev", dev);
        Host.must(10, "ip", "-n", ns, "link", "set", dev, "up");
        Host.must(10, "ip", "-n", ns, "route", "add", "default", "via", gateway);
    }

    @After
    public void cleanUp() throws Exception {
        if (!Host.canUseNamespacesAndTap()) {
            return;
        }
        if (capture != null) {
            capture.destroyForcibly();
        }
        if (siteB != null) {
            siteB.destroy();
            if (!siteB.waitFor(20, TimeUnit.SECONDS)) {
                siteB.destroyForcibly();
            }
            siteB = null;
        }
        if (xfrm != null) {
            xfrm.flushPolicies();
            xfrm.flushStates();
        }
        for (String link : new String[] {"ipsec0", "lana", "wana"}) {
            if (net.links().stream().anyMatch(l -> l.name().equals(link))) {
                net.deleteLink(link);
            }
        }
        // As on Linux, a deleted device takes its qdisc and filters along.
        assertTrue("lana's clsact went with lana", tc.qdiscs().stream().noneMatch(q -> q.dev().equals("lana")));
        for (String ns : new String[] {NS_A, NS_B, NS_WAN}) {
            Host.run(10, "ip", "netns", "del", ns);
        }
    }

    @Test
    public void routeBasedHostsPingAndTransferThroughXfrmInterfaces() throws Exception {
        start(Steering.ROUTE);
        Host.must(30, "ip", "netns", "exec", NS_A, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.81.2.2");
        Host.must(30, "ip", "netns", "exec", NS_B, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.81.1.2");
        Host.tcpTransfer(NS_B, "10.81.2.2", 5082, NS_A, null, 2);
        var stats = net.link("ipsec0").stats();
        assertTrue("routed into ipsec0: " + stats, stats.txPackets() > 1000);
        assertTrue("decrypted on ipsec0 (the ACKs and replies): " + stats, stats.rxPackets() > 100);
    }

    @Test
    public void hostsPingAndTransferTenMegabytesThroughTheTunnel() throws Exception {
        start(Steering.POLICY);
        Path pcap = captureEspWhileAPings("wan.pcap");
        Host.must(30, "ip", "netns", "exec", NS_B, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.81.1.1");
        assertTrue("tcpdump caught 10 ESP packets", capture.waitFor(20, TimeUnit.SECONDS));

        Host.tcpTransfer(NS_B, "10.81.2.2", 5081, NS_A, null, 10);
        long sealed = 0;
        for (XfrmStateInfo s : xfrm.states()) {
            assertEquals(0, s.counters().integrityFailed());
            if (s.state().spi() == 0x81000001) {
                sealed = s.counters().packets();
            }
        }
        assertTrue("site A sealed the transfer: " + sealed, sealed > 7000);

        assertTsharkDecrypts(pcap, 10);
    }

    @Test
    public void aTcFlowerRuleRedirectsForwardedTrafficIntoTheTunnel() throws Exception {
        start(Steering.TC);
        Path pcap = captureEspWhileAPings("wan-tc.pcap");
        assertTrue("tcpdump caught 10 ESP packets", capture.waitFor(20, TimeUnit.SECONDS));
        Host.tcpTransfer(NS_B, "10.81.2.2", 5083, NS_A, null, 2);

        // Site A has no route to 10.81.2.0/24: only the rule sent the traffic into ipsec0.
        FilterInfo rule = tc.filters(BlockRef.of("lana", TcHook.INGRESS), 0).getFirst();
        assertTrue("the rule counted what it redirected: " + rule.stats(), rule.stats().packets() > 1000);
        assertTrue("ipsec0 sent it: " + net.link("ipsec0").stats(), net.link("ipsec0").stats().txPackets() > 1000);
        try (Shell sh = new Shell(processor)) {
            String shown = sh.run("tc -s filter show dev lana ingress");
            assertTrue(shown, shown.contains("dst_ip 10.81.2.0/24") && shown.contains("Egress Redirect to device ipsec0"));
        }
        assertTsharkDecrypts(pcap, 10);
    }

    /** Starts capturing 10 ESP packets on the WAN bridge into {@code file}, then host A pings host B five times. */
    private Path captureEspWhileAPings(String file) throws Exception {
        Path pcap = work.resolve(file);
        capture = Host.start("ip", "netns", "exec", NS_WAN, "tcpdump", "-i", "br0", "-U", "--immediate-mode", "-w", pcap.toString(),
                "-c", "10", "esp");
        Thread.sleep(1000);
        Host.must(30, "ip", "netns", "exec", NS_A, "ping", "-c", "5", "-i", "0.2", "-W", "2", "10.81.2.2");
        return pcap;
    }

    /** Wireshark decrypts what crossed the bridge, with the keys, and checks every ICV. */
    private static void assertTsharkDecrypts(Path pcap, int packets) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/tshark", "-n", "-r", pcap.toString(),
                "-o", "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE"));
        for (String[] sa : new String[][] {{"172.31.81.1", "172.31.81.2", "0x81000001", KEY_AB}, {"172.31.81.2", "172.31.81.1", "0x81000002", KEY_BA}}) {
            cmd.add("-o");
            cmd.add("uat:esp_sa:\"IPv4\",\"" + sa[0] + "\",\"" + sa[1] + "\",\"" + sa[2] + "\",\"AES-GCM with 16 octet ICV [RFC4106]\",\""
                    + sa[3] + "\",\"NULL\",\"\"");
        }
        cmd.addAll(List.of("-T", "fields", "-E", "separator=|", "-e", "esp.spi", "-e", "esp.icv_good", "-e", "icmp.type", "-e", "ip.dst"));
        String out = Host.must(60, cmd.toArray(String[]::new));
        // tshark's own warnings (running as root) share the output: only the field lines count.
        String[] lines = out.lines().filter(l -> l.startsWith("0x")).toArray(String[]::new);
        assertEquals(packets + " packets: " + out, packets, lines.length);
        for (String line : lines) {
            String[] f = line.split("\\|", -1);
            assertTrue("ICV good: " + line, f[1].equals("1") || f[1].equalsIgnoreCase("true"));
            assertTrue("an ICMP echo inside: " + line, f[2].contains("8") || f[2].contains("0"));
            assertTrue("the inner hosts' addresses, decrypted: " + line, f[3].contains("10.81."));
        }
    }
}
