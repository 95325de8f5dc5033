package io.netfence.shell.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netfence.net.api.LinkSpec;
import io.netfence.shell.testing.FakeNetService;
import io.netfence.shell.testing.FakeXfrmService;
import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.xfrm.api.XfrmException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Linux's own {@code ip xfrm} as the oracle for the syntax: each line of the corpus runs through
 * iproute2, in a throwaway network namespace (with veth links eth0 and eth1), and through
 * Netfence's parser. iproute2 exits 255 or 1 when it refuses a line itself, and 2 when the line
 * reached the kernel (which refuses the states here when it has no ESP, or lacks an object), 0 when
 * the kernel took it; Netfence refuses a line with a CommandException that no service call caused.
 * <ul>
 *   <li>GOOD lines: both accept them (Netfence's fake service may still refuse, as the kernel may);</li>
 *   <li>BAD lines: both refuse them;</li>
 *   <li>STRICTER lines: iproute2 accepts the syntax, Netfence refuses on purpose (ESP only, RFC
 *       4868, features it has no counterpart for): each documented in docs/COMMANDS.md.</li>
 * </ul>
 * Skipped, saying why, when {@code ip} is missing, the user is not root, or a namespace cannot be made.
 */
class XfrmOracleTest {
    private static final String GCM = "aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128";
    private static final String CBC = "enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f auth-trunc 'hmac(sha256)'"
            + " 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 128";
    private static final String SA = "xfrm state add src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x100 ";
    private static final String POL = "xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 ";
    private static final String TUN = " tmpl src 192.168.1.1 dst 192.168.2.1 proto esp reqid 1 mode tunnel";

    static final List<String> GOOD = List.of(
            SA + GCM + " replay-seq 5 replay-oseq 7",
            SA + "reqid 1 mode tunnel " + GCM,
            SA + "reqid 1 mode tunnel " + CBC,
            SA + "mode tunnel aead 'rfc7539esp(chacha20,poly1305)'"
                    + " 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223 128",
            SA + "aead 'rfc4106(gcm(aes))' 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223 64",
            "xfrm state add proto esp dst 10.0.0.2 spi 4096 src 10.0.0.1 mode transport reqid 0x10 replay-window 32 "
                    + "aead rfc4106(gcm(aes)) 0x0102030405060708090a0b0c0d0e0f1011121314 96",
            SA + "reqid 1 mode tunnel replay-window 128 flag esn " + GCM,
            SA + "reqid 1 mode tunnel replay-window 64 flag esn af-unspec " + GCM,
            SA + "flag af-unspec " + GCM + " mark 7 mask 0xff",
            SA + GCM + " mark 7",
            SA + GCM + " sel src 10.1.0.0/16 dst 10.2.0.0/16 proto tcp sport 1234 dport 80",
            SA + GCM + " sel src 10.1.0.0/16 dst 10.2.0.0/16 proto icmp type 8 code 0",
            SA + GCM + " sel src 10.1.0.0/16 dst 10.2.0.0/16 dev eth0 proto udp dport 53",
            SA + GCM + " sel dst 10.2.0.0/16 mode tunnel",
            SA + GCM + " limit time-soft 3000 limit time-hard 3600 limit byte-soft 0x100000 limit packet-hard 1000000",
            SA + GCM + " encap espinudp 4500 4500 0.0.0.0",
            SA + GCM + " if_id 0x2a",
            SA + GCM + " offload dev eth0 dir out",
            "xfrm state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x1000 mode transport " + GCM,
            "-6 xfrm state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x1000 mode tunnel " + GCM,
            "xfrm state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x1000 mode tun " + GCM
                    + " sel src 10.1.0.0/16 dst 10.2.0.0/16",
            SA + "enc aes 0x000102030405060708090a0b0c0d0e0f auth-trunc sha256"
                    + " 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 128",
            SA + "enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f auth 'hmac(sha384)'"
                    + " 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f",
            "xfrm state update src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x100 reqid 1 mode tunnel " + GCM,
            "xfrm state allocspi src 192.168.1.1 dst 192.168.2.1 proto esp mode tunnel reqid 5 min 0x100 max 0x1ff",
            "xfrm state allocspi src 192.168.1.1 dst 192.168.2.1 proto esp",
            "xfrm state get src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x100",
            "xfrm state delete dst 192.168.2.1 proto esp spi 0x100 mark 7",
            "xfrm state",
            "xfrm state list",
            "xfrm state show reqid 1 mode tunnel",
            "xfrm state list src 10.0.0.0/8 nokeys",
            "xfrm state list proto esp spi 0x100 flag esn",
            "xfrm state deleteall reqid 99",
            "xfrm state flush",
            "xfrm state flush proto esp",
            "xfrm state count",
            "-s xfrm state",
            "-4 xfrm state list",
            "xfrm sa list",
            "x s l",
            POL + "dir out" + TUN,
            "xfrm policy add src 10.2.0.0/16 dst 10.1.0.0/16 dir fwd tmpl src 192.168.2.1 dst 192.168.1.1 proto esp reqid 1"
                    + " mode tunnel level use",
            "xfrm policy add dir out src 10.1.0.0/16 dst 10.9.0.0/16 proto tcp dport 25 action block priority 10",
            "xfrm policy add src 1.1.1.1 dst 2.2.2.2 dir in tmpl proto esp",
            "xfrm policy add src 10.0.0.0/8 dst 0.0.0.0/0 proto udp sport 500 dir in priority 1 ptype main mark 0x10 mask 0xf0"
                    + " if_id 7 limit time-hard 100",
            "xfrm policy update src 10.1.0.0/16 dst 10.2.0.0/16 dir out tmpl src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x100"
                    + " reqid 1 mode tunnel",
            "xfrm policy add src 10.9.0.0/16 dst 10.2.0.0/16 proto gre key 5 dir in",
            "xfrm policy add src 10.9.0.0/16 dst 10.2.0.0/16 proto gre key 0.0.1.1 dir out",
            "-6 xfrm policy add src 2001:db8::/32 dst 2001:db8:1::/48 proto ipv6-icmp type 135 dir in"
                    + " tmpl src 2001:db8::1 dst 2001:db8::2 proto esp mode tunnel",
            POL + "dev eth0 dir out",
            "xfrm policy add dir fwd",
            "xfrm policy add src 10.3.0.0/16 dst 10.4.0.0/16 sport 80 dir in",
            POL + "dir in" + TUN + " tmpl src 10.0.0.1 dst 10.0.0.2 proto esp mode transport",
            "xfrm policy delete src 10.1.0.0/16 dst 10.2.0.0/16 dir out",
            "xfrm policy get index 8 dir in",
            "xfrm policy delete dir out index 0x11",
            "xfrm policy get src 10.1.0.0/16 dst 10.2.0.0/16 dir out mark 7 if_id 3",
            "xfrm policy",
            "xfrm policy list dir out",
            "xfrm policy list src 10.0.0.0/8 action block priority 10 nosock",
            "xfrm policy deleteall dir fwd",
            "xfrm policy flush",
            "xfrm policy flush ptype main",
            "xfrm policy count",
            "-s xfrm policy count",
            "xfrm p");

    static final List<String> BAD = List.of(
            SA + GCM + " bogus",
            "xfrm state add src 1.1.1.1 dst 2.2.2.2 proto foo spi 0x100 " + GCM,
            "xfrm state add src 1.1.1.1 dst 2001:db8::1 proto esp spi 0x100 " + GCM,
            "xfrm state add src 1.1.1.1 dst 2.2.2.2 proto esp spi zz " + GCM,
            SA + "aead 'rfc4106(gcm(aes))' 0xzz0102030405060708090a0b0c0d0e0f10111213 128",
            SA + "aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314",
            SA + "aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 abc",
            SA + "enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f " + GCM,
            SA + GCM + " " + GCM,
            SA + GCM + " mode bogus",
            SA + GCM + " reqid x",
            SA + GCM + " replay-window -1",
            SA + "flag esn " + GCM,
            SA + "replay-window 5000 flag esn " + GCM,
            SA + GCM + " encap espinudp 4500 x 0.0.0.0",
            SA + GCM + " encap foo 4500 4500 0.0.0.0",
            SA + GCM + " sel src 10.0.0.0/8 dst 2001:db8::/32",
            SA + GCM + " sel src 10.0.0.0/8 proto icmp sport 80",
            SA + GCM + " sel proto tcp type 3",
            SA + GCM + " sel proto gre dport 3",
            SA + GCM + " sel dev nosuchdev",
            SA + GCM + " limit time-soft x",
            SA + GCM + " limit bogus 1",
            SA + GCM + " mark x",
            SA + GCM + " if_id x",
            SA + GCM + " offload dev nosuchdev dir out",
            SA + GCM + " offload dev eth0 dir sideways",
            SA + GCM + " offload eth0 dir out",
            "xfrm state add " + GCM + " mode tunnel",
            "xfrm state add src 1.1.1.1 dst 2.2.2.2 spi 0x100 " + GCM,
            SA + "auth-trunc 'hmac(sha256)' 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 128",
            SA + GCM + " comp deflate",
            SA + GCM + " mode ro",
            SA + GCM + " coa 1.2.3.4",
            "xfrm state add src 1.1.1.1 mode tunnel dst 2.2.2.2 proto esp spi 0x100 " + GCM,
            "xfrm state get src 1.1.1.1 dst 2.2.2.2 proto esp spi 0x100 bogus",
            "xfrm state get src 1.1.1.1 dst 2.2.2.2 spi 0x100",
            "xfrm state allocspi src 1.1.1.1 dst 2.2.2.2 proto esp spi 0x100",
            "xfrm state allocspi src 1.1.1.1 dst 2.2.2.2 proto esp min 0x200",
            "xfrm state allocspi src 1.1.1.1 dst 2.2.2.2 proto esp min 0x300 max 0x200",
            "xfrm state list mode bogus",
            "xfrm state list reqid x",
            "xfrm state list bogus",
            "xfrm state flush proto bogus",
            "xfrm state flush bogus",
            "xfrm state frob",
            "xfrm bogus",
            "xfrm policy add src 10.0.0.0/8 dst 10.1.0.0/16",
            POL + "dir sideways",
            POL + "dir out dir in",
            POL + "dir out action allowed",
            POL + "dir out priority x",
            POL + "dir out index x",
            POL + "dir out ptype foo",
            POL + "dir out tmpl src 1.1.1.1 dst 2.2.2.2 mode tunnel",
            POL + "dir out tmpl proto esp level maybe",
            POL + "dir out tmpl proto esp mode bogus",
            POL + "dir out limit time-hard x",
            POL + "proto tcp type 8 dir out",
            POL + "dir out bogus",
            POL + "dir out mark x",
            "xfrm policy add src 10.0.0.0/8 dst 2001:db8::/32 dir out",
            "xfrm policy delete src 10.0.0.0/8 dst 10.1.0.0/16",
            "xfrm policy delete dir out",
            "xfrm policy delete src 10.0.0.0/8 dst 10.1.0.0/16 dir out index 5",
            "xfrm policy get dir in index x",
            "xfrm policy list dir bogus",
            "xfrm policy list action bogus",
            "xfrm policy flush ptype foo",
            "xfrm policy frob");

    static final List<String> STRICTER = List.of(
            "xfrm state add src 1.1.1.1 dst 2.2.2.2 proto ah spi 0x100 auth-trunc 'hmac(sha256)'"
                    + " 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 128",
            SA + "enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f",
            SA + "enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f auth 'hmac(sha256)'"
                    + " 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            SA + "enc 'cbc(des3_ede)' 0x000102030405060708090a0b0c0d0e0f1011121314151617 auth-trunc 'hmac(sha1)'"
                    + " 0x000102030405060708090a0b0c0d0e0f10111213 96",
            SA + "aead 'rfc4106(gcm(aes))' 0x0102 128",
            SA + "aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 100",
            SA + "enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f auth-trunc 'hmac(sha256)' 0x0001 128",
            SA + "aead 'rfc4106(gcm(aes))' 0x102030405060708090a0b0c0d0e0f1011121314 128",
            "xfrm state add src 192.168.1.1 dst 192.168.2.1 proto esp spi 9 " + GCM,
            "xfrm state add dst 192.168.2.1 proto esp spi 0x100 " + GCM,
            "xfrm state add src 192.168.1.1 dst 192.168.2.1 proto esp " + GCM,
            "xfrm state add src 10.0.0.1/24 dst 192.168.2.1 proto esp spi 0x100 " + GCM,
            SA + "flag noecn " + GCM,
            SA + "flag mode tunnel " + GCM,
            SA + GCM + " encap espinudp-nonike 4500 4500 0.0.0.0",
            SA + GCM + " encap espinudp 0 4500 0.0.0.0",
            SA + GCM + " mode beet",
            SA + GCM + " mode tunnel mode transport",
            SA + GCM + " seq 5",
            SA + GCM + " tfcpad 100",
            SA + GCM + " output-mark 5",
            SA + GCM + " extra-flag dont-encap-dscp",
            "xfrm state allocspi src 192.168.1.1 dst 192.168.2.1 proto esp mark 7",
            "xfrm state list flag af-unspec",
            "xfrm state flush proto ah",
            POL + "dir out tmpl src 1.1.1.1 dst 2.2.2.2 proto ah mode tunnel",
            POL + "dir out tmpl proto esp mode tunnel",
            POL + "dir out ptype sub",
            POL + "dir out flag localok",
            "xfrm policy set hthresh4 24 24",
            "xfrm policy getdefault");

    private static String netns;
    private static boolean links;

    @BeforeAll
    static void namespace() throws Exception {
        Path ip = Stream.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        need(ip != null, "iproute2's ip is not installed: the oracle test is skipped");
        Result uid = run(List.of("id", "-u"));
        need(uid.code == 0 && uid.out.strip().equals("0"),
                "not root: ip netns add needs root, the oracle test is skipped");
        netns = "nf-xfrm-oracle-" + ProcessHandle.current().pid();
        Result add = run(List.of("ip", "netns", "add", netns));
        need(add.code == 0, "cannot create a network namespace (" + add.err.strip() + "): skipped");
        Result count = run(List.of("ip", "-n", netns, "xfrm", "policy", "count"));
        need(count.code == 0, "this kernel has no xfrm netlink (" + count.err.strip() + "): skipped");
        links = run(List.of("ip", "-n", netns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1")).code == 0;
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        if (netns != null) {
            run(List.of("ip", "netns", "del", netns));
        }
    }

    private record Result(int code, String out, String err) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** Whether iproute2 parsed the line (0: the kernel took it, 2: the kernel refused it), or refused it itself (255, 1). */
    private static boolean iproute2Accepts(String line) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "-n", netns));
        command.addAll(Args.split(line));
        Result r = run(command);
        if (r.code != 0 && r.code != 1 && r.code != 2 && r.code != 255) {
            fail("ip exited " + r.code + " for: " + line + "\n" + r.err);
        }
        return r.code == 0 || r.code == 2;
    }

    /** Netfence's verdict, the message when it refused the line itself. */
    private static String netfenceRefusal(String line) {
        FakeNetService net = new FakeNetService();
        net.addLink(new LinkSpec("eth0", "tap", 0, null, 0, List.of()));
        net.addLink(new LinkSpec("eth1", "tap", 0, null, 0, List.of()));
        FakeXfrmService xfrm = new FakeXfrmService();
        IpCommand ip = new IpCommand(net, () -> xfrm, ZoneOffset.UTC);
        try {
            ip.execute(name -> {
                throw new IOException("no files");
            }, Args.split(line), out -> { });
            return null;
        } catch (CommandException e) {
            // the fake service refused (no such SA, say) as the kernel would: the line itself was fine
            return e.getCause() instanceof XfrmException ? null : e.getMessage();
        }
    }

    private static Stream<DynamicTest> tests(List<String> lines, boolean iproute2, boolean netfence) {
        return lines.stream().map(line -> DynamicTest.dynamicTest("ip " + line, () -> {
            Assumptions.assumeTrue(links || !line.contains("eth0"), "no veth links in the namespace for: " + line);
            assertEquals(iproute2, iproute2Accepts(line), "iproute2 " + (iproute2 ? "accepts" : "refuses") + ": ip " + line);
            String refusal = netfenceRefusal(line);
            if (netfence) {
                assertEquals(null, refusal, "Netfence accepts: ip " + line);
            } else {
                assertTrue(refusal != null && refusal.startsWith("Error: "), "Netfence refuses: ip " + line);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> linesBothAccept() {
        return tests(GOOD, true, true);
    }

    @TestFactory
    Stream<DynamicTest> linesBothRefuse() {
        return tests(BAD, false, false);
    }

    @TestFactory
    Stream<DynamicTest> linesOnlyNetfenceRefuses() {
        return tests(STRICTER, true, false);
    }

    /**
     * Skips when the host lacks what the test needs; with -Dnetfence.requireAll=true (CI, where
     * everything is installed) fails instead, so a missing tool cannot pass for a green run.
     */
    private static void need(boolean ok, String what) {
        if (Boolean.getBoolean("netfence.requireAll")) {
            org.junit.jupiter.api.Assertions.assertTrue(ok, what + " (netfence.requireAll: nothing may be skipped)");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(ok, what);
    }
}
