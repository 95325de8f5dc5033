package io.netfence.backend.software.xfrm;

import io.netfence.backend.software.esp.EspSa;
import io.netfence.crypto.CryptoEngine;
import io.netfence.crypto.EspSuite;
import io.netfence.crypto.EspTransform;
import io.netfence.packet.PacketBuffer;
import io.netfence.xfrm.api.SaCounters;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmState;
import io.netfence.xfrm.spi.OffloadRefusal;
import io.netfence.xfrm.spi.OffloadedPolicy;
import io.netfence.xfrm.spi.OffloadedState;
import io.netfence.xfrm.spi.SaContext;
import io.netfence.xfrm.spi.XfrmOffloadProvider;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The software backend's side of the xfrm offload contract: every SA runs here, framed by
 * {@link EspSa} and sealed by a crypto engine chosen per cipher (the first engine in the
 * preference order that can run the suite, unless the operator pinned one). Policies need no
 * programming: the core's SPD is the software path.
 */
public class SoftwareXfrmProvider implements XfrmOffloadProvider {
    public static final String NAME = "software";
    /** Fastest first on this kind of machine (docs/PERFORMANCE.md): OpenSSL through FFM, the JDK, Bouncy Castle. */
    static final List<String> DEFAULT_PREFERENCE = List.of("openssl", "jce", "bc");

    private final List<CryptoEngine> engines = new CopyOnWriteArrayList<>();
    private final Map<EspSuite.Cipher, String> pinned = new EnumMap<>(EspSuite.Cipher.class);

    public void addEngine(CryptoEngine engine) {
        engines.add(engine);
    }

    public void removeEngine(CryptoEngine engine) {
        engines.remove(engine);
    }

    /** Names of the engines present now. */
    public List<String> engineNames() {
        return engines.stream().map(CryptoEngine::name).sorted().toList();
    }

    /** Why engine {@code name} cannot run {@code suite} here, or null when it can (or "not present"). */
    public String unsupportedReason(String name, EspSuite suite) {
        for (CryptoEngine e : engines) {
            if (e.name().equals(name)) {
                return e.unsupportedReason(suite);
            }
        }
        return "engine \"" + name + "\" is not present";
    }

    /** Pins new SAs of {@code cipher} to engine {@code name}; null goes back to the preference order. */
    public synchronized void pin(EspSuite.Cipher cipher, String name) {
        if (name == null) {
            pinned.remove(cipher);
        } else {
            pinned.put(cipher, name);
        }
    }

    public synchronized String pinned(EspSuite.Cipher cipher) {
        return pinned.get(cipher);
    }

    /** The engine new SAs of this suite get, or null with none able. */
    public synchronized CryptoEngine engineFor(EspSuite suite) {
        String pin = pinned.get(suite.cipher());
        if (pin != null) {
            return engines.stream().filter(e -> e.name().equals(pin) && e.unsupportedReason(suite) == null).findFirst().orElse(null);
        }
        for (String name : DEFAULT_PREFERENCE) {
            for (CryptoEngine e : engines) {
                if (e.name().equals(name) && e.unsupportedReason(suite) == null) {
                    return e;
                }
            }
        }
        return engines.stream().filter(e -> e.unsupportedReason(suite) == null).findFirst().orElse(null);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public OffloadedState stateAdd(XfrmState s, SaContext context) throws OffloadRefusal {
        CryptoEngine engine = engineFor(s.suite());
        if (engine == null) {
            String pin = pinned(s.suite().cipher());
            throw new OffloadRefusal(pin != null ? "crypto engine \"" + pin + "\" (pinned for " + s.suite().cipher().linuxName()
                    + ") is not present or cannot run " + s.suite() : "no crypto engine can run " + s.suite());
        }
        byte[] enc = s.encryptionKey().copy();
        byte[] auth = s.authenticationKey() == null ? new byte[0] : s.authenticationKey().copy();
        try {
            // The constructor builds the first lane, so a refusal of the engine reaches the user now.
            return new SoftwareState(engine, s, context, enc, auth);
        } catch (RuntimeException e) {
            Arrays.fill(enc, (byte) 0);
            Arrays.fill(auth, (byte) 0);
            throw new OffloadRefusal("crypto engine " + engine.name() + ": " + e.getMessage());
        }
    }

    @Override
    public void stateDelete(OffloadedState state) {
        // Nothing to stop: the core no longer hands out the SA.
    }

    @Override
    public void stateFree(OffloadedState state) {
        ((SoftwareState) state).free();
    }

    @Override
    public boolean offloadOk(OffloadedState state, PacketBuffer packet) {
        return true;
    }

    @Override
    public void stateAdvanceEsn(OffloadedState state) {
        // The software path infers the high bits itself (ReplayWindow).
    }

    @Override
    public void stateUpdateStats(OffloadedState state) {
        // The core counts software packets itself.
    }

    @Override
    public OffloadedPolicy policyAdd(XfrmPolicy policy) {
        return NO_DEVICE_POLICY;
    }

    @Override
    public void policyDelete(OffloadedPolicy policy) {
    }

    @Override
    public void policyFree(OffloadedPolicy policy) {
    }

    private static final OffloadedPolicy NO_DEVICE_POLICY = new OffloadedPolicy() {
        @Override
        public long devicePackets() {
            return 0;
        }

        @Override
        public long deviceBytes() {
            return 0;
        }
    };

    /**
     * An SA in software. Workers process one SA's packets in parallel: each thread gets its own
     * lane (a transform and the two framers), while the sequence numbers and the replay window,
     * which must be one per SA, are shared and thread-safe. The keys are kept (for lanes of
     * threads that come later) until {@link #free}, which wipes them and destroys every transform.
     */
    static final class SoftwareState implements OffloadedState {
        private final CryptoEngine engine;
        private final XfrmState sa;
        private final SaContext context;
        private final byte[] enc;
        private final byte[] auth;
        private final List<Lane> lanes = new CopyOnWriteArrayList<>();
        private final ThreadLocal<Lane> mine = new ThreadLocal<>();
        private final int front;
        private final int back;
        private volatile boolean freed;

        /** One thread's transform and framers. */
        record Lane(EspTransform transform, EspSa out, EspSa in) {
        }

        SoftwareState(CryptoEngine engine, XfrmState sa, SaContext context, byte[] enc, byte[] auth) {
            this.engine = engine;
            this.sa = sa;
            this.context = context;
            this.enc = enc;
            this.auth = auth;
            Lane first = lane();
            this.front = first.out.overheadFront();
            this.back = first.out.overheadBack();
        }

        Lane lane() {
            Lane l = mine.get();
            if (l == null) {
                l = newLane();
                mine.set(l);
            }
            return l;
        }

        private synchronized Lane newLane() {
            if (freed) {
                throw new IllegalStateException("SA spi " + sa.spiText() + " was freed");
            }
            EspTransform t = engine.create(sa.suite(), enc, auth);
            EspSa out = new EspSa(t, sa.spi(), sa.mode(), sa.src(), sa.dst(), context.outbound(), null);
            EspSa in = new EspSa(t, sa.spi(), sa.mode(), sa.src(), sa.dst(), null, context.inbound());
            if (sa.encap() != null) {
                out.udpEncapsulation(sa.encap().sourcePort(), sa.encap().destinationPort());
                in.udpEncapsulation(sa.encap().sourcePort(), sa.encap().destinationPort());
            }
            Lane l = new Lane(t, out, in);
            lanes.add(l);
            return l;
        }

        synchronized void free() {
            freed = true;
            Arrays.fill(enc, (byte) 0);
            Arrays.fill(auth, (byte) 0);
            for (Lane l : lanes) {
                l.transform.destroy();
            }
            lanes.clear();
        }

        @Override
        public String describe() {
            return "engine " + engine.name();
        }

        @Override
        public int overheadFront() {
            return front;
        }

        @Override
        public int overheadBack() {
            return back;
        }

        @Override
        public int encapsulate(byte[] b, int packet, int length) {
            int r = lane().out.encapsulate(b, packet, length);
            if (r >= 0) {
                return r;
            }
            return r == EspSa.NOT_DURABLE ? NOT_DURABLE : r == EspSa.EXHAUSTED ? EXHAUSTED : BAD_PACKET;
        }

        @Override
        public int decapsulate(byte[] b, int start, int esp, int length) {
            int r = lane().in.decapsulate(b, start, esp, length);
            if (r >= 0) {
                return r;
            }
            return switch (r) {
                case EspSa.REPLAYED -> REPLAYED;
                case EspSa.TOO_OLD -> TOO_OLD;
                case EspSa.ZERO_SEQUENCE -> ZERO_SEQUENCE;
                case EspSa.AUTH_FAILED -> AUTH_FAILED;
                case EspSa.NOT_ESP -> NOT_ESP;
                case EspSa.BAD_LENGTH -> BAD_LENGTH;
                // A dummy packet (next header 59) verified and moved the window; nothing to deliver.
                case EspSa.DUMMY -> DUMMY;
                // BAD_TRAILER, and headers that do not lead to this SA's ESP (family, chain, UDP checksum).
                default -> BAD_TRAILER;
            };
        }

        @Override
        public SaCounters deviceCounters() {
            return SaCounters.ZERO;
        }
    }
}
