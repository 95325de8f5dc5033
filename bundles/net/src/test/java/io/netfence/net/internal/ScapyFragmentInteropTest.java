package io.netfence.net.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netfence.net.api.LinkChange;
import io.netfence.packet.IpAddress;
import io.netfence.packet.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fragmentation and reassembly checked by an implementation nobody here wrote: scapy's
 * {@code fragment()}/{@code fragment6()} make the fragments the appliance reassembles and
 * answers, and its {@code defragment()}/{@code defragment6()} put together what the appliance
 * fragments (a forwarded IPv4 packet with options, byte for byte with TTL minus one; the IPv4 and
 * IPv6 echo replies). Skipped where python3-scapy is missing.
 */
class ScapyFragmentInteropTest extends DataplaneFixture {
    private static final String PYTHON = "/usr/bin/python3";

    private static final String SCRIPT = """
            import sys, random
            from scapy.all import *
            random.seed(1)
            data = bytes(random.getrandbits(8) for _ in range(4000))
            E = lambda: Ether(dst="02:00:00:00:00:10", src="02:00:00:00:01:00")
            ping = E()/IP(src="10.0.0.2", dst="10.0.0.1", id=77)/ICMP(type=8, id=99, seq=5)/Raw(data)
            fwd = E()/IP(src="10.0.0.2", dst="10.1.0.2", id=555, ttl=64,
                    options=[IPOption_Router_Alert(), IPOption_RR(routers=["1.2.3.4"])])/UDP(sport=4000, dport=5000)/Raw(data[:3000])
            ping6 = E()/IPv6(src="2001:db8::2", dst="2001:db8::1")/IPv6ExtHdrFragment(id=0xabc)/ICMPv6EchoRequest(id=7, seq=8, data=data[:3000])
            if sys.argv[1] == "make":
                for p in fragment(ping, fragsize=1480) + [fwd] + fragment6(ping6, 1280):
                    print(bytes(p).hex())
                sys.exit(0)
            out = {"0": [], "1": []}
            for line in sys.stdin:
                port, frame = line.split()
                out[port].append(Ether(bytes.fromhex(frame)))
            v4 = [p for p in out["0"] if IP in p]
            v6 = [p for p in out["0"] if IPv6 in p]
            r = defragment(v4)[0]
            assert r[ICMP].type == 0 and r[ICMP].id == 99 and bytes(r[Raw]) == data, "IPv4 echo reply"
            c = r[ICMP].chksum; del r[ICMP].chksum
            assert IP(bytes(r[IP]))[ICMP].chksum == c, "ICMP checksum"
            for f in out["1"]:
                assert len(f[IP]) <= 576 and f[IP].ttl == 63 and not f[IP].flags.DF, "fragment " + f.summary()
                c = f[IP].chksum; g = f[IP].copy(); del g.chksum
                assert IP(bytes(g)).chksum == c, "fragment checksum"
            assert len(out["1"]) == 6, "six fragments at 576"
            d = defragment(out["1"])[0]
            exp = fwd.copy(); exp[IP].ttl = 63; del exp[IP].chksum; exp = Ether(bytes(exp))
            assert bytes(d[IP]) == bytes(exp[IP]), "forwarded datagram, TTL minus one"
            r6 = defragment6(v6)
            assert r6[ICMPv6EchoReply].id == 7 and r6[ICMPv6EchoReply].data == data[:3000], "IPv6 echo reply"
            c = r6[ICMPv6EchoReply].cksum; del r6[ICMPv6EchoReply].cksum
            assert IPv6(bytes(r6[IPv6]))[ICMPv6EchoReply].cksum == c, "ICMPv6 checksum"
            print("OK", len(v4), len(out["1"]), len(v6))
            """;

    private static boolean scapy() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import scapy.all").redirectErrorStream(true).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String python(String mode, String input) throws Exception {
        Process p = new ProcessBuilder(PYTHON, "-c", SCRIPT, mode).redirectErrorStream(true).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "scapy finished");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void scapysFragmentsAreReassembledAndItReassemblesOurs() throws Exception {
        assumeTrue(scapy(), "scapy is not installed (apt-get install python3-scapy)");
        QueueDriver.QueueDevice eth0 = link("eth0", 0x02_00_00_00_00_10L, "10.0.0.1/24", "2001:db8::1/64");
        QueueDriver.QueueDevice eth1 = link("eth1", 0x02_00_00_00_00_11L, "10.1.0.1/24");
        net.setLink("eth1", new LinkChange(null, 576, null));
        net.addNeighbour("eth0", IpAddress.parse("10.0.0.2"), new MacAddress(0x02_00_00_00_01_00L));
        net.addNeighbour("eth0", IpAddress.parse("2001:db8::2"), new MacAddress(0x02_00_00_00_01_00L));
        net.addNeighbour("eth1", IpAddress.parse("10.1.0.2"), new MacAddress(0x02_00_00_00_01_01L));
        for (String line : python("make", "").split("\n")) {
            if (!line.isBlank()) {
                eth0.inject(HexFormat.of().parseHex(line.trim()));
            }
        }
        StringBuilder sent = new StringBuilder();
        List<QueueDriver.QueueDevice> ports = new ArrayList<>(List.of(eth0, eth1));
        for (int i = 0; i < ports.size(); i++) {
            QueueDriver.QueueDevice d = ports.get(i);
            for (byte[] f = d.sent(); f != null; f = d.tx.poll(200, TimeUnit.MILLISECONDS)) {
                sent.append(i).append(' ').append(HexFormat.of().formatHex(f)).append('\n');
            }
        }
        String result = python("check", sent.toString());
        assertTrue(result.startsWith("OK 3 6 3"), result);
        assertEquals(0, stats("eth0").rxDropped());
    }
}
