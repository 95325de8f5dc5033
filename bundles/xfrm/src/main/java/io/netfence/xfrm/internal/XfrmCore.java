package io.netfence.xfrm.internal;

import io.netfence.crypto.EspSuite;
import io.netfence.net.spi.XfrmLayer;
import io.netfence.packet.Bytes;
import io.netfence.packet.DropReason;
import io.netfence.packet.FlowKey;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.PacketBuffer;
import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.OffloadSpec;
import io.netfence.xfrm.api.OutboundSequence;
import io.netfence.xfrm.api.ReplayWindow;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.SequenceStore;
import io.netfence.xfrm.api.Template;
import io.netfence.xfrm.api.XfrmDirection;
import io.netfence.xfrm.api.XfrmEvent;
import io.netfence.xfrm.api.XfrmException;
import io.netfence.xfrm.api.XfrmMode;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmPolicyInfo;
import io.netfence.xfrm.api.XfrmService;
import io.netfence.xfrm.api.XfrmState;
import io.netfence.xfrm.api.XfrmStateInfo;
import io.netfence.xfrm.spi.OffloadRefusal;
import io.netfence.xfrm.spi.OffloadedPolicy;
import io.netfence.xfrm.spi.OffloadedState;
import io.netfence.xfrm.spi.SaContext;
import io.netfence.xfrm.spi.XfrmOffloadProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The SAD and SPD (the control plane, under one lock) and the IPsec layer of the packet path
 * (lock-free reads of an immutable {@link Tables} snapshot, and each SA's monitor around its
 * transform). Validation happens here, once, for every backend: an SA that cannot work is refused
 * before any backend sees it.
 */
public class XfrmCore implements XfrmService, XfrmLayer {
    /** How long an acquire suppresses the next one for the same policy and destination (Linux's XFRM_ACQ_EXPIRES). */
    static final long ACQUIRE_INTERVAL_NANOS = 30_000_000_000L;
    /**
     * Most (policy, destination) pairs with an acquire outstanding: beyond them (a scan through a
     * wildcard policy) no acquire is raised until some expire, so the key manager is not flooded.
     */
    static final int MAX_ACQUIRES = 1024;
    /** How often a policy past a soft time limit warns again (Linux's XFRM_KM_TIMEOUT). */
    static final long POLICY_SOFT_REPEAT_SECONDS = 30;
    /** How often the housekeeper saves SA counters that moved (they are also saved at stop and with any change). */
    static final long USAGE_SAVE_SECONDS = 60;
    /** How long an ALLOCSPI reservation lives without being completed. */
    static final long LARVAL_SECONDS = 30;
    private static final int ETH_HEADER = 14;
    private static final int PROTO_ESP = 50;
    private static final int PROTO_UDP = 17;

    private static final int R_NO_STATE = DropReason.XFRM_NO_STATE.ordinal();
    private static final int R_REPLAY = DropReason.XFRM_REPLAY.ordinal();
    private static final int R_REPLAY_WINDOW = DropReason.XFRM_REPLAY_WINDOW.ordinal();
    private static final int R_AUTH = DropReason.XFRM_AUTH.ordinal();
    private static final int R_BAD_ESP = DropReason.XFRM_BAD_ESP.ordinal();
    private static final int R_BLOCK = DropReason.XFRM_POLICY_BLOCK.ordinal();
    private static final int R_ACQUIRE = DropReason.XFRM_ACQUIRE.ordinal();
    private static final int R_TMPL = DropReason.XFRM_TEMPLATE_MISMATCH.ordinal();
    private static final int R_NO_POLICY = DropReason.XFRM_NO_POLICY.ordinal();
    private static final int R_EXPIRED = DropReason.XFRM_EXPIRED.ordinal();
    private static final int R_NOT_DURABLE = DropReason.XFRM_SEQ_NOT_DURABLE.ordinal();
    private static final int R_MTU = DropReason.XFRM_MTU.ordinal();
    /** A packet-offload device declined the packet (offloadOk): Linux drops it and counts XfrmOutError. */
    private static final int R_DEVICE_DECLINED = DropReason.TX_ERROR.ordinal();

    /**
     * What an SA had used when it was saved (xfrm.conf), so that a restart does not reset its
     * lifetime: add time, first use, bytes and packets, and whether its soft-expire event went out.
     */
    record SaUsage(long addTime, long useTime, long bytes, long packets, boolean softExpired) {
    }

    /** A policy's add time and last use, saved for its time limits. */
    record PolicyUsage(long addTime, long useTime) {
    }

    /** What an acquire is rate-limited by, as Linux's larval SAs: the policy and the packet's destination. */
    record AcquireKey(PolicyEntry policy, long dstHi, long dstLo) {
    }

    /** Key of an SA in the SAD (proto is always ESP). */
    record SaKey(IpAddress dst, int spi) {
    }

    /** Key of a policy in the SPD, as Linux's: direction, selector, mark and if_id. */
    record PolicyKey(XfrmDirection dir, Selector selector, Mark mark, int ifId) {
        static PolicyKey of(XfrmPolicy p) {
            return new PolicyKey(p.direction(), p.selector(), p.mark(), p.ifId());
        }
    }

    /**
     * What the packet path reads: the SA side is rebuilt and published after every SAD change; the
     * policy indexes are the core's own, changed in place (see {@link PolicyIndex}).
     */
    static final class Tables {
        final boolean hasStates;
        final SaEntry[] byHandle;
        final int handleMask;
        final SpiIndex inbound;
        final PolicyIndex in;
        final PolicyIndex out;
        final PolicyIndex fwd;
        /** UDP ports that carry ESP (RFC 3948), sorted. */
        final int[] encapPorts;

        Tables(List<SaEntry> sas, SpiIndex inbound, PolicyIndex in, PolicyIndex out, PolicyIndex fwd, int[] encapPorts) {
            int cap = Integer.highestOneBit(Math.max(2, sas.size() * 2 - 1)) << 1;
            this.byHandle = new SaEntry[cap];
            this.handleMask = cap - 1;
            for (SaEntry e : sas) {
                int slot = e.handle & handleMask;
                while (byHandle[slot] != null) {
                    slot = (slot + 1) & handleMask;
                }
                byHandle[slot] = e;
            }
            this.inbound = inbound;
            this.in = in;
            this.out = out;
            this.fwd = fwd;
            this.encapPorts = encapPorts;
            this.hasStates = !sas.isEmpty();
        }

        boolean active() {
            return hasStates || in.size() + out.size() + fwd.size() > 0;
        }

        /** Handles are never reused, so a stale one finds nothing rather than another SA. */
        SaEntry sa(int handle) {
            int slot = handle & handleMask;
            while (true) {
                SaEntry e = byHandle[slot];
                if (e == null || e.handle == handle) {
                    return e;
                }
                slot = (slot + 1) & handleMask;
            }
        }

        boolean encapPort(int port) {
            for (int p : encapPorts) {
                if (p == port) {
                    return true;
                }
            }
            return false;
        }
    }

    private final Object lock = new Object();
    private final LongSupplier clockSeconds;
    private final EventBus events;
    // Guarded by lock.
    private final Map<SaKey, SaEntry> sad = new LinkedHashMap<>();
    private final Map<SaKey, Long> larval = new LinkedHashMap<>();
    /** The SPD by Linux's policy key, in insertion order; and the same entries by index. */
    private final Map<PolicyKey, PolicyEntry> spd = new LinkedHashMap<>();
    private final Map<Integer, PolicyKey> policyIndexes = new java.util.HashMap<>();
    private final List<SaEntry> toFree = new ArrayList<>();
    private XfrmOffloadProvider software;
    private final DeviceBackends devices = new DeviceBackends();
    private SequenceStore sequenceStore;
    private int nextHandle;
    /** Packets of all SAs at the last save, and when the housekeeper last asked for one because they moved. */
    private long savedUsage;
    private long lastUsageSave;
    private long policySeq;
    private int policyCounter;
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private final PolicyIndex inIndex = new PolicyIndex();
    private final PolicyIndex outIndex = new PolicyIndex();
    private final PolicyIndex fwdIndex = new PolicyIndex();
    /** The SAs by what templates name, best first (rebuilt with the SA side of the tables). */
    private Map<Candidates.Endpoints, List<SaEntry>> saByEndpoints = Map.of();
    /** Each template's candidates, shared by the policies that use it, and the same by endpoints. */
    private final Map<Candidates.Key, Candidates> candidates = new java.util.HashMap<>();
    private final Map<Candidates.Endpoints, Set<Candidates>> candidatesByEndpoints = new java.util.HashMap<>();

    /** When the last acquire for each (policy, destination) went out; written by workers, purged by the housekeeper. */
    private final java.util.concurrent.ConcurrentHashMap<AcquireKey, Long> acquires = new java.util.concurrent.ConcurrentHashMap<>();
    /** The policies with a time limit, which the housekeeper checks every second. */
    private final Map<PolicyKey, PolicyEntry> timedPolicies = new LinkedHashMap<>();
    /** The clock as of the last housekeeping pass: what the packet path stamps a policy's use with, without reading a clock. */
    private volatile long coarseNow;

    private volatile Tables tables = new Tables(List.of(), SpiIndex.EMPTY, inIndex, outIndex, fwdIndex, new int[0]);

    public XfrmCore(LongSupplier clockSeconds) {
        this.clockSeconds = clockSeconds;
        this.events = new EventBus();
        this.coarseNow = clockSeconds.getAsLong();
    }

    public XfrmCore() {
        this(() -> System.currentTimeMillis() / 1000);
    }

    /** The backend SAs run on when no device takes them; null while none is registered. */
    public void setSoftwareBackend(XfrmOffloadProvider provider) {
        synchronized (lock) {
            this.software = provider;
        }
    }

    /**
     * Registers {@code provider} as the backend of {@code device}: SAs added from now on with
     * {@code offload [crypto|packet] dev DEVICE} and policies with {@code offload packet dev DEVICE}
     * go to it. SAs already placed in software stay there (an {@code update} places an SA anew).
     */
    public void addDeviceBackend(String device, XfrmOffloadProvider provider) {
        synchronized (lock) {
            devices.add(device, provider);
        }
    }

    /**
     * The backend of {@code device} goes away (its bundle stops). Its crypto-offload SAs go on on
     * their software twins, with the same sequence numbers and window (placement says why); its
     * packet-offload SAs and policies are deleted, with a delete event each: a packet-offload SA
     * cannot live without its device (Linux flushes them when the device unregisters). The device
     * gets {@code stateDelete}/{@code policyDelete} now and {@code stateFree}/{@code policyFree}
     * after the grace period.
     */
    public void removeDeviceBackend(String device) {
        removeDeviceBackend(device, null);
    }

    /** {@link #removeDeviceBackend(String)} if {@code provider} (any, when null) is the one serving {@code device}. */
    public void removeDeviceBackend(String device, XfrmOffloadProvider provider) {
        List<XfrmEvent> out = new ArrayList<>();
        boolean changedAny = false;
        synchronized (lock) {
            XfrmOffloadProvider p = devices.get(device);
            if (p == null || (provider != null && p != provider)) {
                return;
            }
            devices.remove(device);
            for (Map.Entry<SaKey, SaEntry> m : sad.entrySet()) {
                SaEntry e = m.getValue();
                if (e.device != p || !e.state.offload().device().equals(device) || e.twin == null) {
                    continue;
                }
                String how = e.twin.describe().isEmpty() ? "" : ", " + e.twin.describe();
                SaEntry moved = new SaEntry(nextHandle++ & Integer.MAX_VALUE, e.state, e.context, e.twinProvider, e.twin, e.addTime,
                        e.twinProvider.name() + how + " (offload crypto dev " + device + ": backend " + p.name() + " went away)");
                carryCounters(moved, e);
                e.twinHandedOver = true;
                retire(e);
                m.setValue(moved);
                changedAny = true;
            }
            for (Iterator<SaEntry> it = sad.values().iterator(); it.hasNext(); ) {
                SaEntry e = it.next();
                if (e.device == p && e.state.offload().device().equals(device)) {
                    it.remove();
                    retire(e);
                    forgetInboundMark(e);
                    out.add(new XfrmEvent(XfrmEvent.Kind.STATE_DELETE, System.currentTimeMillis(), e.state, null, null));
                }
            }
            for (Iterator<Map.Entry<PolicyKey, PolicyEntry>> it = spd.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<PolicyKey, PolicyEntry> m = it.next();
                PolicyEntry e = m.getValue();
                if (e.device == p && e.policy.offload().device().equals(device)) {
                    it.remove();
                    policyIndexes.remove(e.policy.index());
                    retireDevicePolicy(e);
                    index(e.policy.direction()).remove(e);
                    releaseCandidates(e);
                    timedPolicies.remove(m.getKey());
                    out.add(new XfrmEvent(XfrmEvent.Kind.POLICY_DELETE, System.currentTimeMillis(), null, e.policy, null));
                }
            }
            changedAny |= !out.isEmpty();
            if (changedAny) {
                publishStates();
            }
        }
        out.forEach(events::publish);
        if (!out.isEmpty()) {
            changed();
        }
    }

    /** Where outbound sequence marks are made durable (null: in memory only, for tests). */
    public void setSequenceStore(SequenceStore store) {
        synchronized (lock) {
            this.sequenceStore = store;
        }
    }

    /** Called (under no lock of ours) after every successful change, e.g. to persist. */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    public void close() {
        events.close();
    }

    // =========================================================================================
    // SAD
    // =========================================================================================

    @Override
    public void addState(XfrmState state) {
        synchronized (lock) {
            SaKey key = new SaKey(state.dst(), state.spi());
            validate(state);
            if (sad.containsKey(key)) {
                throw new XfrmException("SA dst " + state.dst() + " spi " + state.spiText() + " exists: use \"ip xfrm state update\" or delete it first");
            }
            larval.remove(key);
            SaEntry e = install(state, newContext(state), null, null);
            sad.put(key, e);
            publishStates();
        }
        events.publish(new XfrmEvent(XfrmEvent.Kind.STATE_ADD, System.currentTimeMillis(), state, null, null));
        changed();
    }

    /**
     * Adds many SAs with one publication (restoring xfrm.conf): all validated before any is
     * added; if a backend refuses one, those already installed are removed again.
     */
    @Override
    public void addStates(List<XfrmState> states) {
        addStates(states, null);
    }

    /** {@link #addStates(List)}, each SA resuming the usage saved with it ({@code usage} null: new SAs). */
    void addStates(List<XfrmState> states, List<SaUsage> usage) {
        synchronized (lock) {
            Set<SaKey> keys = new HashSet<>();
            for (XfrmState state : states) {
                validate(state);
                SaKey key = new SaKey(state.dst(), state.spi());
                if (sad.containsKey(key) || !keys.add(key)) {
                    throw new XfrmException("SA dst " + state.dst() + " spi " + state.spiText() + " exists or is given twice");
                }
            }
            List<SaEntry> added = new ArrayList<>(states.size());
            try {
                for (int i = 0; i < states.size(); i++) {
                    XfrmState state = states.get(i);
                    SaKey key = new SaKey(state.dst(), state.spi());
                    larval.remove(key);
                    SaEntry e = install(state, newContext(state), null, usage == null ? null : usage.get(i));
                    sad.put(key, e);
                    added.add(e);
                }
            } catch (RuntimeException refused) {
                for (SaEntry e : added) {
                    sad.remove(new SaKey(e.state.dst(), e.state.spi()));
                    retire(e);
                }
                throw refused;
            }
            publishStates();
        }
        for (XfrmState state : states) {
            events.publish(new XfrmEvent(XfrmEvent.Kind.STATE_ADD, System.currentTimeMillis(), state, null, null));
        }
        changed();
    }

    @Override
    public void updateState(XfrmState state) {
        XfrmEvent.Kind kind;
        synchronized (lock) {
            SaKey key = new SaKey(state.dst(), state.spi());
            validate(state);
            SaEntry old = sad.get(key);
            if (old == null) {
                if (larval.remove(key) == null) {
                    throw new XfrmException("no SA dst " + state.dst() + " spi " + state.spiText() + ": \"update\" changes an existing SA or one reserved by allocspi");
                }
                sad.put(key, install(state, newContext(state), null, null));
                kind = XfrmEvent.Kind.STATE_ADD;
            } else {
                XfrmState was = old.state;
                if (!was.src().equals(state.src()) || was.mode() != state.mode() || !was.suite().equals(state.suite())
                        || !was.encryptionKey().equals(state.encryptionKey())
                        || !java.util.Objects.equals(was.authenticationKey(), state.authenticationKey())
                        || was.esn() != state.esn() || was.replayWindow() != state.replayWindow()) {
                    throw new XfrmException("an SA's src, mode, algorithms, keys, replay-window and flag esn cannot change:"
                            + " add a new SA with a new SPI (a rekey) instead");
                }
                // A new backend handle with the same dynamic state: sequence numbers and window go on.
                SaEntry e = install(state, old.context, old, null);
                retire(old);
                sad.put(key, e);
                kind = XfrmEvent.Kind.STATE_UPDATE;
            }
            publishStates();
        }
        events.publish(new XfrmEvent(kind, System.currentTimeMillis(), state, null, null));
        changed();
    }

    @Override
    public void deleteState(IpAddress dst, int spi) {
        XfrmState gone;
        synchronized (lock) {
            SaKey key = new SaKey(dst, spi);
            SaEntry e = sad.remove(key);
            if (e == null) {
                if (larval.remove(key) != null) {
                    return;
                }
                throw new XfrmException("no SA dst " + dst + " spi " + String.format("0x%08x", spi) + " (proto esp)");
            }
            retire(e);
            forgetInboundMark(e);
            publishStates();
            gone = e.state;
        }
        events.publish(new XfrmEvent(XfrmEvent.Kind.STATE_DELETE, System.currentTimeMillis(), gone, null, null));
        changed();
    }

    @Override
    public XfrmStateInfo state(IpAddress dst, int spi) {
        synchronized (lock) {
            SaEntry e = sad.get(new SaKey(dst, spi));
            if (e == null) {
                throw new XfrmException("no SA dst " + dst + " spi " + String.format("0x%08x", spi) + " (proto esp)");
            }
            return info(e);
        }
    }

    @Override
    public List<XfrmStateInfo> states() {
        synchronized (lock) {
            List<XfrmStateInfo> list = new ArrayList<>();
            for (SaEntry e : sad.values()) {
                list.add(info(e));
            }
            return list;
        }
    }

    @Override
    public int flushStates() {
        int n;
        synchronized (lock) {
            n = sad.size();
            for (SaEntry e : sad.values()) {
                retire(e);
                forgetInboundMark(e);
            }
            sad.clear();
            larval.clear();
            publishStates();
        }
        events.publish(new XfrmEvent(XfrmEvent.Kind.STATE_FLUSH, System.currentTimeMillis(), null, null, null));
        changed();
        return n;
    }

    @Override
    public int stateCount() {
        synchronized (lock) {
            return sad.size();
        }
    }

    @Override
    public int allocateSpi(IpAddress src, IpAddress dst, XfrmMode mode, int reqid, int min, int max) {
        if (src == null || dst == null || src.version() != dst.version()) {
            throw new XfrmException("allocspi needs src and dst of the same family");
        }
        if (Integer.compareUnsigned(min, 256) < 0 || Integer.compareUnsigned(min, max) > 0) {
            throw new XfrmException("allocspi range min " + Integer.toUnsignedString(min) + " max " + Integer.toUnsignedString(max)
                    + ": expected 256 <= min <= max (SPIs 1-255 are reserved)");
        }
        synchronized (lock) {
            long span = Integer.toUnsignedLong(max) - Integer.toUnsignedLong(min) + 1;
            long start = ThreadLocalRandom.current().nextLong(span);
            for (long i = 0; i < span && i < 1_000_000; i++) {
                int spi = (int) (Integer.toUnsignedLong(min) + (start + i) % span);
                SaKey key = new SaKey(dst, spi);
                if (!sad.containsKey(key) && !larval.containsKey(key)) {
                    larval.put(key, clockSeconds.getAsLong() + LARVAL_SECONDS);
                    return spi;
                }
            }
        }
        throw new XfrmException("allocspi: no free SPI between min " + Integer.toUnsignedString(min) + " and max " + Integer.toUnsignedString(max));
    }

    /** Everything an SA needs to work, checked before any backend sees it. */
    private void validate(XfrmState s) {
        if (s.src() == null || s.dst() == null) {
            throw new XfrmException("an SA needs src and dst addresses");
        }
        if (s.src().version() != s.dst().version()) {
            throw new XfrmException("src " + s.src() + " and dst " + s.dst() + " are of different families");
        }
        if (Integer.compareUnsigned(s.spi(), 256) < 0) {
            throw new XfrmException("spi " + s.spiText() + " is reserved (RFC 4303: 0 and 1-255): expected 0x100-0xffffffff");
        }
        if (s.mode() == null) {
            throw new XfrmException("an SA needs mode transport or tunnel");
        }
        EspSuite suite = s.suite();
        if (suite == null || s.encryptionKey() == null) {
            throw new XfrmException("an ESP SA needs algorithms: aead NAME KEY ICV-BITS, or enc NAME KEY with auth-trunc NAME KEY BITS");
        }
        int keyBytes = suite.keyBits() / 8 + (suite.cipher().aead() ? EspSuite.SALT_BYTES : 0);
        if (s.encryptionKey().length() != keyBytes) {
            throw new XfrmException((suite.cipher().aead() ? "aead " : "enc ") + suite.cipher().linuxName() + " key is "
                    + s.encryptionKey().bits() + " bits: expected " + keyBytes * 8
                    + (suite.cipher().aead() ? " (the key and a 32-bit salt)" : ""));
        }
        if (suite.cipher().aead() && s.authenticationKey() != null) {
            throw new XfrmException("auth-trunc cannot be combined with aead " + suite.cipher().linuxName() + ": an AEAD authenticates itself");
        }
        if (!suite.cipher().aead() && (s.authenticationKey() == null || s.authenticationKey().length() == 0)) {
            throw new XfrmException("enc " + suite.cipher().linuxName() + " needs auth-trunc 'hmac(sha256|sha384|sha512)' KEY BITS: ESP without integrity is refused");
        }
        long seqLimit = s.esn() ? -1L : 0xFFFF_FFFFL;
        if (Long.compareUnsigned(s.replaySeq(), seqLimit) > 0 || Long.compareUnsigned(s.replayOseq(), seqLimit) > 0
                || (!s.esn() && s.replayOseq() == seqLimit)) {
            throw new XfrmException("replay-seq " + Long.toUnsignedString(s.replaySeq()) + " / replay-oseq "
                    + Long.toUnsignedString(s.replayOseq()) + ": expected 32-bit sequence numbers (below 2^32 - 1 for oseq)"
                    + " without flag esn; the -hi halves need flag esn");
        }
        if (s.replayWindow() < 0 || s.replayWindow() > ReplayWindow.MAX_SIZE) {
            throw new XfrmException("replay-window " + s.replayWindow() + ": expected 0-" + ReplayWindow.MAX_SIZE);
        }
        if (s.selector() != null) {
            Selector sel = s.selector();
            if (sel.src().address().version() != sel.dst().address().version()) {
                throw new XfrmException("sel src and dst are of different families");
            }
            if (sel.device() != null) {
                throw new XfrmException("sel dev: device selectors are not supported by Netfence yet: leave out \"dev\"");
            }
            if (s.mode() == XfrmMode.TRANSPORT && !sel.matchesAll() && sel.family() != s.family()) {
                throw new XfrmException("a transport-mode SA's selector must be of the SA's family");
            }
        }
        if (s.lifetime() == null || s.mark() == null) {
            throw new XfrmException("an SA needs a lifetime and a mark (NONE for none)");
        }
        if (s.offload() != null && s.offload().type() == OffloadSpec.Type.PACKET && devices.get(s.offload().device()) == null) {
            throw new XfrmException("offload packet dev " + s.offload().device() + ": no device backend offers IPsec packet offload on dev "
                    + s.offload().device() + " (device backends: " + devices.describe() + ")");
        }
        if (software == null) {
            throw new XfrmException("no xfrm backend is available: the software backend bundle is not running");
        }
    }

    /** The SA's name in the sequence store: a file name, e.g. "192.0.2.2-0x00001000", "2001-db8--1-0x00001000". */
    private static String markName(XfrmState s) {
        return s.dst().toString().replace(':', '-') + "-" + s.spiText();
    }

    /** The inbound window's mark: beside the outbound one, under its own name. */
    private static String inboundMarkName(XfrmState s) {
        return markName(s) + "-in";
    }

    private SaContext newContext(XfrmState s) {
        SequenceStore store = sequenceStore;
        String name = markName(s);
        OutboundSequence out = store == null ? new OutboundSequence(s.esn(), s.replayOseq())
                : new OutboundSequence(s.esn(), s.replayOseq(), store, name, OutboundSequence.DEFAULT_BLOCK);
        try {
            // The first block on disk before the SA is used: no packet waits for it (or is dropped).
            if (!out.prime(5_000)) {
                throw new XfrmException("the sequence-number store did not confirm a reservation for spi " + s.spiText()
                        + " within 5 s: the SA is refused rather than risk reusing (key, nonce) pairs");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new XfrmException("interrupted while reserving sequence numbers for spi " + s.spiText());
        }
        ReplayWindow in = new ReplayWindow(s.replayWindow(), s.esn());
        long seen = store == null || s.replayWindow() == 0 ? 0 : store.load(inboundMarkName(s));
        if (Long.compareUnsigned(seen, s.replaySeq()) > 0) {
            // Restored after a restart: what this SA accepted up to its stored top is refused again
            // (packets between that mark and the last one accepted before the restart, at most a
            // housekeeping second's worth, are not known and pass once).
            long[] all = new long[(s.replayWindow() + 63) / 64];
            java.util.Arrays.fill(all, -1L);
            in.restore(seen, all);
        } else if (s.replaySeq() != 0) {
            // Linux's replay-seq: the newest number seen; what is below it in the window is unknown, so allowed once.
            in.restore(s.replaySeq(), new long[0]);
        }
        return new SaContext(out, in);
    }

    /**
     * Stores the SA's inbound window top if it moved (from the housekeeper's pass over the SAD,
     * under the lock), one write per SA in flight at a time.
     */
    private void storeInboundMark(SaEntry e) {
        SequenceStore store = sequenceStore;
        ReplayWindow w = e.context.inbound();
        if (store == null || w.size() == 0 || e.inboundMarkPending) {
            return;
        }
        long top = w.top();
        if (Long.compareUnsigned(top, e.inboundMark) > 0) {
            e.inboundMarkPending = true;
            store.reserve(inboundMarkName(e.state), top, stored -> {
                e.inboundMark = stored;
                e.inboundMarkPending = false;
            });
        }
    }

    /** An SA gone for good (deleted, flushed, expired): a new one of the same name starts with an empty window. */
    private void forgetInboundMark(SaEntry e) {
        SequenceStore store = sequenceStore;
        if (store != null && e.state.replayWindow() > 0) {
            store.forget(inboundMarkName(e.state));
        }
    }

    /**
     * Asks the backends for the SA: the device backend of {@code offload dev DEV} if there is one
     * (a crypto-offload refusal falls back to software, a packet-offload refusal is the user's
     * error), and the software backend for an SA in software or a crypto-offload SA's twin.
     * Changes nothing when it throws.
     */
    private SaEntry install(XfrmState s, SaContext context, SaEntry previous, SaUsage saved) {
        OffloadSpec off = s.offload();
        boolean packetMode = off != null && off.type() == OffloadSpec.Type.PACKET;
        XfrmOffloadProvider device = off == null ? null : devices.get(off.device());
        OffloadedState sw = null;
        if (!packetMode) {
            try {
                sw = software.stateAdd(s, context);
            } catch (OffloadRefusal r) {
                throw new XfrmException(software.name() + " backend refused the SA" + (device == null ? "" : " (the software fallback of"
                        + " offload crypto dev " + off.device() + ")") + ": " + r.getMessage());
            }
        }
        OffloadedState onDevice = null;
        String refused = null;
        if (device != null) {
            try {
                onDevice = device.stateAdd(s, context);
            } catch (OffloadRefusal r) {
                if (packetMode) {
                    throw new XfrmException("offload packet dev " + off.device() + ": backend " + device.name() + " refused the SA: "
                            + r.getMessage());
                }
                refused = r.getMessage();
            } catch (RuntimeException r) {
                if (sw != null) {
                    software.stateDelete(sw);
                    software.stateFree(sw);
                }
                throw new XfrmException("offload dev " + off.device() + ": backend " + device.name() + " failed: " + r);
            }
        }
        long addTime = previous != null ? previous.addTime : saved != null ? saved.addTime() : clockSeconds.getAsLong();
        SaEntry e;
        if (onDevice != null) {
            String how = onDevice.describe().isEmpty() ? "" : ", " + onDevice.describe();
            String placement = "offload " + off.type().word() + " dev " + off.device() + ", backend " + device.name() + how
                    + (sw == null ? "" : "; software fallback" + (sw.describe().isEmpty() ? "" : ", " + sw.describe()));
            e = new SaEntry(nextHandle++ & Integer.MAX_VALUE, s, context, device, onDevice, addTime, placement, device,
                    sw == null ? null : software, sw);
        } else {
            String how = sw.describe().isEmpty() ? "" : ", " + sw.describe();
            String placement = off == null ? software.name() + how
                    : refused != null ? software.name() + how + " (offload crypto dev " + off.device() + " refused by backend "
                    + device.name() + ": " + refused + ")"
                    : software.name() + how + " (offload crypto dev " + off.device() + ": no device backend offers it)";
            e = new SaEntry(nextHandle++ & Integer.MAX_VALUE, s, context, software, sw, addTime, placement);
        }
        if (saved != null) {
            restoreUsage(e, saved);
        }
        if (previous != null) {
            carryCounters(e, previous);
        }
        return e;
    }

    /** What a saved SA had counted before the restart, so its limits keep counting. */
    private static void restoreUsage(SaEntry e, SaUsage saved) {
        synchronized (e) {
            e.bytes = saved.bytes();
            e.packets = saved.packets();
            e.useTime = saved.useTime();
            // The soft event went out before the restart; a limit already passed is flagged now,
            // and the housekeeper removes an SA past a hard one.
            e.softEventSent = saved.softExpired();
            var l = e.state.lifetime();
            e.softExpired = saved.softExpired() || Long.compareUnsigned(e.bytes, l.softBytes()) >= 0
                    || Long.compareUnsigned(e.packets, l.softPackets()) >= 0;
        }
    }

    /** What an SA replaced by {@code e} (an update, a move to its twin) had counted goes on in {@code e}. */
    private static void carryCounters(SaEntry e, SaEntry previous) {
        synchronized (previous) {
            e.bytes = previous.bytes + previous.fastBytes.sum();
            e.packets = previous.packets + previous.fastPackets.sum();
            e.replayWindowDrops = previous.replayWindowDrops;
            e.replayDrops = previous.replayDrops;
            e.authFailed = previous.authFailed;
            e.badTrailer = previous.badTrailer;
            e.badLength = previous.badLength;
            e.exhausted = previous.exhausted;
            e.notDurable = previous.notDurable;
            e.useTime = previous.useTime;
            e.softExpired = previous.softExpired;
            e.softEventSent = previous.softEventSent;
        }
    }

    /** Stops the SA at once; frees it (and wipes its keys) on the next housekeeping pass. */
    private void retire(SaEntry e) {
        e.deleted = true;
        e.provider.stateDelete(e.offloaded);
        if (e.twin != null && !e.twinHandedOver) {
            e.twinProvider.stateDelete(e.twin);
        }
        toFree.add(e);
    }

    private XfrmStateInfo info(SaEntry e) {
        // xdo_dev_state_update_stats: a device folds in what it counted before the SA is read.
        e.provider.stateUpdateStats(e.offloaded);
        synchronized (e) {
            long[] bitmap = e.context.inbound().snapshot();
            return new XfrmStateInfo(e.state, e.counters(), e.addTime, e.useTime, e.context.outbound().last(),
                    e.context.inbound().top(), bitmap.length == 0 ? 0 : bitmap[0] & 0xFFFF_FFFFL, e.softExpired, e.placement, bitmap);
        }
    }

    // =========================================================================================
    // SPD
    // =========================================================================================

    @Override
    public XfrmPolicy addPolicy(XfrmPolicy policy) {
        return putPolicy(policy, false);
    }

    @Override
    public XfrmPolicy updatePolicy(XfrmPolicy policy) {
        return putPolicy(policy, true);
    }

    private XfrmPolicy putPolicy(XfrmPolicy policy, boolean update) {
        XfrmPolicy stored;
        boolean replaced;
        synchronized (lock) {
            validate(policy);
            replaced = spd.containsKey(PolicyKey.of(policy));
            if (replaced && !update) {
                throw new XfrmException("a policy with this selector, dir, mark and if_id exists (index "
                        + spd.get(PolicyKey.of(policy)).policy.index() + "): use \"ip xfrm policy update\"");
            }
            OffloadedPolicy onDevice = addDevicePolicy(policy);
            PolicyEntry old = spd.get(PolicyKey.of(policy));
            try {
                stored = insert(policy, null);
            } catch (RuntimeException x) {
                dropDevicePolicy(policy, onDevice);
                throw x;
            }
            attachDevicePolicy(PolicyKey.of(policy), onDevice, old);
        }
        events.publish(new XfrmEvent(replaced ? XfrmEvent.Kind.POLICY_UPDATE : XfrmEvent.Kind.POLICY_ADD, System.currentTimeMillis(),
                null, stored, null));
        changed();
        return stored;
    }

    /**
     * Adds many policies with one publication (batch files, benchmarks): each is validated as by
     * {@link #addPolicy}, all before any is added, so a refusal adds none.
     */
    @Override
    public List<XfrmPolicy> addPolicies(List<XfrmPolicy> policies) {
        return addPolicies(policies, null);
    }

    /** {@link #addPolicies(List)}, each policy resuming the add and use times saved with it ({@code usage} null: new). */
    List<XfrmPolicy> addPolicies(List<XfrmPolicy> policies, List<PolicyUsage> usage) {
        List<XfrmPolicy> stored = new ArrayList<>(policies.size());
        synchronized (lock) {
            Set<PolicyKey> seen = new HashSet<>();
            Set<Integer> indexes = new HashSet<>();
            for (XfrmPolicy p : policies) {
                validate(p);
                PolicyKey key = PolicyKey.of(p);
                if (spd.containsKey(key) || !seen.add(key)) {
                    throw new XfrmException("a policy with selector " + p.selector().src() + " " + p.selector().dst() + " dir "
                            + p.direction().word() + " exists or is given twice");
                }
                if (p.index() != 0 && !indexes.add(p.index())) {
                    throw new XfrmException("index " + Integer.toUnsignedString(p.index()) + " is given twice");
                }
            }
            List<OffloadedPolicy> onDevice = new ArrayList<>(policies.size());
            try {
                for (XfrmPolicy p : policies) {
                    onDevice.add(addDevicePolicy(p));
                }
            } catch (RuntimeException x) {
                for (int i = 0; i < onDevice.size(); i++) {
                    dropDevicePolicy(policies.get(i), onDevice.get(i));
                }
                throw x;
            }
            for (int i = 0; i < policies.size(); i++) {
                XfrmPolicy p = policies.get(i);
                try {
                    stored.add(insert(p, usage == null ? null : usage.get(i)));
                } catch (RuntimeException x) {
                    for (int j = i; j < policies.size(); j++) {
                        dropDevicePolicy(policies.get(j), onDevice.get(j));
                    }
                    throw x;
                }
                attachDevicePolicy(PolicyKey.of(p), onDevice.get(i), null);
            }
        }
        for (XfrmPolicy p : stored) {
            events.publish(new XfrmEvent(XfrmEvent.Kind.POLICY_ADD, System.currentTimeMillis(), null, p, null));
        }
        changed();
        return stored;
    }

    /** Adds or replaces (keeping place, age and counters) a validated policy; under the lock. */
    private XfrmPolicy insert(XfrmPolicy policy, PolicyUsage saved) {
        PolicyKey key = PolicyKey.of(policy);
        PolicyEntry old = spd.get(key);
        if (policy.index() != 0) {
            PolicyKey owner = policyIndexes.get(policy.index());
            if (owner != null && !owner.equals(key)) {
                throw new XfrmException("index " + Integer.toUnsignedString(policy.index()) + " belongs to another policy");
            }
        }
        XfrmPolicy stored;
        if (old != null) {
            stored = policy.withIndex(old.policy.index());
            PolicyEntry e = new PolicyEntry(stored, old.seq, old.addTime, old.packets, old.bytes, old.useTime);
            e.candidates = acquireCandidates(stored);
            spd.put(key, e);
            index(stored.direction()).replace(old, e);
            releaseCandidates(old);
            track(key, e);
        } else {
            int index = policy.index() != 0 ? policy.index() : nextPolicyIndex(policy.direction());
            stored = policy.withIndex(index);
            PolicyEntry e = saved == null ? new PolicyEntry(stored, policySeq++, clockSeconds.getAsLong())
                    : new PolicyEntry(stored, policySeq++, saved.addTime(), new LongAdder(), new LongAdder(), saved.useTime());
            e.candidates = acquireCandidates(stored);
            spd.put(key, e);
            policyIndexes.put(index, key);
            index(stored.direction()).add(e);
            track(key, e);
        }
        return stored;
    }

    /**
     * {@code policyAdd} on the device backend of {@code offload packet dev DEV} (validated: it
     * exists), before the policy is in the SPD; null for a policy in software. A refusal is the
     * user's error and changes nothing.
     */
    private OffloadedPolicy addDevicePolicy(XfrmPolicy policy) {
        if (policy.offload() == null) {
            return null;
        }
        XfrmOffloadProvider device = devices.get(policy.offload().device());
        try {
            return device.policyAdd(policy);
        } catch (OffloadRefusal r) {
            throw new XfrmException("offload packet dev " + policy.offload().device() + ": backend " + device.name()
                    + " refused the policy: " + r.getMessage());
        }
    }

    /** Undoes {@link #addDevicePolicy} for a policy that never reached the SPD (no packet saw it: freed at once). */
    private void dropDevicePolicy(XfrmPolicy policy, OffloadedPolicy onDevice) {
        if (onDevice != null) {
            XfrmOffloadProvider device = devices.get(policy.offload().device());
            device.policyDelete(onDevice);
            device.policyFree(onDevice);
        }
    }

    /**
     * After {@link #insert}: the new entry holds its device policy; the one it replaced gives its
     * device policy back (its device counters stay in the carried counters).
     */
    private void attachDevicePolicy(PolicyKey key, OffloadedPolicy onDevice, PolicyEntry replaced) {
        PolicyEntry now = spd.get(key);
        if (replaced != null && replaced.offloaded != null) {
            now.packets.add(replaced.offloaded.devicePackets());
            now.bytes.add(replaced.offloaded.deviceBytes());
            retireDevicePolicy(replaced);
        }
        if (onDevice != null) {
            now.device = devices.get(now.policy.offload().device());
            now.offloaded = onDevice;
        }
    }

    /**
     * A policy leaves the SPD (delete, flush, update, expiry, its backend gone): {@code policyDelete}
     * now, {@code policyFree} after the grace period. Under the lock.
     */
    void retireDevicePolicy(PolicyEntry e) {
        if (e.offloaded != null) {
            devices.retirePolicy(e.device, e.offloaded);
        }
    }

    /** Keeps the policies with time limits where the housekeeper looks (Linux arms a timer for each). */
    private void track(PolicyKey key, PolicyEntry e) {
        Lifetime l = e.policy.lifetime();
        if (l.softAddSeconds() > 0 || l.hardAddSeconds() > 0 || l.softUseSeconds() > 0 || l.hardUseSeconds() > 0) {
            timedPolicies.put(key, e);
        } else {
            timedPolicies.remove(key);
        }
    }

    private PolicyIndex index(XfrmDirection dir) {
        return switch (dir) {
            case IN -> inIndex;
            case OUT -> outIndex;
            case FWD -> fwdIndex;
        };
    }

    /** The shared candidates of each template of an outbound policy, computed on first use (under the lock). */
    private Candidates[] acquireCandidates(XfrmPolicy p) {
        if (p.direction() != XfrmDirection.OUT || p.templates().isEmpty()) {
            return Candidates.NONE;
        }
        Candidates[] out = new Candidates[p.templates().size()];
        for (int i = 0; i < out.length; i++) {
            Template t = p.templates().get(i);
            boolean tunnel = t.mode() == XfrmMode.TUNNEL;
            Candidates.Key key = new Candidates.Key(t.mode(), p.ifId(), tunnel ? t.src() : null, tunnel ? t.dst() : null, t.reqid(), t.spi());
            Candidates c = candidates.get(key);
            if (c == null) {
                c = new Candidates(key);
                c.sas = candidatesOf(key);
                candidates.put(key, c);
                candidatesByEndpoints.computeIfAbsent(key.endpoints(), k -> new HashSet<>()).add(c);
            }
            c.users++;
            out[i] = c;
        }
        return out;
    }

    private void releaseCandidates(PolicyEntry e) {
        for (Candidates c : e.candidates) {
            if (--c.users == 0) {
                candidates.remove(c.key);
                Set<Candidates> same = candidatesByEndpoints.get(c.key.endpoints());
                same.remove(c);
                if (same.isEmpty()) {
                    candidatesByEndpoints.remove(c.key.endpoints());
                }
            }
        }
    }

    /** The SAs that can serve a template with this key, best first. */
    private SaEntry[] candidatesOf(Candidates.Key key) {
        List<SaEntry> sas = saByEndpoints.getOrDefault(key.endpoints(), List.of());
        List<SaEntry> out = new ArrayList<>(sas.size());
        for (SaEntry e : sas) {
            XfrmState s = e.state;
            if ((key.reqid() == 0 || s.reqid() == key.reqid()) && (key.spi() == 0 || s.spi() == key.spi())) {
                out.add(e);
            }
        }
        return out.isEmpty() ? Candidates.NO_SAS : out.toArray(Candidates.NO_SAS);
    }

    /** Linux's index: a counter times 8 plus the direction. */
    private int nextPolicyIndex(XfrmDirection dir) {
        while (true) {
            int index = (++policyCounter << 3) | dir.ordinal();
            if (!policyIndexes.containsKey(index)) {
                return index;
            }
        }
    }

    private void validate(XfrmPolicy p) {
        if (p.selector() == null || p.direction() == null || p.action() == null || p.mark() == null || p.lifetime() == null) {
            throw new XfrmException("a policy needs a selector, dir, action, mark and lifetime");
        }
        Selector sel = p.selector();
        if (sel.src().address().version() != sel.dst().address().version()) {
            throw new XfrmException("selector src " + sel.src() + " and dst " + sel.dst() + " are of different families");
        }
        if (sel.device() != null) {
            throw new XfrmException("dev: device selectors are not supported by Netfence yet: leave out \"dev\"");
        }
        if (p.index() != 0 && (p.index() & 7) != p.direction().ordinal()) {
            throw new XfrmException("index " + p.index() + " does not belong to dir " + p.direction().word()
                    + ": a policy index ends in its direction (index % 8 == " + p.direction().ordinal() + ")");
        }
        if (p.templates().size() > 1) {
            throw new XfrmException("tmpl: Netfence applies one template per policy (nested SA bundles are not supported)");
        }
        if (p.action() == XfrmPolicy.Action.BLOCK && !p.templates().isEmpty()) {
            throw new XfrmException("action block with tmpl: a blocking policy applies no SA");
        }
        for (Template t : p.templates()) {
            if (t.mode() == XfrmMode.TUNNEL && t.src().version() != t.dst().version()) {
                throw new XfrmException("tmpl src " + t.src() + " and dst " + t.dst() + " are of different families");
            }
        }
        if (p.offload() != null && p.offload().type() != OffloadSpec.Type.PACKET) {
            throw new XfrmException("offload " + p.offload().type().word() + ": a policy is offloaded in packet mode only (offload packet dev DEV)");
        }
        if (p.offload() != null && devices.get(p.offload().device()) == null) {
            throw new XfrmException("offload packet dev " + p.offload().device() + ": no device backend offers IPsec packet offload on dev "
                    + p.offload().device() + " (device backends: " + devices.describe() + ")");
        }
    }

    @Override
    public void deletePolicy(XfrmDirection direction, Selector selector, Mark mark, int ifId) {
        removePolicy(new PolicyKey(direction, selector, mark, ifId), "no policy dir " + direction.word() + " with that selector, mark and if_id");
    }

    @Override
    public void deletePolicy(XfrmDirection direction, int index) {
        PolicyKey key;
        synchronized (lock) {
            key = policyIndexes.get(index);
        }
        String absent = "no policy dir " + direction.word() + " index " + Integer.toUnsignedString(index);
        if (key == null || key.dir() != direction) {
            throw new XfrmException(absent);
        }
        removePolicy(key, absent);
    }

    private void removePolicy(PolicyKey key, String absent) {
        XfrmPolicy gone;
        synchronized (lock) {
            PolicyEntry e = spd.remove(key);
            if (e == null) {
                throw new XfrmException(absent);
            }
            policyIndexes.remove(e.policy.index());
            retireDevicePolicy(e);
            index(e.policy.direction()).remove(e);
            releaseCandidates(e);
            timedPolicies.remove(key);
            gone = e.policy;
        }
        events.publish(new XfrmEvent(XfrmEvent.Kind.POLICY_DELETE, System.currentTimeMillis(), null, gone, null));
        changed();
    }

    @Override
    public XfrmPolicyInfo policy(XfrmDirection direction, Selector selector, Mark mark, int ifId) {
        synchronized (lock) {
            PolicyEntry e = spd.get(new PolicyKey(direction, selector, mark, ifId));
            if (e != null) {
                return info(e);
            }
        }
        throw new XfrmException("no policy dir " + direction.word() + " with that selector, mark and if_id");
    }

    @Override
    public XfrmPolicyInfo policy(XfrmDirection direction, int index) {
        synchronized (lock) {
            PolicyKey key = policyIndexes.get(index);
            if (key != null && key.dir() == direction) {
                return info(spd.get(key));
            }
        }
        throw new XfrmException("no policy dir " + direction.word() + " index " + Integer.toUnsignedString(index));
    }

    private static XfrmPolicyInfo info(PolicyEntry e) {
        // What the device matched itself is added, as Linux adds a packet-offload policy's device counters.
        OffloadedPolicy d = e.offloaded;
        return new XfrmPolicyInfo(e.policy, e.packets.sum() + (d == null ? 0 : d.devicePackets()),
                e.bytes.sum() + (d == null ? 0 : d.deviceBytes()), e.addTime, e.useTime);
    }

    @Override
    public List<XfrmPolicyInfo> policies() {
        synchronized (lock) {
            List<PolicyEntry> sorted = new ArrayList<>(spd.values());
            sorted.sort(Comparator.<PolicyEntry>comparingInt(e -> e.policy.direction().ordinal())
                    .thenComparing((a, b) -> a.betterThan(b) ? -1 : b.betterThan(a) ? 1 : 0));
            List<XfrmPolicyInfo> list = new ArrayList<>();
            for (PolicyEntry e : sorted) {
                list.add(info(e));
            }
            return list;
        }
    }

    @Override
    public int flushPolicies() {
        int n;
        synchronized (lock) {
            n = spd.size();
            for (PolicyEntry e : spd.values()) {
                retireDevicePolicy(e);
            }
            spd.clear();
            policyIndexes.clear();
            inIndex.clear();
            outIndex.clear();
            fwdIndex.clear();
            candidates.clear();
            candidatesByEndpoints.clear();
            timedPolicies.clear();
        }
        events.publish(new XfrmEvent(XfrmEvent.Kind.POLICY_FLUSH, System.currentTimeMillis(), null, null, null));
        changed();
        return n;
    }

    @Override
    public int policyCount() {
        synchronized (lock) {
            return spd.size();
        }
    }

    @Override
    public AutoCloseable monitor(Consumer<XfrmEvent> listener) {
        return events.subscribe(listener);
    }

    // =========================================================================================
    // Publication and housekeeping
    // =========================================================================================

    /**
     * Rebuilds the SA side of the packet path's tables from the SAD (under the lock), and the
     * candidates of the templates whose endpoints' SAs changed: an SA change costs O(SAs), not O(policies).
     */
    private void publishStates() {
        List<SaEntry> sas = new ArrayList<>(sad.values());
        // Best SA first for output: not soft-expired (dying), then newest, as Linux's xfrm_state_find;
        // grouped by what a template names, so each template finds its candidates in one probe.
        List<SaEntry> preferred = new ArrayList<>(sas);
        preferred.sort(Comparator.<SaEntry>comparingInt(e -> e.softExpired ? 1 : 0).thenComparing(e -> -e.addTime)
                .thenComparing(e -> -e.handle));
        Map<Candidates.Endpoints, List<SaEntry>> byEndpoints = new java.util.HashMap<>();
        for (SaEntry e : preferred) {
            XfrmState st = e.state;
            boolean tunnel = st.mode() == XfrmMode.TUNNEL;
            byEndpoints.computeIfAbsent(new Candidates.Endpoints(st.mode(), st.ifId(), tunnel ? st.src() : null, tunnel ? st.dst() : null),
                    x -> new ArrayList<>()).add(e);
        }
        Map<Candidates.Endpoints, List<SaEntry>> before = saByEndpoints;
        saByEndpoints = byEndpoints;
        Set<Candidates.Endpoints> touched = new HashSet<>(before.keySet());
        touched.addAll(byEndpoints.keySet());
        for (Candidates.Endpoints ends : touched) {
            if (!before.getOrDefault(ends, List.of()).equals(byEndpoints.getOrDefault(ends, List.of()))) {
                for (Candidates c : candidatesByEndpoints.getOrDefault(ends, Set.of())) {
                    c.sas = candidatesOf(c.key);
                }
            }
        }
        Set<Integer> ports = new HashSet<>();
        for (SaEntry e : sas) {
            if (e.state.encap() != null) {
                ports.add(e.state.encap().sourcePort());
                ports.add(e.state.encap().destinationPort());
            }
        }
        tables = new Tables(sas, new SpiIndex(sas), inIndex, outIndex, fwdIndex, ports.stream().mapToInt(Integer::intValue).sorted().toArray());
    }

    /** Whether SA e can serve template t of policy p (the per-packet parts are checked later). */
    private static boolean serves(Template t, XfrmPolicy p, SaEntry e) {
        XfrmState s = e.state;
        if (s.mode() != t.mode() || s.ifId() != p.ifId()) {
            return false;
        }
        if (t.reqid() != 0 && s.reqid() != t.reqid()) {
            return false;
        }
        if (t.spi() != 0 && s.spi() != t.spi()) {
            return false;
        }
        return t.mode() != XfrmMode.TUNNEL || (s.src().equals(t.src()) && s.dst().equals(t.dst()));
    }

    /**
     * Time limits, soft-expire events, hard-expired SAs, larval reservations, and freeing retired
     * SAs (their keys wiped). Called about once a second.
     */
    public void housekeep() {
        long now = clockSeconds.getAsLong();
        coarseNow = now;
        List<XfrmEvent> out = new ArrayList<>();
        boolean changedSad = false;
        synchronized (lock) {
            changedSad = expirePolicies(now, out);
            // Retired last time round: no packet can still hold them (a batch takes microseconds).
            for (SaEntry e : toFree) {
                e.provider.stateFree(e.offloaded);
                if (e.twin != null && !e.twinHandedOver) {
                    e.twinProvider.stateFree(e.twin);
                }
                SaEntry current = sad.get(new SaKey(e.state.dst(), e.state.spi()));
                // An update may hand the same key objects to the SA that replaces this one.
                if (current == null || current.state.encryptionKey() != e.state.encryptionKey()) {
                    e.state.encryptionKey().wipe();
                    if (e.state.authenticationKey() != null) {
                        e.state.authenticationKey().wipe();
                    }
                }
            }
            toFree.clear();
            devices.freePolicies();
            larval.values().removeIf(expiry -> expiry <= now);
            long nanos = System.nanoTime();
            acquires.values().removeIf(t -> nanos - t >= ACQUIRE_INTERVAL_NANOS);
            boolean republish = false;
            int sasBefore = sad.size();
            for (Iterator<SaEntry> it = sad.values().iterator(); it.hasNext(); ) {
                SaEntry e = it.next();
                var l = e.state.lifetime();
                boolean soft;
                boolean hard;
                synchronized (e) {
                    hard = e.hardExpired || (e.countLimited && !e.admit())
                            || (l.hardAddSeconds() > 0 && now - e.addTime >= l.hardAddSeconds())
                            || (l.hardUseSeconds() > 0 && e.useTime != 0 && now - e.useTime >= l.hardUseSeconds());
                    if (!e.softExpired && ((l.softAddSeconds() > 0 && now - e.addTime >= l.softAddSeconds())
                            || (l.softUseSeconds() > 0 && e.useTime != 0 && now - e.useTime >= l.softUseSeconds()))) {
                        e.softExpired = true;
                    }
                    // A soft limit reached on the packet path goes out first, even if a hard one followed.
                    soft = e.softExpired && !e.softEventSent;
                    if (soft) {
                        e.softEventSent = true;
                    }
                }
                if (soft) {
                    republish = true;
                    out.add(new XfrmEvent(XfrmEvent.Kind.EXPIRE_SOFT, System.currentTimeMillis(), e.state, null, null));
                }
                if (hard) {
                    it.remove();
                    retire(e);
                    forgetInboundMark(e);
                    changedSad = true;
                    out.add(new XfrmEvent(XfrmEvent.Kind.EXPIRE_HARD, System.currentTimeMillis(), e.state, null, null));
                } else {
                    storeInboundMark(e);
                }
            }
            if (republish || sad.size() != sasBefore) {
                publishStates();
            }
            // Counters are saved with the SAs (so limits keep counting across a restart): now and then, if they moved.
            if (!changedSad && now - lastUsageSave >= USAGE_SAVE_SECONDS && usageMoved()) {
                lastUsageSave = now;
                changedSad = true;
            }
        }
        out.forEach(events::publish);
        if (changedSad) {
            changed();
        }
    }

    /**
     * Policy time limits, as Linux's xfrm_policy_timer: a hard add or use limit deletes the policy
     * with a hard expire event; a soft one raises a soft expire event, again every 30 s while the
     * policy lives. Use limits count from the last use, or from the add if it was never used.
     * Byte and packet limits of policies are not enforced, as on Linux. Returns whether any went.
     */
    private boolean expirePolicies(long now, List<XfrmEvent> out) {
        boolean removed = false;
        for (Iterator<Map.Entry<PolicyKey, PolicyEntry>> it = timedPolicies.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<PolicyKey, PolicyEntry> entry = it.next();
            PolicyEntry e = entry.getValue();
            Lifetime l = e.policy.lifetime();
            long used = e.useTime != 0 ? e.useTime : e.addTime;
            if ((l.hardAddSeconds() > 0 && now - e.addTime >= l.hardAddSeconds())
                    || (l.hardUseSeconds() > 0 && now - used >= l.hardUseSeconds())) {
                it.remove();
                spd.remove(entry.getKey());
                policyIndexes.remove(e.policy.index());
                index(e.policy.direction()).remove(e);
                releaseCandidates(e);
                retireDevicePolicy(e);
                removed = true;
                out.add(new XfrmEvent(XfrmEvent.Kind.POLICY_EXPIRE_HARD, System.currentTimeMillis(), null, e.policy, null));
            } else if (((l.softAddSeconds() > 0 && now - e.addTime >= l.softAddSeconds())
                    || (l.softUseSeconds() > 0 && now - used >= l.softUseSeconds()))
                    && (e.softWarned == 0 || now - e.softWarned >= POLICY_SOFT_REPEAT_SECONDS)) {
                e.softWarned = now;
                out.add(new XfrmEvent(XfrmEvent.Kind.POLICY_EXPIRE_SOFT, System.currentTimeMillis(), null, e.policy, null));
            }
        }
        return removed;
    }

    /** Packets counted by all SAs: what {@link #usageMoved} compares with the last saved sum. */
    private long usageSum() {
        long sum = 0;
        for (SaEntry e : sad.values()) {
            synchronized (e) {
                sum += e.packets;
            }
            sum += e.fastPackets.sum();
        }
        return sum;
    }

    /** Whether SAs counted packets since {@link #markUsageSaved} (under the lock). */
    private boolean usageMoved() {
        return usageSum() != savedUsage;
    }

    /** Whether SAs counted packets since the last save (the component saves once more at stop if so). */
    boolean usageMovedSinceSave() {
        synchronized (lock) {
            return usageMoved();
        }
    }

    /** Called by a save, before it reads the SAD: what it writes is the usage now. */
    void markUsageSaved() {
        synchronized (lock) {
            savedUsage = usageSum();
        }
    }

    private void changed() {
        for (Runnable r : changeListeners) {
            r.run();
        }
    }

    // =========================================================================================
    // The packet path (XfrmLayer)
    // =========================================================================================

    @Override
    public boolean active() {
        return tables.active();
    }

    private static int drop(PacketBuffer p, int reason) {
        p.dropReason = reason;
        return DROPPED;
    }

    private static int ipLength(PacketBuffer p) {
        return p.offset + p.length - p.key.l3Offset;
    }

    @Override
    public int outputLookup(PacketBuffer p, int ifId) {
        if (p.secPath == PacketBuffer.ENCAPSULATED) {
            // Our own outer packet: policies apply to what goes in, not to the tunnel itself.
            return ifId != 0 ? drop(p, R_NO_POLICY) : PASS;
        }
        Tables t = tables;
        FlowKey k = p.key;
        PolicyEntry pol = t.out.lookup(k, p.mark, ifId);
        if (pol == null) {
            return ifId != 0 ? drop(p, R_NO_POLICY) : PASS;
        }
        pol.used(coarseNow);
        pol.packets.increment();
        pol.bytes.add(ipLength(p));
        XfrmPolicy policy = pol.policy;
        if (policy.action() == XfrmPolicy.Action.BLOCK) {
            return drop(p, R_BLOCK);
        }
        if (policy.templates().isEmpty()) {
            return ifId != 0 ? drop(p, R_NO_POLICY) : PASS;
        }
        SaEntry[] candidates = pol.candidates[0].sas;
        for (SaEntry e : candidates) {
            if (e.usable() && e.state.mark().matches(p.mark) && (e.selector == null || e.selector.matches(k))
                    && (e.state.mode() == XfrmMode.TUNNEL || transportMatches(e, k))) {
                return e.handle;
            }
        }
        if (policy.templates().getFirst().optional()) {
            return PASS;
        }
        acquire(pol, k);
        return drop(p, R_ACQUIRE);
    }

    private static boolean transportMatches(SaEntry e, FlowKey k) {
        return k.ipVersion == e.state.family() && PacketMatch.dstHi(k) == e.dstHi && PacketMatch.dstLo(k) == e.dstLo
                && PacketMatch.srcHi(k) == e.srcHi && PacketMatch.srcLo(k) == e.srcLo;
    }

    /**
     * An acquire event, at most one per policy and destination per 30 s, and none while
     * {@value #MAX_ACQUIRES} are outstanding (the rare path: it may allocate).
     */
    private void acquire(PolicyEntry pol, FlowKey k) {
        long now = System.nanoTime();
        AcquireKey key = new AcquireKey(pol, PacketMatch.dstHi(k), PacketMatch.dstLo(k));
        Long last = acquires.get(key);
        if (last != null && now - last < ACQUIRE_INTERVAL_NANOS) {
            return;
        }
        if (last == null && acquires.size() >= MAX_ACQUIRES) {
            acquires.values().removeIf(t -> now - t >= ACQUIRE_INTERVAL_NANOS);
            if (acquires.size() >= MAX_ACQUIRES) {
                return;
            }
        }
        // Two workers may race for the same flow: only the one that records the time raises it.
        if (last == null ? acquires.putIfAbsent(key, now) != null : !acquires.replace(key, last, now)) {
            return;
        }
        IpAddress src = k.ipVersion == 4 ? IpAddress.v4(k.ipv4Src) : IpAddress.v6(k.ipv6SrcHi, k.ipv6SrcLo);
        IpAddress dst = k.ipVersion == 4 ? IpAddress.v4(k.ipv4Dst) : IpAddress.v6(k.ipv6DstHi, k.ipv6DstLo);
        boolean icmp = k.ipProto == 1 || k.ipProto == 58;
        boolean ports = k.ipProto == 6 || k.ipProto == 17 || k.ipProto == 132;
        int sp = icmp ? k.icmpType : ports ? k.srcPort : 0;
        int dp = icmp ? k.icmpCode : ports ? k.dstPort : 0;
        int mask = icmp || ports ? 0xFFFF : 0;
        Selector flow = new Selector(new IpPrefix(src, src.bitLength()), new IpPrefix(dst, dst.bitLength()), k.ipProto, sp, mask, dp, mask, null);
        events.publish(new XfrmEvent(XfrmEvent.Kind.ACQUIRE, System.currentTimeMillis(), null, pol.policy, flow));
    }

    @Override
    public int overhead(int sa) {
        SaEntry e = tables.sa(sa);
        return e == null ? 0 : e.offloaded.overheadFront() + e.offloaded.overheadBack();
    }

    @Override
    public int encapsulate(PacketBuffer p, int sa) {
        SaEntry e = tables.sa(sa);
        if (e == null || !e.usable()) {
            return drop(p, R_EXPIRED);
        }
        byte[] b = p.data;
        int l3 = p.key.l3Offset;
        int length = ipLength(p);
        OffloadedState o = e.offloaded;
        XfrmOffloadProvider device = e.device;
        if (device != null && !device.offloadOk(o, p)) {
            // xfrm_dev_offload_ok said no: software ESP for this packet (crypto offload), or a drop (packet offload).
            if (e.twin == null) {
                return drop(p, R_DEVICE_DECLINED);
            }
            o = e.twin;
        }
        int front = o.overheadFront();
        if (l3 + length + o.overheadBack() > b.length) {
            return drop(p, R_MTU);
        }
        if (l3 - front - ETH_HEADER < 0) {
            // Not enough headroom (a packet decapsulated and encapsulated again): move it back.
            int shift = front + ETH_HEADER - l3;
            if (l3 + length + shift + o.overheadBack() > b.length) {
                return drop(p, R_MTU);
            }
            System.arraycopy(b, l3, b, l3 + shift, length);
            l3 += shift;
        }
        if (!e.admitUnderLimits()) {
            return drop(p, R_EXPIRED);
        }
        if (e.outboundHi != null && SaEntry.highHalfMoved(e.outboundHi, e.context.outbound().last() + 1)) {
            // The next number starts a new 2^32 block: the device learns the high half before it
            // seals with it, as Linux's xfrm_replay_overflow_offload_esn tells it.
            device.stateAdvanceEsn(e.offloaded);
        }
        // The crypto runs outside the SA's monitor: workers seal one SA's packets in parallel (the
        // backend gives each thread its own transform; sequence numbers are taken atomically).
        int r = o.encapsulate(b, l3, length);
        if (r >= 0 && !e.countLimited) {
            e.countFast(length, clockSeconds);
        }
        if (r < 0 || e.countLimited) {
            synchronized (e) {
                countOutput(e, r, length);
            }
        }
        if (r < 0) {
            return drop(p, switch (r) {
                case OffloadedState.NOT_DURABLE -> R_NOT_DURABLE;
                case OffloadedState.EXHAUSTED -> R_EXPIRED;
                default -> R_MTU;
            });
        }
        return finishOuterFrame(p, e, b, l3 - front, r);
    }

    /** Under the SA's monitor: an outbound packet of a limited SA, or a refusal. */
    private void countOutput(SaEntry e, int r, int length) {
        if (r >= 0) {
            e.count(length, clockSeconds.getAsLong());
        } else if (r == OffloadedState.NOT_DURABLE) {
            e.notDurable++;
        } else if (r == OffloadedState.EXHAUSTED) {
            // RFC 4303 3.3.3: never wrap; the SA is dead and the housekeeper removes it.
            e.exhausted++;
            e.hardExpired = true;
        }
    }

    /** Puts an Ethernet header in front of the outer packet at {@code outer} and makes it the frame. */
    private static int finishOuterFrame(PacketBuffer p, SaEntry e, byte[] b, int outer, int r) {
        int frame = outer - ETH_HEADER;
        for (int i = 0; i < 12; i++) {
            b[frame + i] = 0;
        }
        Bytes.put16(b, frame + 12, e.state.family() == 4 ? FlowKey.ETH_P_IPV4 : FlowKey.ETH_P_IPV6);
        p.offset = frame;
        p.length = ETH_HEADER + r;
        p.secPath = PacketBuffer.ENCAPSULATED;
        return 0;
    }

    @Override
    public int input(PacketBuffer p) {
        Tables t = tables;
        FlowKey k = p.key;
        byte[] b = p.data;
        int end = p.offset + p.length;
        int esp = k.l4Offset;
        int spiAt = esp;
        if (k.ipProto == PROTO_UDP) {
            if (!t.encapPort(k.dstPort)) {
                return PASS;
            }
            spiAt = esp + 8;
            if (end - spiAt == 1 && b[spiAt] == (byte) 0xFF) {
                // RFC 3948 section 2.3: a NAT-keepalive, eaten quietly as Linux does.
                return CONSUMED;
            }
            if (end - spiAt < 8 || Bytes.u32(b, spiAt) == 0) {
                // The non-ESP marker: IKE, which belongs to the key manager, not the dataplane.
                return PASS;
            }
        } else if (k.ipProto != PROTO_ESP) {
            return PASS;
        }
        if (end - spiAt < 8) {
            return drop(p, R_BAD_ESP);
        }
        int spi = (int) Bytes.u32(b, spiAt);
        SaEntry e = t.inbound.find(spi, k.ipVersion, PacketMatch.dstHi(k), PacketMatch.dstLo(k));
        if (e == null) {
            return drop(p, R_NO_STATE);
        }
        if (!e.usable()) {
            return drop(p, R_EXPIRED);
        }
        int l3 = k.l3Offset;
        int length = end - l3;
        if (!e.admitUnderLimits()) {
            return drop(p, R_EXPIRED);
        }
        // Outside the monitor, like encapsulation; the replay window re-checks when it accepts.
        int r = e.offloaded.decapsulate(b, l3, esp, length);
        if (r >= 0 && !e.countLimited) {
            e.countFast(length, clockSeconds);
        } else {
            synchronized (e) {
                countInput(e, r, length);
            }
        }
        if (e.inboundHi != null && r >= 0 && SaEntry.highHalfMoved(e.inboundHi, e.context.inbound().top())) {
            e.device.stateAdvanceEsn(e.offloaded);
        }
        if (r < 0) {
            return switch (r) {
                case OffloadedState.NOT_ESP -> PASS;
                case OffloadedState.DUMMY -> CONSUMED;
                case OffloadedState.REPLAYED -> drop(p, R_REPLAY);
                case OffloadedState.TOO_OLD, OffloadedState.ZERO_SEQUENCE -> drop(p, R_REPLAY_WINDOW);
                case OffloadedState.AUTH_FAILED -> drop(p, R_AUTH);
                default -> drop(p, R_BAD_ESP);
            };
        }
        int version = (b[r] & 0xFF) >>> 4;
        int innerLength = version == 4 ? Bytes.u16(b, r + 2) : 40 + Bytes.u16(b, r + 4);
        int frame = r - ETH_HEADER;
        if (frame < 0 || (version != 4 && version != 6)) {
            return drop(p, R_BAD_ESP);
        }
        // Keep the received Ethernet addresses: forwarding checks the frame was sent to us.
        System.arraycopy(b, p.offset, b, frame, 12);
        Bytes.put16(b, frame + 12, version == 4 ? FlowKey.ETH_P_IPV4 : FlowKey.ETH_P_IPV6);
        p.offset = frame;
        p.length = ETH_HEADER + innerLength;
        p.secPath = e.handle + 1;
        return e.state.ifId();
    }

    /** Under the SA's monitor: an inbound packet of a limited SA, or a refusal by reason. */
    private void countInput(SaEntry e, int r, int length) {
        switch (r) {
            case OffloadedState.REPLAYED -> e.replayDrops++;
            case OffloadedState.TOO_OLD, OffloadedState.ZERO_SEQUENCE -> e.replayWindowDrops++;
            case OffloadedState.AUTH_FAILED -> e.authFailed++;
            case OffloadedState.BAD_TRAILER -> e.badTrailer++;
            case OffloadedState.BAD_LENGTH -> e.badLength++;
            default -> {
                if (r >= 0 || r == OffloadedState.DUMMY) {
                    e.count(length, clockSeconds.getAsLong());
                }
            }
        }
    }

    @Override
    public boolean inboundAllowed(PacketBuffer p, boolean forward) {
        Tables t = tables;
        PolicyIndex index = forward ? t.fwd : t.in;
        SaEntry via = p.secPath > 0 ? t.sa(p.secPath - 1) : null;
        if (index.size() == 0 && p.secPath <= 0) {
            return true;
        }
        int ifId = via == null ? 0 : via.state.ifId();
        PolicyEntry pol = index.lookup(p.key, p.mark, ifId);
        if (pol == null) {
            // Linux (__xfrm_policy_check): decrypted tunnel traffic needs a policy that accepts it.
            if (via != null && via.state.mode() == XfrmMode.TUNNEL) {
                drop(p, R_NO_POLICY);
                return false;
            }
            return true;
        }
        pol.used(coarseNow);
        pol.packets.increment();
        pol.bytes.add(ipLength(p));
        if (pol.policy.action() == XfrmPolicy.Action.BLOCK) {
            drop(p, R_BLOCK);
            return false;
        }
        List<Template> templates = pol.policy.templates();
        if (templates.isEmpty()) {
            if (via != null && via.state.mode() == XfrmMode.TUNNEL) {
                drop(p, R_TMPL);
                return false;
            }
            return true;
        }
        Template tmpl = templates.getFirst();
        if (via != null && serves(tmpl, pol.policy, via)) {
            return true;
        }
        if (tmpl.optional() && via == null) {
            return true;
        }
        drop(p, R_TMPL);
        return false;
    }
}
