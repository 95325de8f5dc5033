package io.netfence.bench;

import io.netfence.backend.software.xfrm.SoftwareXfrmProvider;
import io.netfence.crypto.CryptoEngine;
import io.netfence.crypto.EspSuite;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import io.netfence.xfrm.api.KeyMaterial;
import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.Template;
import io.netfence.xfrm.api.XfrmDirection;
import io.netfence.xfrm.api.XfrmMode;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmState;
import io.netfence.xfrm.internal.XfrmCore;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The IPsec layer of the packet path, one packet per operation: {@code encrypt} is what a
 * forwarded packet costs there (dissect, out-policy lookup, SA, ESP tunnel encapsulation), and
 * {@code decrypt} what arriving ESP costs (dissect, SA by SPI, replay check, ICV, trailer, inner
 * packet). {@code size} is the inner IP packet; the reference is {@code openssl speed -evp} for the
 * same algorithm and size ({@code benchmarks/scripts/esp-vs-openssl.sh} prints both and the ratio).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class XfrmPathBench {
    @Param({"openssl", "jce"})
    public String engine;

    @Param({"aes-128-gcm", "chacha20-poly1305", "aes-128-cbc-hmac-sha256"})
    public String suite;

    @Param({"64", "512", "1400", "9000"})
    public int size;

    private XfrmCore sender;
    private XfrmCore receiver;
    private byte[] plain;
    private byte[] esp;
    private static final int HEADERS = 14 + 20 + 8;
    private final PacketBuffer p = new PacketBuffer();

    static XfrmState sa(EspSuite s, int window) {
        SplittableRandom r = new SplittableRandom(3);
        byte[] enc = new byte[s.encKeyBytes()];
        byte[] auth = new byte[s.authKeyBytes()];
        r.nextBytes(enc);
        r.nextBytes(auth);
        return new XfrmState(IpAddress.parse("192.0.2.1"), IpAddress.parse("192.0.2.2"), 0x1000, XfrmMode.TUNNEL, 1, s,
                KeyMaterial.parseHex("0x" + HexFormat.of().formatHex(enc)),
                auth.length == 0 ? null : KeyMaterial.parseHex("0x" + HexFormat.of().formatHex(auth)), window, false, null,
                Lifetime.NONE, null, Mark.NONE, 0, null);
    }

    static XfrmCore core(String engine) throws Exception {
        String type = switch (engine) {
            case "jce" -> "JceEngine";
            case "bc" -> "BcEngine";
            default -> "OpenSslEngine";
        };
        SoftwareXfrmProvider sw = new SoftwareXfrmProvider();
        sw.addEngine((CryptoEngine) Class.forName("io.netfence.crypto.internal." + type).getConstructor().newInstance());
        XfrmCore c = new XfrmCore();
        c.setSoftwareBackend(sw);
        return c;
    }

    @Setup
    public void setUp() throws Exception {
        EspSuite s = EspSuite.named(suite);
        sender = core(engine);
        receiver = core(engine);
        sender.addState(sa(s, 64));
        // Window 0: the benchmark feeds the same ESP packet again and again.
        receiver.addState(sa(s, 0));
        Selector sel = new Selector(IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("10.2.0.0/16"), 0, 0, 0, 0, 0, null);
        sender.addPolicy(new XfrmPolicy(sel, XfrmDirection.OUT, 0, XfrmPolicy.Action.ALLOW, 0,
                List.of(new Template(IpAddress.parse("192.0.2.1"), IpAddress.parse("192.0.2.2"), 0, XfrmMode.TUNNEL, 1, false)), 0,
                Mark.NONE, Lifetime.NONE, null));
        // size is the inner IP packet; the frame adds Ethernet.
        plain = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").ipv4("10.1.0.5", "10.2.0.7").udp(1000, 2000)
                .size(size + 14).build();
        load(plain);
        int sa = sender.outputLookup(p, 0);
        if (sa < 0 || sender.encapsulate(p, sa) != 0) {
            throw new IllegalStateException("setup: no ESP");
        }
        esp = p.toByteArray();
        load(plain);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sender.close();
        receiver.close();
    }

    private void load(byte[] frame) {
        p.load(frame, 0, frame.length);
        p.secPath = 0;
        FlowDissector.dissect(p);
    }

    /**
     * Only the headers are restored between operations (Ethernet, IPv4, UDP: 42 bytes): the rest of
     * the inner packet is whatever the last operation left, which costs the cipher the same. In the
     * dataplane the packet is already in the buffer; copying it here would measure memcpy.
     */
    @Benchmark
    public int encrypt() {
        p.reset();
        System.arraycopy(plain, 0, p.data, PacketBuffer.HEADROOM, HEADERS);
        p.length = plain.length;
        FlowDissector.dissect(p);
        int sa = sender.outputLookup(p, 0);
        return sender.encapsulate(p, sa) + p.length;
    }

    @Benchmark
    public int decrypt() {
        load(esp);
        return receiver.input(p) + p.length;
    }
}
