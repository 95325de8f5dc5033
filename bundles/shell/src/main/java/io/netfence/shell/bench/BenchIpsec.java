package io.netfence.shell.bench;

import io.netfence.crypto.EspSuite;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.xfrm.api.KeyMaterial;
import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.Template;
import io.netfence.xfrm.api.XfrmDirection;
import io.netfence.xfrm.api.XfrmMode;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmService;
import io.netfence.xfrm.api.XfrmState;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/**
 * The IPsec part of {@code bench esp SUITE [decrypt]}: one SA with a fresh random key, in the
 * benchmarking range, and the policy that puts the bench traffic through it. Only this class links
 * the xfrm API and crypto (optional imports of the shell), so {@link BenchCommand} runs without them.
 *
 * <p>encrypt: what bench-gen sends to 198.19.128.0/17 matches an out policy and leaves bench-sink
 * as ESP from 198.19.0.1 to {@link BenchCommand#NEXT_HOP}. decrypt: the generator replays one ESP
 * frame (captured from the encrypt path) addressed to {@link #ESP_TARGET}, an address of bench-gen;
 * the SA has no replay window, so the same packet is accepted again and again, and the inner packets
 * are forwarded in clear to bench-sink under a fwd policy.
 */
final class BenchIpsec {
    static final int SPI = 0x198;
    static final int REQID = 198;
    static final IpAddress TUNNEL_SOURCE = IpAddress.parse("198.19.0.1");
    /** Decrypt mode: where the captured ESP is addressed; bench-gen owns it during the run. */
    static final IpAddress ESP_TARGET = IpAddress.parse("198.19.1.3");

    private final XfrmService xfrm;
    private final EspSuite suite;
    private final String name;

    BenchIpsec(Object service, String suiteName) {
        this.xfrm = (XfrmService) service;
        this.name = suiteName;
        this.suite = EspSuite.named(suiteName);
    }

    String suiteName() {
        return name;
    }

    /** Refuses to run over an SA of the operator's (same destination and SPI). */
    void check(IpAddress dst) {
        if (xfrm.states().stream().anyMatch(s -> s.state().spi() == SPI && s.state().dst().equals(dst))) {
            throw new IllegalStateException("an SA dst " + dst + " spi 0x" + Integer.toHexString(SPI)
                    + " exists: expected it free for bench (ip xfrm state delete ...)");
        }
    }

    /** The SA, with a fresh key (wiped from this side at once); replay window 0 for decrypt. */
    void addState(IpAddress dst, int window) {
        SecureRandom random = new SecureRandom();
        byte[] enc = new byte[suite.encKeyBytes()];
        byte[] auth = new byte[suite.authKeyBytes()];
        random.nextBytes(enc);
        random.nextBytes(auth);
        try {
            xfrm.addState(new XfrmState(TUNNEL_SOURCE, dst, SPI, XfrmMode.TUNNEL, REQID, suite, new KeyMaterial(enc),
                    auth.length == 0 ? null : new KeyMaterial(auth), window, false, null, Lifetime.NONE, null, Mark.NONE, 0, null));
        } finally {
            Arrays.fill(enc, (byte) 0);
            Arrays.fill(auth, (byte) 0);
        }
    }

    void deleteState(IpAddress dst) {
        xfrm.deleteState(dst, SPI);
    }

    private static Selector selector() {
        return new Selector(IpPrefix.parse("198.18.0.0/16"), BenchCommand.DESTINATIONS, 0, 0, 0, 0, 0, null);
    }

    /** out: the bench flows go through the SA to {@code dst}; fwd: they may arrive from it. */
    void addPolicy(XfrmDirection dir, IpAddress dst) {
        xfrm.addPolicy(new XfrmPolicy(selector(), dir, 0, XfrmPolicy.Action.ALLOW, 0,
                List.of(new Template(TUNNEL_SOURCE, dst, 0, XfrmMode.TUNNEL, REQID, false)), 0, Mark.NONE, Lifetime.NONE, null));
    }

    void deletePolicy(XfrmDirection dir) {
        xfrm.deletePolicy(dir, selector(), Mark.NONE, 0);
    }

    /** Most bytes ESP adds in tunnel mode over IPv4 (outer header, ESP header, IV, padding, trailer, ICV). */
    int overhead() {
        return 20 + 8 + suite.cipher().ivBytes() + suite.cipher().blockBytes() - 1 + 2 + suite.icvBytes();
    }

    /** Packets the SA counted, and those it refused (replay, ICV, malformed). */
    long[] counters(IpAddress dst) {
        var c = xfrm.state(dst, SPI).counters();
        return new long[] {c.packets(), c.drops()};
    }
}
