package io.netfence.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static io.netfence.itests.Host.assumeTrue;

import io.netfence.net.api.NetService;
import io.netfence.xfrm.api.XfrmService;
import io.netfence.xfrm.api.XfrmStateInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * The gold standard: strongSwan (IKEv2, userspace ESP in UDP through kernel-libipsec) negotiates
 * SAs with a second strongSwan; the harness ({@code itests/strongswan/strongswan-peer.sh}) takes
 * the keys it negotiated, and the appliance, configured with them through {@code ip xfrm} lines
 * exactly as iproute2 would take them, replaces the second peer on the wire. Then the first
 * strongSwan's inner network pings and moves a TCP transfer through the ESP tunnel to a host
 * namespace behind the appliance:
 *
 * <pre>
 * ns ssa: 198.51.100.1 [strongSwan + libipsec] 192.0.2.1 == ESP in UDP 4500 ==
 *     192.0.2.2 ethb [Netfence] ethc 203.0.113.1 -- ns nf-ss-c: 203.0.113.2
 * </pre>
 *
 * Needs root, /dev/net/tun and strongSwan's packages (CI installs them); skipped otherwise.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StrongSwanIT {
    private static final String NS_C = "nf-ss-c";
    private static final Path HARNESS = Path.of(System.getProperty("netfence.itests.dir", "."), "strongswan", "strongswan-peer.sh")
            .toAbsolutePath().normalize();
    private static final Path SS_DIR = Path.of("/tmp/netfence-strongswan-it");

    @Inject
    NetService net;
    @Inject
    XfrmService xfrm;
    @Inject
    CommandProcessor processor;

    @Configuration
    public Option[] config() {
        return Appliance.options("strongswan");
    }

    static boolean strongSwanPresent() {
        return Files.isExecutable(Path.of("/usr/lib/ipsec/charon")) && Files.isExecutable(Path.of("/usr/sbin/swanctl"));
    }

    private static Host.Result harness(long timeout, String... args) throws Exception {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "env";
        cmd[1] = "SS_DIR=" + SS_DIR;
        cmd[2] = HARNESS.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        return Host.run(timeout, cmd);
    }

    @Before
    public void setUp() throws Exception {
        assumeTrue("needs root, /dev/net/tun and iproute2", Host.canUseNamespacesAndTap());
        assumeTrue("needs strongSwan (strongswan-charon, strongswan-swanctl, libcharon-extra-plugins)", strongSwanPresent());
        cleanUp();
    }

    @After
    public void cleanUp() throws Exception {
        if (!Host.canUseNamespacesAndTap() || !strongSwanPresent()) {
            return;
        }
        harness(30, "down");
        if (xfrm != null) {
            xfrm.flushPolicies();
            xfrm.flushStates();
        }
        for (String link : new String[] {"ethb", "ethc"}) {
            if (net.links().stream().anyMatch(l -> l.name().equals(link))) {
                net.deleteLink(link);
            }
        }
        Host.run(10, "ip", "netns", "del", NS_C);
    }

    /**
     * strongSwan negotiates with ESP proposal {@code esp}; the appliance takes B's place with the
     * keys, and strongSwan's inner address pings the appliance and the host behind it through ESP.
     */
    private void negotiateReplaceAndPing(String esp) throws Exception {
        // Both ways: strongSwan B has already used some sequence numbers, which the appliance carries over.
        Host.Result up = harness(90, "up", "--esp", esp);
        assertEquals("strongswan-peer.sh up --esp " + esp + ": " + up.output(), 0, up.exit());
        try (Shell sh = new Shell(processor)) {
            sh.run("ip link add ethb type tap ifname nfss0");
            sh.run("ip addr add 192.0.2.2/24 dev ethb");
            sh.run("ip link set ethb up");
            sh.run("ip link add ethc type tap ifname nfssc0");
            sh.run("ip addr add 203.0.113.1/24 dev ethc");
            sh.run("ip link set ethc up");
            sh.run("ip route add 198.51.100.0/24 via 192.0.2.1");
            // The harness's lines, as it would give them to Linux's ip (without the leading "ip").
            List<String> lines = withReplayState(Files.readAllLines(SS_DIR.resolve("sa.lines")));
            lines.addAll(Files.readAllLines(SS_DIR.resolve("appliance.policies")));
            for (String line : lines) {
                if (line.startsWith("ip ")) {
                    sh.run(line);
                }
            }
        }
        assertEquals(2, xfrm.stateCount());
        Host.must(10, "ip", "netns", "add", NS_C);
        Host.must(10, "ip", "link", "set", "nfssc0", "netns", NS_C);
        Host.must(10, "ip", "-n", NS_C, "link", "set", "lo", "up");
        Host.must(10, "ip", "-n", NS_C, "addr", "add", "203.0.113.2/24", "dev", "nfssc0");
        Host.must(10, "ip", "-n", NS_C, "link", "set", "nfssc0", "up");
        Host.must(10, "ip", "-n", NS_C, "route", "add", "default", "via", "203.0.113.1");
        Host.Result attach = harness(30, "attach", "nfss0");
        assertEquals("attach: " + attach.output(), 0, attach.exit());

        // strongSwan's inner address pings the appliance and the host behind it, through ESP.
        Host.Result ping = harness(30, "ping", "3", "203.0.113.1");
        assertEquals("ping the appliance through the tunnel: " + ping.output(), 0, ping.exit());
        ping = harness(30, "ping", "3", "203.0.113.2");
        assertEquals("ping the host behind it: " + ping.output(), 0, ping.exit());
    }

    /**
     * The harness notes above each SA how many packets strongSwan already sent on it ("replay-oseq
     * N"). The appliance's outbound SA (from 192.0.2.2) goes on after them (replay-oseq N); for its
     * inbound SA, those numbers count as seen (replay-seq N), so their replays are refused.
     */
    static List<String> withReplayState(List<String> saLines) {
        List<String> out = new java.util.ArrayList<>();
        long sent = 0;
        java.util.regex.Pattern note = java.util.regex.Pattern.compile("replay-oseq (\\d+)");
        for (String line : saLines) {
            java.util.regex.Matcher m = note.matcher(line);
            if (line.startsWith("#") && m.find()) {
                sent = Long.parseLong(m.group(1));
            } else if (line.startsWith("ip xfrm state add ") && sent > 0) {
                out.add(line + (line.contains("src 192.0.2.2 ") ? " replay-oseq " : " replay-seq ") + sent);
                sent = 0;
                continue;
            }
            out.add(line);
        }
        return out;
    }

    @Test
    public void aesGcmPingAndTcpWithNegotiatedKeys() throws Exception {
        negotiateReplaceAndPing("aes128gcm16");
        Host.tcpTransfer(NS_C, "203.0.113.2", 5072, "ssa", "198.51.100.1", 2);
        long in = 0;
        long out = 0;
        for (XfrmStateInfo s : xfrm.states()) {
            assertEquals("no ICV failures on " + s.state(), 0, s.counters().integrityFailed());
            if (s.state().dst().toString().equals("192.0.2.2")) {
                in += s.counters().packets();
            } else {
                out += s.counters().packets();
            }
        }
        assertTrue("the appliance decrypted strongSwan's ESP: " + in, in > 1000);
        assertTrue("and strongSwan accepted the appliance's: " + out, out > 100);
    }

    @Test
    public void chacha20Poly1305WithNegotiatedKeys() throws Exception {
        negotiateReplaceAndPing("chacha20poly1305");
        assertEquals(0, xfrm.states().stream().mapToLong(x -> x.counters().integrityFailed()).sum());
    }

    @Test
    public void aesCbcWithHmacSha512WithNegotiatedKeys() throws Exception {
        negotiateReplaceAndPing("aes256-sha512");
        assertTrue(xfrm.states().stream().allMatch(x -> x.state().suite().auth().linuxName().equals("hmac(sha512)")));
        assertEquals(0, xfrm.states().stream().mapToLong(x -> x.counters().integrityFailed()).sum());
    }
}
