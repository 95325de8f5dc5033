package io.netfence.shell.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.crypto.EspSuite;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.shell.testing.FakeXfrmService;
import io.netfence.shell.testing.TestJson;
import io.netfence.shell.text.CommandException;
import io.netfence.xfrm.api.Encap;
import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.OffloadSpec;
import io.netfence.xfrm.api.SaCounters;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.XfrmDirection;
import io.netfence.xfrm.api.XfrmMode;
import io.netfence.xfrm.api.XfrmState;
import io.netfence.xfrm.api.XfrmStateInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ip xfrm state}: lines from the ip-xfrm man page, strongSwan/libreswan and common guides, turned into SAs. */
class XfrmStateCommandTest extends IpTestBase {
    static final String GCM_KEY = "0x0102030405060708090a0b0c0d0e0f1011121314";
    static final String GCM = "aead 'rfc4106(gcm(aes))' " + GCM_KEY + " 128";
    static final String AES_KEY = "0x000102030405060708090a0b0c0d0e0f";
    static final String SHA256_KEY = "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    static final String CBC = "enc 'cbc(aes)' " + AES_KEY + " auth-trunc 'hmac(sha256)' " + SHA256_KEY + " 128";
    static final String SA = "ip xfrm state add src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x100 ";

    static IpAddress a(String text) {
        return IpAddress.parse(text);
    }

    /** Runs an add (into an empty SAD) or an update, and returns the SA it gave the service. */
    XfrmState state(String line) {
        if (line.contains(" add ")) {
            xfrm.flushStates();
        }
        return (XfrmState) xfrmCall(line);
    }

    @Test
    void aesGcmTunnel() {
        XfrmState s = state(SA + "reqid 1 mode tunnel " + GCM);
        assertEquals(List.of("addState"), xfrm.callNames());
        assertEquals(a("192.168.1.1"), s.src());
        assertEquals(a("192.168.2.1"), s.dst());
        assertEquals(0x100, s.spi());
        assertEquals(XfrmMode.TUNNEL, s.mode());
        assertEquals(1, s.reqid());
        assertEquals(new EspSuite(EspSuite.Cipher.AES_GCM, 128, EspSuite.Auth.NONE, 128), s.suite());
        assertEquals(GCM_KEY, s.encryptionKey().hex());
        assertNull(s.authenticationKey());
        assertEquals(0, s.replayWindow());
        assertFalse(s.esn());
        assertEquals(Selector.any(4), s.selector());
        assertEquals(Lifetime.NONE, s.lifetime());
        assertNull(s.encap());
        assertEquals(Mark.NONE, s.mark());
        assertEquals(0, s.ifId());
        assertNull(s.offload());
    }

    @Test
    void aesCbcWithHmacSha256() {
        XfrmState s = state(SA + "reqid 1 mode tunnel " + CBC);
        assertEquals(new EspSuite(EspSuite.Cipher.AES_CBC, 128, EspSuite.Auth.HMAC_SHA256, 128), s.suite());
        assertEquals(AES_KEY, s.encryptionKey().hex());
        assertEquals(SHA256_KEY, s.authenticationKey().hex());
    }

    @Test
    void chachaAndAes256WithShortIcv() {
        String chachaKey = "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223";
        XfrmState s = state(SA + "aead 'rfc7539esp(chacha20,poly1305)' " + chachaKey + " 128");
        assertEquals(new EspSuite(EspSuite.Cipher.CHACHA20_POLY1305, 256, EspSuite.Auth.NONE, 128), s.suite());
        assertEquals(XfrmMode.TRANSPORT, s.mode(), "iproute2's default mode");
        s = state(SA + "aead rfc4106(gcm(aes)) " + chachaKey + " 64");
        assertEquals(new EspSuite(EspSuite.Cipher.AES_GCM, 256, EspSuite.Auth.NONE, 64), s.suite());
    }

    /** The netdevsim selftest's form: words in another order, a decimal SPI, the ID not first. */
    @Test
    void idWordsInAnyOrderAndNumbersInCStyle() {
        XfrmState s = state("ip xfrm state add proto esp dst 10.0.0.2 spi 4096 src 10.0.0.1 mode transport reqid 010"
                + " replay-window 0x20 aead rfc4106(gcm(aes)) " + GCM_KEY + " 96");
        assertEquals(a("10.0.0.1"), s.src());
        assertEquals(4096, s.spi());
        assertEquals(8, s.reqid(), "a leading 0 is octal, as in iproute2");
        assertEquals(32, s.replayWindow());
        assertEquals(96, s.suite().icvBits());
        s = state("ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0xffffffff " + GCM + " reqid 4294967295");
        assertEquals(-1, s.spi());
        assertEquals(-1, s.reqid());
    }

    @Test
    void everyOption() {
        XfrmState s = state("ip xfrm state add src 192.168.2.1 dst 192.168.1.1 proto esp spi 0x200 reqid 7 mode tunnel"
                + " replay-window 128 flag esn af-unspec " + CBC + " mark 7 mask 0xff if_id 42"
                + " encap espinudp 4500 4501 10.9.9.9 sel src 10.1.0.0/16 dst 10.2.0.0/16 proto tcp sport 1234 dport 80"
                + " limit time-soft 3000 limit time-hard 3600 limit time-use-soft 10 limit time-use-hard 20"
                + " limit byte-soft 1000000 limit byte-hard 0x1000000 limit packet-soft 100 limit packet-hard 200"
                + " offload packet dev eth0 dir in");
        assertEquals(128, s.replayWindow());
        assertTrue(s.esn());
        assertEquals(new Mark(7, 0xff), s.mark());
        assertEquals(42, s.ifId());
        assertEquals(new Encap(4500, 4501, a("10.9.9.9")), s.encap());
        assertEquals(new Selector(IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("10.2.0.0/16"), 6, 1234, 0xffff, 80, 0xffff, null),
                s.selector());
        assertEquals(new Lifetime(1_000_000, 0x1000000, 100, 200, 3000, 3600, 10, 20), s.lifetime());
        assertEquals(new OffloadSpec(OffloadSpec.Type.PACKET, "eth0", XfrmDirection.IN), s.offload());
        assertEquals(new OffloadSpec(OffloadSpec.Type.CRYPTO, "eth0", XfrmDirection.OUT),
                state(SA + GCM + " offload dev eth0 dir out").offload());
        assertEquals(new OffloadSpec(OffloadSpec.Type.CRYPTO, "eth1", XfrmDirection.OUT),
                state(SA + GCM + " offload crypto dev eth1 dir out").offload());
    }

    @Test
    void markWithoutMaskIsExactAndMayEndTheLine() {
        assertEquals(new Mark(7, -1), state(SA + GCM + " mark 7").mark());
        assertEquals(Mark.NONE, state(SA + GCM + " mark 7 mask 0").mark(), "mask 0 is no mark, as in Linux");
    }

    @Test
    void selectors() {
        Selector icmp = state(SA + GCM + " sel src 10.1.0.0/16 dst 10.2.0.0/16 proto icmp type 8 code 0").selector();
        assertEquals(new Selector(IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("10.2.0.0/16"), 1, 8, 0xffff, 0, 0xffff, null), icmp);
        Selector dev = state(SA + GCM + " sel dst 10.2.0.0/16 dev eth0 proto udp dport 53 mode tunnel").selector();
        assertEquals(new Selector(IpPrefix.parse("0.0.0.0/0"), IpPrefix.parse("10.2.0.0/16"), 17, 0, 0, 53, 0xffff, "eth0"), dev);
        Selector gre = state(SA + GCM + " sel proto gre key 0.1.0.2").selector();
        assertEquals(new Selector(IpPrefix.parse("0.0.0.0/0"), IpPrefix.parse("0.0.0.0/0"), 47, 1, 0xffff, 2, 0xffff, null), gre);
        Selector sixInFour = state(SA + GCM + " sel src 2001:db8::/32 dst 2001:db8:1::/48 proto 58 type 135").selector();
        assertEquals(6, sixInFour.family(), "the selector may be of the other family (IPv6 through an IPv4 tunnel)");
        assertEquals(58, sixInFour.proto());
        Selector anyPort = state(SA + GCM + " sel src 10.1.0.0/16 proto tcp sport 0").selector();
        assertEquals(0, anyPort.sportMask(), "port 0 means any, as in iproute2");
    }

    @Test
    void ipv6AndTheFamilyOptions() {
        XfrmState s = state("ip -6 xfrm state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x1000 mode tun " + GCM);
        assertEquals(a("2001:db8::1"), s.src());
        assertEquals(XfrmMode.TUNNEL, s.mode(), "modes are matched by prefix");
        assertEquals(Selector.any(6), s.selector());
        fails("ip -4 xfrm state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x1000 " + GCM,
                "Error: argument \"2001:db8::1\" is wrong: expected an inet address (option -4 is in effect)");
    }

    /** The kernel's names for its algorithms ("compat"), a string key, and auth with Linux's default truncation. */
    @Test
    void linuxAliasesStringKeysAndDefaultTruncation() {
        XfrmState s = state(SA + "enc aes " + AES_KEY + " auth-trunc sha256 " + SHA256_KEY + " 128");
        assertEquals(new EspSuite(EspSuite.Cipher.AES_CBC, 128, EspSuite.Auth.HMAC_SHA256, 128), s.suite());
        String sha384Key = "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f";
        s = state(SA + "enc 'cbc(aes)' " + SHA256_KEY + " auth 'hmac(sha384)' " + sha384Key);
        assertEquals(new EspSuite(EspSuite.Cipher.AES_CBC, 256, EspSuite.Auth.HMAC_SHA384, 192), s.suite());
        s = state(SA + "aead 'rfc4106(gcm(aes))' 12345678901234567890 128");
        assertEquals("0x3132333435363738393031323334353637383930", s.encryptionKey().hex(),
                "a key not written in hex is the word's bytes, as in iproute2");
    }

    @Test
    void updateGivesTheServiceTheWholeSa() {
        ip(SA + "reqid 1 mode tunnel " + GCM);
        XfrmState s = state("ip xfrm state update src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x100 reqid 1 mode tunnel "
                + GCM + " limit time-hard 60");
        assertEquals(List.of("updateState"), xfrm.callNames());
        assertEquals(60, s.lifetime().hardAddSeconds());
        assertEquals(1, xfrm.stateCount());
    }

    @Test
    void abbreviations() {
        ip(SA + GCM);
        String listing = ip("ip xfrm state list");
        for (String line : List.of("ip xfrm state", "ip xfrm state show", "ip xfrm state lst", "ip xfrm sa", "ip x s l",
                "ip xf st sh", "ip xfrm s")) {
            assertEquals(listing, ip(line), line);
        }
        assertEquals(List.of("updateState"), callsOf("ip xfrm state u src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x100 " + GCM));
        assertEquals(List.of("deleteState"), callsOf("ip xfrm state d src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x100"));
    }

    List<String> callsOf(String line) {
        xfrm.clearCalls();
        ip(line);
        return xfrm.callNames();
    }

    // ------------------------------------------------------------------------------------------ output

    static final String GCM_SA = """
            src 192.168.1.1 dst 192.168.2.1
            \tproto esp spi 0x00000100 reqid 1 mode tunnel
            \treplay-window 0
            \taead rfc4106(gcm(aes)) 0x0102030405060708090a0b0c0d0e0f1011121314 128
            \tanti-replay context: seq 0x0, oseq 0x0, bitmap 0x00000000
            \tsel src 0.0.0.0/0 dst 0.0.0.0/0""";

    static final String CBC_SA = """
            src 192.168.2.1 dst 192.168.1.1
            \tproto esp spi 0x00000200 reqid 2 mode tunnel
            \treplay-window 128 flag esn
            \tmark 0x7/0xff
            \tauth-trunc hmac(sha256) 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 128
            \tenc cbc(aes) 0x000102030405060708090a0b0c0d0e0f
            \tencap type espinudp sport 4500 dport 4500 addr 0.0.0.0
            \tanti-replay esn context:
            \t seq-hi 0x1, seq 0x5, oseq-hi 0x0, oseq 0x9
            \t replay_window 128, bitmap-length 4
            \t 00000000 00000000 00000000 0000001f\s
            \tcrypto offload parameters: dev eth0 dir out mode crypto
            \tif_id 0x2a
            \tsel src 10.1.0.0/16 dst 10.2.0.0/16 proto tcp dport 80""";

    /** Two SAs: one plain, one with every option, with counters and sequence numbers as the dataplane has them. */
    void twoSas() {
        ip(SA + "reqid 1 mode tunnel " + GCM);
        ip("ip xfrm state add src 192.168.2.1 dst 192.168.1.1 proto esp spi 0x200 reqid 2 mode tunnel replay-window 128"
                + " flag esn " + CBC + " mark 7 mask 0xff if_id 42 encap espinudp 4500 4500 0.0.0.0"
                + " sel src 10.1.0.0/16 dst 10.2.0.0/16 proto tcp dport 80 limit time-hard 3600 limit byte-soft 1000000"
                + " offload dev eth0 dir out");
        XfrmStateInfo second = xfrm.state(a("192.168.1.1"), 0x200);
        xfrm.putState(new XfrmStateInfo(second.state(), new SaCounters(8400, 100, 2, 3, 4, 5, 6, 7, 8),
                FakeXfrmService.NOW, FakeXfrmService.NOW + 61, 9, (1L << 32) | 5, 0x1f, false, "eth0"));
        xfrm.clearCalls();
    }

    @Test
    void anEsnWindowOf4096ShowsItsWholeBitmapAsIproute2Does() {
        ip("ip xfrm state add src 192.168.2.1 dst 192.168.1.1 proto esp spi 0x300 reqid 3 mode tunnel replay-window 4096"
                + " flag esn " + CBC);
        XfrmStateInfo sa = xfrm.state(a("192.168.1.1"), 0x300);
        long[] window = new long[64];
        window[0] = 0b1011; // accepted: 5000, 4999, 4997
        window[63] = 1L << 63; // and 5000 - 4095 = 905, the window's last
        xfrm.putState(new XfrmStateInfo(sa.state(), SaCounters.ZERO, FakeXfrmService.NOW, 0, 0, 5000, 0xb, false, "software", window));
        List<String> lines = List.of(ip("ip xfrm state").split("\n"));
        int at = lines.indexOf("\t replay_window 4096, bitmap-length 128");
        assertTrue(at > 0, String.join("\n", lines));
        List<String> words = lines.subList(at + 1, at + 17);
        assertTrue(words.stream().allMatch(l -> l.matches("\t ([0-9a-f]{8} ){8}")), "16 lines of 8 words: " + words);
        // Linux's layout: n at bit (n - 1) mod 4096; the words are printed from the last (127) down.
        int[] bits = new int[128];
        for (long n : new long[] {5000, 4999, 4997, 905}) {
            int pos = (int) ((n - 1) % 4096);
            bits[pos >>> 5] |= 1 << (pos & 31);
        }
        StringBuilder want = new StringBuilder();
        for (int i = 127; i >= 0; i--) {
            want.append(String.format("%08x ", bits[i]));
        }
        assertEquals(want.toString(), String.join("", words.stream().map(l -> l.substring(2)).toList()));
    }

    @Test
    void listLikeLinux() {
        twoSas();
        assertEquals(GCM_SA + "\n" + CBC_SA, ip("ip xfrm state"));
        assertNull(ip("ip xfrm state list reqid 99"), "nothing to show prints nothing");
        assertEquals(GCM_SA, ip("ip xfrm state get src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x100"));
        assertEquals(GCM_SA, ip("ip xfrm state get dst 192.168.2.1 proto esp spi 256"));
        assertEquals(List.of(), xfrm.calls(), "listing changes nothing");
    }

    @Test
    void statsLikeLinux() {
        twoSas();
        assertEquals("""
                src 192.168.2.1 dst 192.168.1.1
                \tproto esp spi 0x00000200(512) reqid 2(0x00000002) mode tunnel
                \treplay-window 128 seq 0x00000000 flag esn (0x10000000)
                \tmark 0x7/0xff
                \tauth-trunc hmac(sha256) <<Keys hidden>> 128
                \tenc cbc(aes) <<Keys hidden>>
                \tencap type espinudp sport 4500 dport 4500 addr 0.0.0.0
                \tanti-replay esn context:
                \t seq-hi 0x1, seq 0x5, oseq-hi 0x0, oseq 0x9
                \t replay_window 128, bitmap-length 4
                \t 00000000 00000000 00000000 0000001f\s
                \tcrypto offload parameters: dev eth0 dir out mode crypto
                \tif_id 0x2a
                \tsel src 10.1.0.0/16 dst 10.2.0.0/16 proto tcp dport 80 uid 0
                \tlifetime config:
                \t  limit: soft 1000000(bytes), hard (INF)(bytes)
                \t  limit: soft (INF)(packets), hard (INF)(packets)
                \t  expire add: soft 0(sec), hard 3600(sec)
                \t  expire use: soft 0(sec), hard 0(sec)
                \tlifetime current:
                \t  8400(bytes), 100(packets)
                \t  add 2026-11-29 07:00:00 use 2026-11-29 07:01:01
                \tstats:
                \t  replay-window 2 replay 3 failed 4""", ip("ip -s xfrm state list reqid 2 nokeys"));
        assertEquals("""
                src 192.168.1.1 dst 192.168.2.1
                \tproto esp spi 0x00000100(256) reqid 1(0x00000001) mode tunnel
                \treplay-window 0 seq 0x00000000 flag  (0x00000000)
                \taead rfc4106(gcm(aes)) 0x0102030405060708090a0b0c0d0e0f1011121314 (160 bits) 128
                \tanti-replay context: seq 0x0, oseq 0x0, bitmap 0x00000000
                \tsel src 0.0.0.0/0 dst 0.0.0.0/0 uid 0
                \tlifetime config:
                \t  limit: soft (INF)(bytes), hard (INF)(bytes)
                \t  limit: soft (INF)(packets), hard (INF)(packets)
                \t  expire add: soft 0(sec), hard 0(sec)
                \t  expire use: soft 0(sec), hard 0(sec)
                \tlifetime current:
                \t  0(bytes), 0(packets)
                \t  add 2026-11-29 07:00:00 use -
                \tstats:
                \t  replay-window 0 replay 0 failed 0
                \t  bad-trailer 0 bad-length 0 seq-exhausted 0 not-durable 0
                \tplacement software""", ip("ip -s -s xfrm state list reqid 1"));
        assertTrue(ip("ip -s -s xfrm state list spi 0x200").endsWith(
                "\t  bad-trailer 5 bad-length 6 seq-exhausted 7 not-durable 8\n\tplacement eth0"));
    }

    @Test
    void onelineJoinsTheLinesOfEachSa() {
        twoSas();
        String oneline = ip("ip -o xfrm state");
        assertEquals(2, oneline.lines().count());
        assertEquals(GCM_SA.replace("\n", "\\"), oneline.lines().findFirst().orElseThrow());
    }

    @Test
    void json() {
        twoSas();
        List<Object> sas = TestJson.array(ip("ip -j xfrm state"));
        assertEquals(2, sas.size());
        Map<String, Object> gcm = TestJson.object(sas.get(0));
        assertEquals("192.168.1.1", gcm.get("src"));
        assertEquals("esp", gcm.get("proto"));
        assertEquals(256L, gcm.get("spi"));
        assertEquals("tunnel", gcm.get("mode"));
        assertEquals(List.of(), gcm.get("flags"));
        assertEquals(Map.of("name", "rfc4106(gcm(aes))", "key", GCM_KEY, "key_len", 160L, "icv_len", 128L), gcm.get("aead"));
        assertEquals(Map.of("src", "0.0.0.0/0", "dst", "0.0.0.0/0"), gcm.get("sel"));
        assertEquals("software", gcm.get("placement"));
        assertFalse(gcm.containsKey("lifetime"), "the lifetime comes with -s");
        Map<String, Object> cbc = TestJson.object(sas.get(1));
        assertEquals(List.of("esn"), cbc.get("flags"));
        assertEquals(Map.of("value", 7L, "mask", 255L), cbc.get("mark"));
        assertEquals(Map.of("name", "cbc(aes)", "key", AES_KEY, "key_len", 128L), cbc.get("enc"));
        assertEquals(Map.of("name", "hmac(sha256)", "key", SHA256_KEY, "key_len", 256L, "trunc_len", 128L), cbc.get("auth_trunc"));
        assertEquals(Map.of("type", "espinudp", "sport", 4500L, "dport", 4500L, "addr", "0.0.0.0"), cbc.get("encap"));
        assertEquals(Map.of("seq", (1L << 32) | 5, "oseq", 9L, "bitmap", 31L), cbc.get("anti_replay"));
        assertEquals(Map.of("dev", "eth0", "dir", "out", "mode", "crypto"), cbc.get("offload"));
        assertEquals(42L, cbc.get("if_id"));
        assertEquals(Map.of("src", "10.1.0.0/16", "dst", "10.2.0.0/16", "proto", "tcp", "dport", 80L), cbc.get("sel"));

        Map<String, Object> stats = TestJson.object(TestJson.array(ip("ip -s -s -j xfrm state list spi 0x200 nokeys")).getFirst());
        assertFalse(TestJson.object(stats.get("enc")).containsKey("key"), "nokeys leaves the keys out");
        Map<String, Object> lifetime = TestJson.object(stats.get("lifetime"));
        Map<String, Object> config = TestJson.object(lifetime.get("config"));
        assertEquals(1_000_000L, config.get("byte_soft"));
        assertNull(config.get("byte_hard"), "no limit is null");
        assertTrue(config.containsKey("byte_hard"));
        assertEquals(3600L, config.get("time_hard"));
        assertEquals(Map.of("bytes", 8400L, "packets", 100L, "add_time", FakeXfrmService.NOW, "use_time", FakeXfrmService.NOW + 61),
                lifetime.get("current"));
        assertEquals(Map.of("replay_window", 2L, "replay", 3L, "failed", 4L, "bad_trailer", 5L, "bad_length", 6L,
                "seq_exhausted", 7L, "not_durable", 8L), stats.get("stats"));
        assertEquals("eth0", stats.get("placement"));
        assertEquals("[]", ip("ip -j xfrm state list reqid 99"));
        assertTrue(ip("ip -j -p xfrm state get dst 192.168.2.1 proto esp spi 0x100").startsWith("[\n    {\n        \"src\": "));
    }

    @Test
    void listFilters() {
        twoSas();
        ip("ip xfrm state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x300 mode transport reqid 3 " + GCM);
        assertEquals(List.of("0x00000100"), spis("ip xfrm state list dst 192.168.2.0/24"));
        assertEquals(List.of("0x00000200"), spis("ip xfrm state list src 192.168.2.1 proto esp"));
        assertEquals(List.of("0x00000100", "0x00000200"), spis("ip xfrm state list src 192.168.0.0/16"));
        assertEquals(List.of("0x00000200"), spis("ip xfrm state list flag esn"));
        assertEquals(List.of("0x00000100"), spis("ip xfrm state list spi 0x100"));
        assertEquals(List.of("0x00000300"), spis("ip xfrm state list mode transport"));
        assertEquals(List.of("0x00000300"), spis("ip -6 xfrm state"));
        assertEquals(List.of("0x00000100", "0x00000200"), spis("ip -4 xfrm state list mode tunnel"));
        assertEquals(List.of("0x00000200"), spis("ip xfrm state list reqid 2"));
    }

    List<String> spis(String line) {
        return ip(line).lines().filter(l -> l.startsWith("\tproto esp spi ")).map(l -> l.substring(15, 25)).toList();
    }

    @Test
    void getAndDeleteCheckTheMarkWhenGiven() {
        twoSas();
        assertEquals(CBC_SA, ip("ip xfrm state get src 192.168.2.1 dst 192.168.1.1 proto esp spi 0x200 mark 7 mask 0xff"));
        fails("ip xfrm state delete src 192.168.2.1 dst 192.168.1.1 proto esp spi 0x200 mark 8",
                "Error: no SA dst 192.168.1.1 spi 0x00000200 with mark 8: expected the mark the SA has"
                        + " (ip xfrm state get without mark shows it)");
        assertEquals(List.of("deleteState"), callsOf("ip xfrm state delete dst 192.168.1.1 proto esp spi 0x200 mark 0x107"));
        assertEquals(List.of(a("192.168.1.1"), 0x200), xfrm.calls().getFirst().args());
        assertEquals(1, xfrm.stateCount());
    }

    @Test
    void deleteallFlushCount() {
        twoSas();
        assertEquals("\t SAD count 2", ip("ip xfrm state count"));
        assertEquals(Map.of("count", 2L), TestJson.object(TestJson.parse(ip("ip -j xfrm state count"))));
        assertNull(ip("ip xfrm state deleteall reqid 2"));
        assertEquals(List.of("deleteState"), xfrm.callNames());
        assertEquals("\t SAD count 1", ip("ip xfrm state count"));
        assertEquals(List.of("flushStates"), callsOf("ip xfrm state flush proto esp"));
        assertEquals("\t SAD count 0", ip("ip xfrm state count"));
        assertEquals(List.of("flushStates"), callsOf("ip xfrm state f"));
    }

    @Test
    void allocspiPrintsTheReservedSa() {
        assertEquals("""
                src 192.168.2.1 dst 192.168.1.1
                \tproto esp spi 0x00000100 reqid 2 mode tunnel
                \treplay-window 0
                \tanti-replay context: seq 0x0, oseq 0x0, bitmap 0x00000000
                \tsel src 192.168.2.1/32 dst 192.168.1.1/32""",
                ip("ip xfrm state allocspi src 192.168.2.1 dst 192.168.1.1 proto esp reqid 2 mode tunnel"));
        assertEquals(List.of(a("192.168.2.1"), a("192.168.1.1"), XfrmMode.TUNNEL, 2, 0x100, 0x0fffffff),
                xfrm.calls().getFirst().args());
        xfrm.clearCalls();
        assertTrue(ip("ip xfrm state allocspi src 192.168.2.1 dst 192.168.1.1 proto esp min 0x1000 max 0x1fff")
                .contains("spi 0x00001000 reqid 0 mode transport"));
        assertEquals(List.of(a("192.168.2.1"), a("192.168.1.1"), XfrmMode.TRANSPORT, 0, 0x1000, 0x1fff),
                xfrm.calls().getFirst().args());
        // update completes the reserved SA
        assertEquals(List.of("updateState"), callsOf("ip xfrm state update src 192.168.2.1 dst 192.168.1.1 proto esp spi 0x100"
                + " reqid 2 mode tunnel " + GCM));
    }

    // ------------------------------------------------------------------------------------------ errors

    @Test
    void espOnly() {
        String ah = "ip xfrm state add src 1.1.1.1 dst 2.2.2.2 proto %s spi 0x100 auth-trunc 'hmac(sha256)' " + SHA256_KEY + " 128";
        for (String proto : List.of("ah", "comp", "route2", "hao")) {
            fails(ah.formatted(proto), "Error: argument \"" + proto + "\" is wrong: Netfence implements ESP only: expected proto esp");
        }
        fails("ip xfrm state add src 1.1.1.1 dst 2.2.2.2 proto foo spi 0x100 " + GCM,
                "Error: argument \"foo\" is wrong: expected proto esp (XFRM-PROTO := esp | ah | comp | route2 | hao;"
                        + " Netfence implements esp)");
        fails("ip xfrm state flush proto ah", "Error: argument \"ah\" is wrong: Netfence implements ESP only: expected proto esp");
    }

    @Test
    void algorithmErrors() {
        fails(SA + "enc 'cbc(aes)' " + AES_KEY + " auth 'hmac(sha256)' " + SHA256_KEY,
                "Error: argument \"auth\" is wrong: \"auth hmac(sha256) KEY\" truncates the ICV to 96 bits (Linux's default),"
                        + " which RFC 4868 does not allow: expected auth-trunc 'hmac(sha256)' KEY 128");
        fails(SA + "enc 'cbc(aes)' " + AES_KEY,
                "Error: argument \"enc\" is wrong: cbc(aes) needs an authenticator: auth-trunc 'hmac(sha256)' KEY 128"
                        + " (encryption without integrity is refused)");
        fails(SA + "auth-trunc 'hmac(sha256)' " + SHA256_KEY + " 128",
                "Error: \"aead\" argument is required: expected aead NAME KEY ICV-LEN, or enc NAME KEY with auth-trunc NAME KEY"
                        + " TRUNC-LEN (ESP needs an algorithm)");
        fails(SA + "enc 'cbc(des3_ede)' 0x000102030405060708090a0b0c0d0e0f1011121314151617 auth-trunc 'hmac(sha1)' "
                        + "0x000102030405060708090a0b0c0d0e0f10111213 96",
                "Error: argument \"cbc(des3_ede)\" is wrong: enc \"cbc(des3_ede)\": expected cbc(aes)");
        fails(SA + "enc 'cbc(aes)' " + AES_KEY + " auth-trunc 'hmac(sha1)' 0x000102030405060708090a0b0c0d0e0f10111213 96",
                "Error: argument \"hmac(sha1)\" is wrong: auth-trunc \"hmac(sha1)\": expected hmac(sha256), hmac(sha384) or"
                        + " hmac(sha512)");
        fails(SA + "aead 'rfc4309(ccm(aes))' " + GCM_KEY + " 128",
                "Error: argument \"rfc4309(ccm(aes))\" is wrong: aead \"rfc4309(ccm(aes))\": expected rfc4106(gcm(aes)) or"
                        + " rfc7539esp(chacha20,poly1305)");
        fails(SA + "aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011 128",
                "Error: the key of \"aead rfc4106(gcm(aes))\" is wrong: key of 104 bits for rfc4106(gcm(aes)): expected 128, 192,"
                        + " 256 bits (plus a 32-bit salt)");
        fails(SA + "aead 'rfc4106(gcm(aes))' 0x0102 128",
                "Error: the key of \"aead rfc4106(gcm(aes))\" is wrong: 16 bits of key material: expected the key followed by"
                        + " a 32-bit salt");
        fails(SA + "aead 'rfc4106(gcm(aes))' " + GCM_KEY + " 100",
                "Error: argument \"100\" is wrong: ICV length 100 for rfc4106(gcm(aes)): expected 64, 96 or 128");
        fails(SA + "enc 'cbc(aes)' " + AES_KEY + " auth-trunc 'hmac(sha256)' " + SHA256_KEY + " 96",
                "Error: argument \"96\" is wrong: ICV length 96 for hmac(sha256): expected 128 (RFC 4868: half the digest)");
        fails(SA + "enc 'cbc(aes)' " + AES_KEY + " auth-trunc 'hmac(sha256)' 0x0001 128",
                "Error: the key of \"auth-trunc hmac(sha256)\" is wrong: key of 16 bits for hmac(sha256): expected 256 bits"
                        + " (RFC 4868: as long as the digest)");
        fails(SA + "aead 'rfc4106(gcm(aes))' 0x102030405060708090a0b0c0d0e0f1011121314 128",
                "Error: the key of \"aead rfc4106(gcm(aes))\" is wrong: expected 0x followed by an even number of hex digits");
        fails(SA + "aead 'rfc4106(gcm(aes))' 0xzz0102030405060708090a0b0c0d0e0f10111213 128",
                "Error: the key of \"aead rfc4106(gcm(aes))\" is wrong: expected 0x followed by an even number of hex digits");
        fails(SA + "aead 'rfc4106(gcm(aes))' " + GCM_KEY,
                "Error: argument \"aead rfc4106(gcm(aes)) KEY\" needs a value: expected aead rfc4106(gcm(aes)) KEY ICV-LEN");
        fails(SA + "aead 'rfc4106(gcm(aes))'",
                "Error: argument \"aead rfc4106(gcm(aes))\" needs a value: expected aead rfc4106(gcm(aes)) KEY ICV-LEN");
        fails(SA + "aead", "Error: argument \"aead\" needs a value: expected aead NAME KEY ICV-LEN");
        fails(SA + "aead 'rfc4106(gcm(aes))' " + GCM_KEY + " abc",
                "Error: argument \"abc\" is wrong: \"ICV-LEN\" expects a number 0-4294967295 (decimal, or hex after 0x)");
        fails(SA + "enc 'cbc(aes)' " + AES_KEY + " " + GCM, "Error: argument \"aead\" is wrong: aead both encrypts and"
                + " authenticates: give either aead NAME KEY ICV-LEN, or enc NAME KEY with auth-trunc NAME KEY TRUNC-LEN");
        fails(SA + GCM + " " + CBC, "Error: argument \"enc\" is wrong: aead both encrypts and authenticates: give either"
                + " aead NAME KEY ICV-LEN, or enc NAME KEY with auth-trunc NAME KEY TRUNC-LEN");
        fails(SA + GCM + " " + GCM, "Error: argument \"aead\" is duplicate: give it at most once");
        fails(SA + GCM + " comp deflate",
                "Error: argument \"comp\" is wrong: IP payload compression (IPComp) is not supported by Netfence: leave \"comp\" out");
    }

    @Test
    void keysAreNeverInErrorMessages() {
        String key = "0x0102030405060708090a0b0c0d0e0f1011";
        CommandException e = assertThrows(CommandException.class, () -> ip(SA + "aead 'rfc4106(gcm(aes))' " + key + " 128"));
        assertFalse(e.getMessage().contains("0102030405"), e.getMessage());
    }

    @Test
    void idErrors() {
        String usage = "expected ip xfrm state { add | update } src ADDR dst ADDR proto esp spi SPI { aead NAME KEY ICV-LEN"
                + " | enc NAME KEY auth-trunc NAME KEY TRUNC-LEN } [mode MODE] ...";
        fails("ip xfrm state add " + GCM + " mode tunnel", "Error: \"ID\" argument is required: " + usage);
        fails("ip xfrm state add dst 192.168.2.1 proto esp spi 0x100 " + GCM, "Error: \"src\" argument is required: " + usage);
        fails("ip xfrm state add src 192.168.1.1 proto esp spi 0x100 " + GCM, "Error: \"dst\" argument is required: " + usage);
        fails("ip xfrm state add src 1.1.1.1 dst 2.2.2.2 spi 0x100 " + GCM, "Error: \"proto\" argument is required: " + usage);
        fails("ip xfrm state add src 1.1.1.1 dst 2.2.2.2 proto esp " + GCM, "Error: \"spi\" argument is required: " + usage);
        fails("ip xfrm state add src 1.1.1.1 dst 2.2.2.2 proto esp spi 9 " + GCM,
                "Error: argument \"9\" is wrong: SPIs 0-255 are reserved (RFC 4303): expected 0x100-0xffffffff");
        fails("ip xfrm state add src 1.1.1.1 dst 2.2.2.2 proto esp spi zz " + GCM,
                "Error: argument \"zz\" is wrong: \"spi\" expects a number 0-4294967295 (decimal, or hex after 0x)");
        fails("ip xfrm state add src 1.1.1.1 dst 2.2.2.2 proto esp spi 0x100000000 " + GCM,
                "Error: argument \"0x100000000\" is wrong: \"spi\" expects a number 0-4294967295 (decimal, or hex after 0x)");
        fails("ip xfrm state add src 1.1.1.1 dst 2001:db8::1 proto esp spi 0x100 " + GCM,
                "Error: argument \"2001:db8::1\" is wrong: \"src\" and \"dst\" must be of the same address family");
        fails("ip xfrm state add src 10.0.0.1/24 dst 2.2.2.2 proto esp spi 0x100 " + GCM,
                "Error: argument \"10.0.0.1/24\" is wrong: expected a single address (/32), not a network");
        fails("ip xfrm state add src 1.1.1.1 mode tunnel dst 2.2.2.2 proto esp spi 0x100 " + GCM,
                "Error: argument \"dst\" is wrong: the ID is given in one place: expected src ADDR dst ADDR proto esp spi SPI together");
        fails("ip xfrm state add src 1.1.1.1 src 1.1.1.2 dst 2.2.2.2 proto esp spi 0x100 " + GCM,
                "Error: argument \"src\" is duplicate: give it at most once");
        fails("ip xfrm state add src 1.1.1.1 dst bogus proto esp spi 0x100 " + GCM,
                "Error: argument \"bogus\" is wrong: expected an address like 10.0.0.1 or 2001:db8::1");
    }

    @Test
    void optionErrors() {
        fails(SA + GCM + " bogus", "Error: argument \"bogus\" is wrong: expected one of src, dst, proto, spi, aead, enc, auth,"
                + " auth-trunc, mode, mark, reqid, replay-window, replay-seq, replay-oseq, replay-seq-hi, replay-oseq-hi, flag, sel,"
                + " limit, encap, if_id, offload");
        fails(SA + GCM + " mode bogus", "Error: argument \"bogus\" is wrong: expected mode transport or tunnel");
        fails(SA + GCM + " mode beet", "Error: argument \"beet\" is wrong: mode beet is not supported by Netfence: expected"
                + " transport or tunnel");
        fails(SA + GCM + " mode ro", "Error: argument \"ro\" is wrong: mode ro is not supported by Netfence: expected transport"
                + " or tunnel");
        fails(SA + GCM + " mode tunnel mode transport", "Error: argument \"mode\" is duplicate: give it at most once");
        fails(SA + GCM + " mode", "Error: argument \"mode\" needs a value: expected mode transport | tunnel");
        fails(SA + GCM + " reqid x", "Error: argument \"x\" is wrong: \"reqid\" expects a number 0-4294967295 (decimal, or hex"
                + " after 0x)");
        fails(SA + GCM + " reqid -1", "Error: argument \"-1\" is wrong: \"reqid\" expects a number 0-4294967295 (decimal, or"
                + " hex after 0x)");
        fails(SA + GCM + " replay-window 5000", "Error: argument \"5000\" is wrong: \"replay-window\" expects a number 0-4096"
                + " (decimal, or hex after 0x)");
        fails(SA + "flag esn " + GCM, "Error: argument \"esn\" is wrong: extended sequence numbers need a replay window:"
                + " expected replay-window SIZE (1-4096) with flag esn");
        fails(SA + "replay-window 0 flag 0x80 " + GCM, "Error: argument \"esn\" is wrong: extended sequence numbers need a"
                + " replay window: expected replay-window SIZE (1-4096) with flag esn");
        for (String flag : List.of("noecn", "decap-dscp", "nopmtudisc", "wildrecv", "icmp", "align4")) {
            fails(SA + "flag " + flag + " " + GCM, "Error: argument \"" + flag + "\" is wrong: flag " + flag
                    + " is not supported by Netfence: expected esn or af-unspec");
        }
        fails(SA + "flag 0x01 " + GCM, "Error: argument \"0x01\" is wrong: flag noecn is not supported by Netfence: expected"
                + " esn or af-unspec");
        fails(SA + "flag mode tunnel " + GCM, "Error: argument \"mode\" is wrong: expected a FLAG after \"flag\": esn or af-unspec");
        fails(SA + GCM + " encap espinudp-nonike 4500 4500 0.0.0.0", "Error: argument \"espinudp-nonike\" is wrong:"
                + " espinudp-nonike (the pre-RFC draft with a non-IKE marker) is not supported by Netfence: expected encap"
                + " espinudp SPORT DPORT OADDR");
        fails(SA + GCM + " encap espintcp 4500 4500 0.0.0.0", "Error: argument \"espintcp\" is wrong: ESP in TCP (RFC 8229) is"
                + " not supported by Netfence: expected encap espinudp SPORT DPORT OADDR");
        fails(SA + GCM + " encap espinudp 0 4500 0.0.0.0", "Error: argument \"0\" is wrong: \"SPORT\" expects a number 1-65535"
                + " (decimal, or hex after 0x)");
        fails(SA + GCM + " encap espinudp 4500 4500", "Error: argument \"encap espinudp 4500 4500\" needs a value: expected"
                + " encap espinudp 4500 4500 OADDR");
        fails(SA + GCM + " sel", "Error: argument \"sel\" needs a value: expected sel " + XfrmWords.SELECTOR_FORM);
        fails(SA + GCM + " sel mode tunnel", "Error: argument \"sel\" needs a value: expected sel " + XfrmWords.SELECTOR_FORM);
        fails(SA + GCM + " sel src 10.0.0.0/8 dst 2001:db8::/32",
                "Error: argument \"2001:db8::/32\" is wrong: \"src\" and \"dst\" must be of the same address family");
        fails(SA + GCM + " sel src any", "Error: argument \"any\" is wrong: its address family is unknown: write 0.0.0.0/0 or"
                + " ::/0, or give -4 or -6");
        fails(SA + GCM + " sel src 10.0.0.0/8 proto icmp sport 80",
                "Error: argument \"sport\" is wrong: ports apply to proto tcp, udp, sctp or dccp, not icmp");
        fails(SA + GCM + " sel proto tcp type 3", "Error: argument \"type\" is wrong: type and code apply to proto icmp,"
                + " ipv6-icmp or mobility-header, not tcp");
        fails(SA + GCM + " sel proto udp key 5", "Error: argument \"key\" is wrong: key applies to proto gre, not udp");
        fails(SA + GCM + " sel proto icmp type 256", "Error: argument \"256\" is wrong: \"type\" expects a number 0-255"
                + " (decimal, or hex after 0x)");
        fails(SA + GCM + " sel proto bogus", "Error: argument \"bogus\" is wrong: expected an IP protocol: tcp, udp, sctp,"
                + " dccp, icmp, ipv6-icmp, gre, another name from /etc/protocols, or a number 0-255");
        fails(SA + GCM + " sel dev eth9", "Error: Device \"eth9\" does not exist.");
        fails(SA + GCM + " limit time-soft x", "Error: argument \"x\" is wrong: \"time-soft\" expects a number"
                + " 0-9223372036854775807 (decimal, or hex after 0x)");
        fails(SA + GCM + " limit bogus 1", "Error: argument \"bogus\" is wrong: expected limit " + XfrmWords.LIMIT_FORM);
        fails(SA + GCM + " limit time-soft 1 limit time-soft 2", "Error: argument \"limit time-soft\" is duplicate: give it at"
                + " most once");
        fails(SA + GCM + " mark x", "Error: argument \"x\" is wrong: \"mark\" expects a number 0-4294967295 (decimal, or hex"
                + " after 0x)");
        fails(SA + GCM + " mark 7 mask", "Error: argument \"mask\" needs a value: expected mask MASK");
        fails(SA + GCM + " if_id x", "Error: argument \"x\" is wrong: \"if_id\" expects a number 0-4294967295 (decimal, or"
                + " hex after 0x)");
        fails(SA + GCM + " offload dev eth9 dir out", "Error: Device \"eth9\" does not exist.");
        fails(SA + GCM + " offload dev eth0 dir sideways", "Error: argument \"sideways\" is wrong: expected offload dir in or out");
        fails(SA + GCM + " offload eth0 dir out", "Error: argument \"eth0\" is wrong: expected offload [crypto | packet] dev DEV"
                + " dir { in | out }");
        fails(SA + GCM + " offload dev eth0", "Error: argument \"offload dev eth0\" needs a value: expected offload dev eth0"
                + " dir { in | out }");
    }

    @Test
    void replayStateCarriedOverFromAnotherImplementation() {
        ip(SA + GCM + " replay-seq 5 replay-oseq 0x10");
        XfrmState s = xfrm.states().getLast().state();
        assertEquals(5, s.replaySeq());
        assertEquals(16, s.replayOseq());
        ip("ip xfrm state add src 192.168.1.1 dst 192.168.2.1 proto esp spi 0x101 replay-window 64 flag esn " + GCM
                + " replay-oseq-hi 1 replay-oseq 2");
        assertEquals((1L << 32) | 2, xfrm.states().getLast().state().replayOseq());
        fails(SA + GCM + " replay-oseq-hi 1", "Error: argument \"replay-oseq-hi\" is wrong: the high halves of sequence numbers need flag esn");
        fails(SA + GCM + " replay-seq 1 replay-seq 2", "Error: argument \"replay-seq\" is duplicate: give it at most once");
    }

    @Test
    void linuxFeaturesNetfenceDoesNotHave() {
        Map<String, String> refused = Map.of(
                "seq 5", "setting the key manager's sequence number",
                "coa 1.2.3.4", "a care-of address (Mobile IPv6)",
                "ctx system_u", "a security context",
                "extra-flag dont-encap-dscp", "an extra flag (dont-encap-dscp, oseq-may-wrap)",
                "output-mark 5", "an output mark",
                "tfcpad 100", "TFC padding",
                "cpu 1", "a per-CPU SA");
        refused.forEach((words, what) -> {
            String keyword = words.substring(0, words.indexOf(' '));
            fails(SA + GCM + " " + words, "Error: argument \"" + keyword + "\" is wrong: " + what
                    + " is not supported by Netfence: leave \"" + keyword + "\" out");
        });
    }

    @Test
    void otherCommandErrors() {
        String get = "expected ip xfrm state get src ADDR dst ADDR proto esp spi SPI [mark MARK [mask MASK]]";
        fails("ip xfrm state get src 1.1.1.1 dst 2.2.2.2 proto esp spi 0x100 bogus", "Error: argument \"bogus\" is wrong: " + get);
        fails("ip xfrm state get src 1.1.1.1 dst 2.2.2.2 spi 0x100", "Error: \"proto\" argument is required: " + get);
        fails("ip xfrm state get src 1.1.1.1 dst 2.2.2.2 proto esp", "Error: \"spi\" argument is required: " + get);
        fails("ip xfrm state get dst 2.2.2.2 proto esp spi 0x100",
                "Error: no SA dst 2.2.2.2 spi 0x00000100: expected one listed by ip xfrm state");
        fails("ip xfrm state delete dst 2.2.2.2 proto esp spi 0x100",
                "Error: no SA dst 2.2.2.2 spi 0x00000100: expected one listed by ip xfrm state");
        fails("ip xfrm state allocspi src 1.1.1.1 dst 2.2.2.2 proto esp spi 0x100",
                "Error: argument \"spi\" is wrong: allocspi chooses the SPI: expected min SPI max SPI instead");
        fails("ip xfrm state allocspi src 1.1.1.1 dst 2.2.2.2 proto esp min 0x200",
                "Error: \"max\" argument is required: expected min SPI max SPI together");
        fails("ip xfrm state allocspi src 1.1.1.1 dst 2.2.2.2 proto esp min 0x300 max 0x200",
                "Error: argument \"0x300\" is wrong: the value after \"min\" is larger than the value after \"max\"");
        fails("ip xfrm state allocspi src 1.1.1.1 dst 2.2.2.2 proto esp min 1 max 0x200",
                "Error: argument \"1\" is wrong: SPIs 0-255 are reserved (RFC 4303): expected min 0x100 or more");
        fails("ip xfrm state allocspi src 1.1.1.1 dst 2.2.2.2 proto esp mark 7", "Error: argument \"mark\" is wrong: allocspi"
                + " takes no mark in Netfence: give it to the ip xfrm state update that completes the SA");
        fails("ip xfrm state allocspi dst 2.2.2.2 proto esp", "Error: \"src\" argument is required: expected ip xfrm state"
                + " allocspi src ADDR dst ADDR proto esp [mode MODE] [reqid REQID] [min SPI max SPI]");
        fails("ip xfrm state list bogus", "Error: argument \"bogus\" is wrong: expected one of src, dst, proto, spi, mode,"
                + " reqid, flag, nokeys");
        fails("ip xfrm state list flag af-unspec", "Error: argument \"af-unspec\" is wrong: Netfence keeps only the esn flag,"
                + " so no SA is listed by af-unspec: expected flag esn");
        fails("ip xfrm state list src any", "Error: argument \"any\" is wrong: its address family is unknown: write 0.0.0.0/0"
                + " or ::/0, or give -4 or -6");
        fails("ip xfrm state flush bogus", "Error: argument \"bogus\" is wrong: expected ip xfrm state flush [proto esp]");
        fails("ip xfrm state count 1", "Error: argument \"1\" is wrong: expected ip xfrm state count");
        fails("ip xfrm state frob", "Error: command \"frob\" is unknown: expected one of add, update, allocspi, delete, get,"
                + " deleteall, list, flush, count, help");
        fails("ip xfrm bogus", "Error: object \"bogus\" is unknown: expected one of state, policy, monitor, help");
    }

    @Test
    void refusalsOfTheServiceBecomeErrorsAndWipeTheKeys() {
        xfrm.refuse("addState");
        CommandException e = assertThrows(CommandException.class, () -> ip(SA + CBC));
        assertEquals("Error: addState refused by the test", e.getMessage());
        XfrmState refused = (XfrmState) xfrm.calls().getFirst().args().getFirst();
        assertTrue(refused.encryptionKey().wiped() && refused.authenticationKey().wiped(), "the keys of a refused SA are wiped");
        assertEquals(0, xfrm.stateCount());
    }

    @Test
    void existingSaIsRefusedByTheService() {
        ip(SA + GCM);
        CommandException e = assertThrows(CommandException.class, () -> ip(SA + GCM));
        assertEquals("Error: SA dst 192.168.2.1 spi 0x00000100 exists: expected ip xfrm state update", e.getMessage());
        assertFalse(((XfrmState) xfrm.calls().getFirst().args().getFirst()).encryptionKey().wiped(), "the stored SA keeps its keys");
    }

    @Test
    void withoutAnXfrmService() {
        xfrmPresent = false;
        for (String line : List.of("ip xfrm state", "ip xfrm policy list", "ip x m", SA + GCM)) {
            fails(line, IpCommand.XFRM_NOT_AVAILABLE);
        }
        assertEquals(IpHelp.XFRM, ip("ip xfrm"));
        assertEquals(IpHelp.XFRM, ip("ip xfrm help"));
        assertEquals(IpHelp.XFRM_STATE, ip("ip xfrm state help"));
        assertEquals(IpHelp.XFRM_POLICY, ip("ip xfrm p help"));
        assertEquals(IpHelp.XFRM_MONITOR, ip("ip xfrm monitor help"));
    }

    @Test
    void help() {
        assertEquals(IpHelp.XFRM, ip("ip xfrm"));
        assertEquals(IpHelp.XFRM, ip("ip x help"));
        assertEquals(IpHelp.XFRM_STATE, ip("ip xfrm state help"));
        assertEquals(IpHelp.XFRM_STATE, ip("ip xfrm sa h"));
        for (String text : List.of(IpHelp.XFRM, IpHelp.XFRM_STATE, IpHelp.XFRM_POLICY, IpHelp.XFRM_MONITOR)) {
            assertTrue(text.startsWith("Usage: ip xfrm"), text);
            assertTrue(text.contains("\nExamples:\n"), text);
            // the examples work (the monitor's would block)
            xfrm.flushStates();
            xfrm.flushPolicies();
            text.substring(text.indexOf("\nExamples:\n")).lines().filter(l -> l.startsWith("  ip ") && !l.contains("monitor"))
                    .forEach(example -> ip(example.strip()));
        }
        assertTrue(IpHelp.IP.contains("xfrm"));
    }
}
