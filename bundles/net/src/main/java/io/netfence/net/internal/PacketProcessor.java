package io.netfence.net.internal;

import io.netfence.fib.Ipv4Fib;
import io.netfence.fib.Ipv6Fib;
import io.netfence.net.spi.PacketStage;
import io.netfence.net.spi.StageContext;
import io.netfence.net.spi.XfrmLayer;
import io.netfence.packet.Arp;
import io.netfence.packet.Bytes;
import io.netfence.packet.Checksum;
import io.netfence.packet.DropReason;
import io.netfence.packet.Ethernet;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.FlowKey;
import io.netfence.packet.Icmp;
import io.netfence.packet.Icmpv6;
import io.netfence.packet.Ipv4;
import io.netfence.packet.Ipv6;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.Udp;

/**
 * The packet path of one thread: ingress, ARP/ND, local delivery, forwarding, ICMP errors,
 * neighbour resolution, per-port transmit batches, egress. One instance per packet thread; it
 * owns its counters, scratch memory and transmit batches, and allocates nothing per packet.
 *
 * <p>Every drop is counted when it happens, on the port the packet arrived by, under its
 * {@link DropReason}; a packet that the stack consumed or sent is marked {@link #CONSUMED}
 * (also "dropped" to stages, so they skip it) and is not counted as a drop. Replies and ICMP
 * errors are built in the buffer of the packet that caused them.
 */
final class PacketProcessor {
    /** {@code dropReason} of a packet that was sent or consumed by the stack. */
    static final int CONSUMED = Integer.MAX_VALUE;

    private static final int ETH = Ethernet.HEADER_LEN;
    private static final int IPV4_HDR = Ipv4.MIN_HEADER_LEN;
    private static final int IPV6_HDR = Ipv6.HEADER_LEN;
    private static final int ICMP_HDR = Icmp.HEADER_LEN;
    /** Largest ICMPv6 error: it must fit the IPv6 minimum MTU (RFC 4443 section 2.4 c). */
    private static final int IPV6_MIN_MTU = 1280;
    private static final int NS_NA_LEN = Icmpv6.ND_LEN + 8;
    private static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;
    private static final int TTL_DEFAULT = 64;
    /** TOS of ICMP errors: precedence "internetwork control", as Linux sends them. */
    private static final int TOS_INTERNETWORK_CONTROL = 0xC0;
    /** ICMPv6 destination unreachable code 2: beyond scope of source address. */
    private static final int ICMPV6_BEYOND_SCOPE = 2;

    private static final int MAX_TX_SLOTS = 32;
    /** ICMP errors: 1000 per second per thread, bursts of 50. */
    private static final long ICMP_COST_NANOS = 1_000_000L;
    private static final long ICMP_BURST_NANOS = 50 * ICMP_COST_NANOS;

    private static final int R_NOT_FOR_US = DropReason.NOT_FOR_US.ordinal();
    private static final int R_LINK_DOWN = DropReason.LINK_DOWN.ordinal();
    private static final int R_UNSUPPORTED_ETHERTYPE = DropReason.UNSUPPORTED_ETHERTYPE.ordinal();
    private static final int R_UNSUPPORTED_PROTOCOL = DropReason.UNSUPPORTED_PROTOCOL.ordinal();
    private static final int R_NO_ROUTE = DropReason.NO_ROUTE.ordinal();
    private static final int R_BLACKHOLE = DropReason.BLACKHOLE.ordinal();
    private static final int R_TTL_EXCEEDED = DropReason.TTL_EXCEEDED.ordinal();
    private static final int R_MTU_EXCEEDED = DropReason.MTU_EXCEEDED.ordinal();
    private static final int R_NEIGHBOUR_UNRESOLVED = DropReason.NEIGHBOUR_UNRESOLVED.ordinal();
    private static final int R_NEIGHBOUR_QUEUE_FULL = DropReason.NEIGHBOUR_QUEUE_FULL.ordinal();
    private static final int R_MARTIAN = DropReason.MARTIAN.ordinal();
    private static final int R_TX_ERROR = DropReason.TX_ERROR.ordinal();
    private static final int R_STAGE_DROP = DropReason.STAGE_DROP.ordinal();
    private static final int R_TC_REDIRECT_LOOP = DropReason.TC_REDIRECT_LOOP.ordinal();
    private static final int R_TX_QUEUE_FULL = DropReason.TX_QUEUE_FULL.ordinal();
    private static final int R_BAD_ARP = DropReason.BAD_ARP.ordinal();
    private static final int R_BAD_ICMP = DropReason.BAD_ICMP.ordinal();
    private static final int R_XFRM_MTU = DropReason.XFRM_MTU.ordinal();
    private static final int R_XFRM_NO_POLICY = DropReason.XFRM_NO_POLICY.ordinal();
    private static final int R_BAD_L4_CHECKSUM = DropReason.BAD_L4_CHECKSUM.ordinal();
    private static final int R_FRAG_TIMEOUT = DropReason.FRAG_TIMEOUT.ordinal();
    private static final int R_FRAG_MEM = DropReason.FRAG_MEM.ordinal();
    private static final int REASONS = DropReason.count();

    private final Dataplane dataplane;
    private final Ipv4Fib fib4;
    private final Ipv6Fib fib6;
    private final NeighbourTable neighbours;
    final CounterStripe stripe;

    /** Copy of the bytes an ICMP error quotes, taken before the error is written over them. */
    private final byte[] scratch = new byte[IPV6_MIN_MTU];
    /** The live packets of the batch being processed (what INGRESS stages see). */
    private final PacketBatch live;
    private final PacketBatch compactScratch;
    private final PacketBatch[] txSlots = new PacketBatch[MAX_TX_SLOTS];
    private final int[] slotPort = new int[MAX_TX_SLOTS];
    private int slotsUsed;
    private int[] slotOfPort = new int[0];
    private final int[] released = new int[NeighbourTable.QUEUE_PER_ENTRY];
    /** Pool buffers this thread took from the neighbour table; returned once the batch is out. */
    private final int[] poolHeld;
    private int poolHeldCount;

    private DataplaneConfig cfg;
    private long now;
    private long icmpCredit = ICMP_BURST_NANOS;
    private long icmpLast = System.nanoTime();
    private int ipId = (int) System.nanoTime();

    // --- fragmentation and reassembly ----------------------------------------------------------

    /** Datagrams addressed to us that arrive in fragments (this thread's share of the memory bound). */
    final Reassembly reassembly;
    /** Buffers for reassembled datagrams, 64 KiB each; all free again once the pass has been sent. */
    private static final int ASSEMBLED_BUFFERS = 4;
    private final PacketBatch assembled;
    /** Buffers for the fragments this thread makes; free again once the pass has been sent. */
    private static final int FRAGMENT_BUFFERS = 64;
    private final PacketBatch fragments;
    /** Fragments being handed on: a buffer of {@link #fragments} is in flight outside the batches. */
    private int fragmenting;
    /** Reassembled datagrams being processed: a buffer of {@link #assembled} is in use. */
    private int inAssembled;
    /** Identification of the next IPv6 datagram this thread fragments (RFC 7739: not guessable from the last one seen elsewhere). */
    private int ipv6FragmentId = new java.util.SplittableRandom().nextInt();

    /** A worker's processor with the reassembly memory of a single worker; tests use it. */
    PacketProcessor(Dataplane dataplane, CounterStripe stripe, int batchSize) {
        this(dataplane, stripe, batchSize, Reassembly.workerShare(1));
    }

    /** {@code fragMemory}: bytes for reassembly; 0 for a thread that never delivers locally (the housekeeper). */
    PacketProcessor(Dataplane dataplane, CounterStripe stripe, int batchSize, int fragMemory) {
        this.reassembly = new Reassembly(stripe, fragMemory);
        this.assembled = PacketBatch.owning(fragMemory > 0 ? ASSEMBLED_BUFFERS : 0, Reassembly.DATAGRAM_CAPACITY);
        this.fragments = PacketBatch.owning(fragMemory > 0 ? FRAGMENT_BUFFERS : 8, PacketBuffer.DEFAULT_CAPACITY);
        this.dataplane = dataplane;
        this.fib4 = dataplane.fib4;
        this.fib6 = dataplane.fib6;
        this.neighbours = dataplane.neighbours;
        this.stripe = stripe;
        this.live = PacketBatch.referring(batchSize);
        this.compactScratch = PacketBatch.referring(Math.max(batchSize, PacketBatch.DEFAULT_SIZE));
        for (int i = 0; i < MAX_TX_SLOTS; i++) {
            txSlots[i] = PacketBatch.referring(PacketBatch.DEFAULT_SIZE);
        }
        this.poolHeld = new int[neighbours.poolSize()];
    }

    // --- what stages ask for besides verdicts (mirred mirror, mirred ingress) ---------------------

    /** Copies stages asked for in this pass; their buffers come back at {@link #finish()}. */
    private static final int MAX_COPIES = 64;
    private final PacketBatch copies = PacketBatch.owning(MAX_COPIES, PacketBuffer.DEFAULT_CAPACITY);
    /** Packets to send or receive again once the stage that asked has returned, in order. */
    private static final int MAX_PENDING = MAX_COPIES + PacketBatch.DEFAULT_SIZE;
    private final PacketBuffer[] pendingPacket = new PacketBuffer[MAX_PENDING];
    private final int[] pendingPort = new int[MAX_PENDING];
    private final boolean[] pendingIngress = new boolean[MAX_PENDING];
    private final int[] pendingNest = new int[MAX_PENDING];
    private int pendingCount;
    private boolean pendingRunning;
    /** How many stage-made hops the packet being handled has behind it. */
    private int nest;
    /** One packet through stages outside a batch (xfrm interfaces, receive again). */
    private final PacketBatch one = PacketBatch.referring(1);

    private final StageContext stageContext = new StageContext() {
        @Override
        public boolean mirror(PacketBuffer p, int port, boolean ingress) {
            if (nest >= StageContext.MAX_NEST || copies.isFull() || pendingCount == MAX_PENDING
                    || p.length > PacketBuffer.DEFAULT_CAPACITY) {
                // A reassembled datagram may be bigger than a copy's buffer.
                return false;
            }
            PacketBuffer c = copies.next();
            copies.commit();
            c.copyFrom(p);
            pend(c, port, ingress);
            return true;
        }

        @Override
        public boolean redirectIngress(PacketBuffer p, int port) {
            if (nest >= StageContext.MAX_NEST || pendingCount == MAX_PENDING) {
                return false;
            }
            // Done here, not a drop: it goes on from the other port's receive path.
            p.dropReason = CONSUMED;
            pend(p, port, true);
            return true;
        }
    };

    private void pend(PacketBuffer p, int port, boolean ingress) {
        pendAt(p, port, ingress, nest + 1);
    }

    private void pendAt(PacketBuffer p, int port, boolean ingress, int level) {
        pendingPacket[pendingCount] = p;
        pendingPort[pendingCount] = port;
        pendingIngress[pendingCount] = ingress;
        pendingNest[pendingCount] = level;
        pendingCount++;
    }

    /**
     * Sends or receives what stages asked for. The outermost call drains the list, including what
     * the stages it runs add; each item carries its nesting level, so the chain ends at MAX_NEST.
     */
    private void runPending() {
        if (pendingCount == 0 || pendingRunning) {
            return;
        }
        pendingRunning = true;
        int outerNest = nest;
        try {
            for (int i = 0; i < pendingCount; i++) {
                PacketBuffer p = pendingPacket[i];
                pendingPacket[i] = null;
                nest = pendingNest[i];
                if (pendingIngress[i]) {
                    receiveAgain(p, pendingPort[i]);
                } else {
                    sendFromStage(p, pendingPort[i]);
                }
            }
        } finally {
            pendingCount = 0;
            pendingRunning = false;
            nest = outerNest;
        }
    }

    /** A packet (or copy) a stage handed to {@code port}'s receive path: as if it had arrived there. */
    private void receiveAgain(PacketBuffer p, int port) {
        PortView v = portFor(port);
        p.dropReason = -1;
        p.outPort = -1;
        p.inPort = port;
        if (v == null || !v.up) {
            drop(p, R_LINK_DOWN);
            return;
        }
        int defect = FlowDissector.dissect(p);
        if (defect >= 0) {
            drop(p, defect);
            return;
        }
        stripe.add(port, CounterStripe.RX_PACKETS, 1);
        stripe.add(port, CounterStripe.RX_BYTES, p.length);
        if (!stagesOnOne(cfg.ingress, p, port)) {
            return;
        }
        input(p, v);
    }

    /** A copy a stage sends out of {@code port}: straight to its egress, as a redirect. */
    private void sendFromStage(PacketBuffer p, int port) {
        p.dropReason = -1;
        p.outPort = port;
        int defect = FlowDissector.dissect(p);
        if (defect >= 0) {
            drop(p, defect);
            return;
        }
        redirect(p);
    }

    /**
     * Runs {@code stages} over one packet (a port without a receive batch of its own: an xfrm
     * interface, a packet received again). True when it goes on; false when a stage dropped or
     * took it (counted) or redirected it (sent on from here).
     */
    private boolean stagesOnOne(PacketStage[] stages, PacketBuffer p, int port) {
        if (stages.length == 0) {
            return true;
        }
        int before = p.outPort;
        one.clear();
        one.add(p);
        runStages(stages, one, port);
        one.clear();
        runPending();
        if (p.dropReason >= 0) {
            return false;
        }
        if (p.outPort != before && p.outPort >= 0) {
            // Stage-made hops nest: redirects between xfrm interfaces' hooks cannot chase each other forever.
            if (nest >= StageContext.MAX_NEST) {
                drop(p, R_STAGE_DROP);
                return false;
            }
            nest++;
            try {
                redirect(p);
            } finally {
                nest--;
            }
            return false;
        }
        return true;
    }

    /** The IPsec layer for this pass, or null when there is none or it holds no policy and no SA. */
    private XfrmLayer xfrm;

    /** Start of a pass: the configuration and clock to use. Allocates only when links were added. */
    void begin(DataplaneConfig config, long nanos) {
        now = nanos;
        XfrmLayer x = dataplane.xfrm;
        xfrm = x != null && x.active() ? x : null;
        adopt(config);
    }

    private void adopt(DataplaneConfig config) {
        cfg = config;
        int n = config.ports.length;
        stripe.ensurePorts(n);
        if (slotOfPort.length < n) {
            int[] a = new int[Math.max(n, slotOfPort.length * 2)];
            java.util.Arrays.fill(a, -1);
            for (int s = 0; s < slotsUsed; s++) {
                a[slotPort[s]] = s;
            }
            slotOfPort = a;
        }
    }

    /**
     * A port by ifindex. A next hop can name a port newer than this pass's configuration (the
     * route was added during the pass); then the newest configuration is adopted, which is
     * always safe: nothing it contains has been closed.
     */
    private PortView portFor(int index) {
        PortView v = cfg.port(index);
        if (v == null) {
            DataplaneConfig fresh = dataplane.config;
            if (fresh != cfg) {
                adopt(fresh);
                v = fresh.port(index);
            }
        }
        return v;
    }

    // --- batch entry points ---------------------------------------------------------------------

    /** Processes a batch just received on {@code in}. Never throws. */
    void processRx(PortView in, PacketBatch rx) {
        int n = rx.count();
        try {
            live.clear();
            int port = in.index;
            for (int i = 0; i < n; i++) {
                PacketBuffer p = rx.get(i);
                p.inPort = port;
                p.outPort = -1;
                p.dropReason = -1;
                p.secPath = 0;
                p.rxNanos = now;
                stripe.add(port, CounterStripe.RX_PACKETS, 1);
                stripe.add(port, CounterStripe.RX_BYTES, p.length);
                int defect = FlowDissector.dissect(p);
                if (defect >= 0) {
                    drop(p, defect);
                } else {
                    live.add(p);
                }
            }
            stripe.batches++;
            stripe.packets += n;
            PacketStage[] ingress = cfg.ingress;
            if (ingress.length > 0) {
                runStages(ingress, live, port);
            }
            for (int i = 0; i < live.count(); i++) {
                PacketBuffer p = live.get(i);
                if (p.dropReason < 0) {
                    input(p, in);
                }
            }
            runPending();
            finish();
        } catch (Throwable t) {
            failBatch(rx, n, t);
        }
    }

    /** Housekeeper: solicitations due, packets released by static entries, packets whose neighbour failed. */
    void housekeep(NeighbourTable.TickPlan plan, PacketBatch probeBuffers) {
        try {
            probeBuffers.clear();
            for (int i = 0; i < plan.probes; i++) {
                PortView out = portFor(plan.probePort[i]);
                if (out == null || !out.up) {
                    continue;
                }
                if (probeBuffers.isFull()) {
                    flushSlots();
                    probeBuffers.clear();
                }
                PacketBuffer p = probeBuffers.next();
                probeBuffers.commit();
                buildSolicitation(p, out, plan.probeV6[i], plan.probeHi[i], plan.probeLo[i]);
                enqueueTx(p, out);
            }
            for (int i = 0; i < plan.readyCount; i++) {
                sendQueued(plan.ready[i], plan.readyMac[i]);
            }
            for (int i = 0; i < plan.failedCount; i++) {
                failQueued(plan.failed[i]);
            }
            finish();
        } catch (Throwable t) {
            dataplane.errors.report("neighbour housekeeping failed", t);
            discardPending();
        }
    }

    /** Transmits everything batched and returns pool buffers. */
    private void finish() {
        runPending();
        flushSlots();
        // Every copy has left (or been dropped, or queued as a copy for its neighbour).
        copies.clear();
        fragments.clear();
        assembled.clear();
        neighbours.releasePool(poolHeld, poolHeldCount);
        poolHeldCount = 0;
    }

    private void failBatch(PacketBatch rx, int n, Throwable t) {
        dataplane.errors.report("packet processing failed", t);
        for (int i = 0; i < n; i++) {
            PacketBuffer p = rx.get(i);
            if (p.dropReason < 0) {
                drop(p, R_STAGE_DROP);
            }
        }
        discardPending();
    }

    /** After a failure: drops whatever was batched for transmit, returns pool buffers. Never throws. */
    private void discardPending() {
        for (int s = 0; s < slotsUsed; s++) {
            PacketBatch tb = txSlots[s];
            for (int i = 0; i < tb.count(); i++) {
                PacketBuffer p = tb.get(i);
                if (p.dropReason < 0) {
                    drop(p, R_STAGE_DROP);
                }
            }
            tb.clear();
            if (slotPort[s] < slotOfPort.length) {
                slotOfPort[slotPort[s]] = -1;
            }
        }
        slotsUsed = 0;
        live.clear();
        compactScratch.clear();
        for (int i = 0; i < pendingCount; i++) {
            PacketBuffer p = pendingPacket[i];
            pendingPacket[i] = null;
            if (p != null && p.dropReason < 0) {
                drop(p, R_STAGE_DROP);
            }
        }
        pendingCount = 0;
        pendingRunning = false;
        nest = 0;
        one.clear();
        copies.clear();
        fragments.clear();
        assembled.clear();
        fragmenting = 0;
        inAssembled = 0;
        try {
            neighbours.releasePool(poolHeld, poolHeldCount);
        } finally {
            poolHeldCount = 0;
        }
    }

    // --- counting ------------------------------------------------------------------------------

    private void drop(PacketBuffer p, int reason) {
        stripe.drop(p.inPort, reason);
        p.dropReason = reason;
    }

    /** Drops {@code p} counted under {@code reason}; -1: what it stands for was counted already (a reassembly timeout). */
    private void dropFor(PacketBuffer p, int reason) {
        if (reason >= 0) {
            drop(p, reason);
        } else {
            consume(p);
        }
    }

    private static void consume(PacketBuffer p) {
        p.dropReason = CONSUMED;
    }

    // --- stages --------------------------------------------------------------------------------

    /**
     * Runs stages over a batch holding only live packets, counting what each stage drops and
     * removing it before the next stage. A stage that throws has the batch's live packets dropped
     * as STAGE_DROP.
     */
    private void runStages(PacketStage[] stages, PacketBatch batch, int port) {
        for (PacketStage stage : stages) {
            if (batch.isEmpty()) {
                return;
            }
            try {
                stage.process(batch, port, stageContext);
            } catch (Throwable t) {
                dataplane.errors.report("packet stage " + stage.getClass().getName() + " threw", t);
                for (int i = 0; i < batch.count(); i++) {
                    PacketBuffer p = batch.get(i);
                    countStageVerdict(p);
                    if (p.dropReason < 0) {
                        drop(p, R_STAGE_DROP);
                    }
                }
                batch.clear();
                return;
            }
            compact(batch);
        }
    }

    private void compact(PacketBatch batch) {
        PacketBatch keep = compactScratch;
        keep.clear();
        int n = batch.count();
        for (int i = 0; i < n; i++) {
            PacketBuffer p = batch.get(i);
            if (p.dropReason < 0) {
                keep.add(p);
            } else {
                countStageVerdict(p);
            }
        }
        if (keep.count() != n) {
            batch.clear();
            for (int i = 0; i < keep.count(); i++) {
                batch.add(keep.get(i));
            }
        }
        keep.clear();
    }

    /** Counts a drop decided by a stage; a reason that is not a DropReason counts as STAGE_DROP. */
    private void countStageVerdict(PacketBuffer p) {
        int r = p.dropReason;
        if (r < 0 || r == CONSUMED) {
            // CONSUMED: handed on through the stage context (mirred ingress), not dropped.
            return;
        }
        drop(p, r < REASONS ? r : R_STAGE_DROP);
    }

    // --- transmit batching ---------------------------------------------------------------------

    private void enqueueTx(PacketBuffer p, PortView out) {
        int s = slotOfPort[out.index];
        if (s < 0) {
            if (slotsUsed == MAX_TX_SLOTS) {
                flushSlots();
            }
            s = slotsUsed++;
            slotPort[s] = out.index;
            slotOfPort[out.index] = s;
        }
        PacketBatch tb = txSlots[s];
        if (tb.isFull()) {
            flushSlot(s);
        }
        p.outPort = out.index;
        p.dropReason = -1;
        // The egress stages run when the slot is flushed, outside this nesting: the packet keeps it.
        p.hops = nest;
        tb.add(p);
    }

    private void flushSlots() {
        for (int s = 0; s < slotsUsed; s++) {
            flushSlot(s);
            slotOfPort[slotPort[s]] = -1;
        }
        slotsUsed = 0;
    }

    /** EGRESS stages, then the device. */
    private void flushSlot(int s) {
        PacketBatch tb = txSlots[s];
        // What runPending sends may land in this very slot (a stage mirroring a port's egress to
        // itself): go round again rather than leave it for a later batch with stale contents.
        while (!tb.isEmpty()) {
            sendSlot(s, tb);
        }
    }

    private void sendSlot(int s, PacketBatch tb) {
        int port = slotPort[s];
        PacketStage[] egress = cfg.egress;
        if (egress.length > 0) {
            // What the stages ask for (mirror copies) nests below the deepest packet of the slot.
            int outerNest = nest;
            int deepest = 0;
            for (int i = 0; i < tb.count(); i++) {
                deepest = Math.max(deepest, tb.get(i).hops);
            }
            nest = deepest;
            try {
                runStages(egress, tb, port);
            } finally {
                nest = outerNest;
            }
        }
        PortView slotView = portFor(port);
        for (int i = 0; i < tb.count(); i++) {
            PacketBuffer p = tb.get(i);
            if (p.dropReason >= 0) {
                continue;
            }
            if (p.outPort != port && p.outPort >= 0) {
                redirectFromEgress(p);
                continue;
            }
            PortView out = slotView;
            if (out == null || !out.up || out.loopback) {
                drop(p, R_LINK_DOWN);
                continue;
            }
            if (out.device.transmit(p)) {
                stripe.add(out.index, CounterStripe.TX_PACKETS, 1);
                stripe.add(out.index, CounterStripe.TX_BYTES, p.length);
            } else {
                stripe.add(out.index, CounterStripe.TX_DROPPED, 1);
                if (p.inPort >= 0) {
                    stripe.drop(p.inPort, R_TX_ERROR);
                }
            }
            p.dropReason = CONSUMED;
        }
        tb.clear();
        runPending();
    }

    /**
     * An EGRESS stage (tc mirred egress redirect) chose another port: the packet leaves through
     * that port's own egress, its egress stages included, and an xfrm interface encrypts it, as
     * Linux's dev_queue_xmit to the target does. One hop deeper; past the nest limit it is dropped
     * and counted, so egress redirects that point at each other end.
     */
    private void redirectFromEgress(PacketBuffer p) {
        int level = p.hops + 1;
        if (level > StageContext.MAX_NEST) {
            drop(p, R_TC_REDIRECT_LOOP);
            return;
        }
        if (pendingCount == MAX_PENDING) {
            drop(p, R_TX_QUEUE_FULL);
            return;
        }
        int target = p.outPort;
        p.dropReason = CONSUMED;
        pendAt(p, target, false, level);
    }

    // --- input ---------------------------------------------------------------------------------

    private void input(PacketBuffer p, PortView in) {
        if (p.outPort >= 0) {
            redirect(p);
            return;
        }
        FlowKey k = p.key;
        // No VLAN sub-interfaces exist: tagged frames are only forwarded when a stage redirects them.
        if (k.vlanId >= 0) {
            drop(p, R_UNSUPPORTED_ETHERTYPE);
            return;
        }
        long dmac = k.ethDst;
        if (dmac != in.mac && (dmac & Addresses.MAC_MULTICAST_BIT) == 0) {
            drop(p, R_NOT_FOR_US);
            return;
        }
        switch (k.ethType) {
            case FlowKey.ETH_P_ARP -> arpInput(p, in);
            case FlowKey.ETH_P_IPV4 -> ipv4Input(p, in);
            case FlowKey.ETH_P_IPV6 -> ipv6Input(p, in);
            default -> drop(p, R_UNSUPPORTED_ETHERTYPE);
        }
    }

    /** An INGRESS stage chose the out port: straight to its egress, no routing, no MAC rewrite. */
    private void redirect(PacketBuffer p) {
        PortView out = portFor(p.outPort);
        if (out == null || !out.up) {
            drop(p, R_LINK_DOWN);
            return;
        }
        if (out.loopback) {
            deliverToLoopback(p);
            return;
        }
        if (out.xfrmIfId != 0) {
            redirectIntoXfrm(p, out);
            return;
        }
        enqueueTx(p, out);
    }

    /**
     * A stage (tc mirred) redirected the frame into an xfrm interface: what Linux's xfrmi_xmit
     * does. The IP packet is looked up against the output policies with the interface's if_id and
     * protected, and the outer packet routed; without a policy it is dropped (Linux counts it as a
     * transmit error of the interface). Not forwarding: the TTL stays as it is; a packet too big
     * for the tunnel still gets its ICMP error, as from xfrmi.
     */
    private void redirectIntoXfrm(PacketBuffer p, PortView out) {
        if (!xfrmInterfaceEgress(p, out)) {
            return;
        }
        FlowKey k = p.key;
        if (k.vlanId >= 0 || (k.ipVersion != 4 && k.ipVersion != 6)) {
            drop(p, R_UNSUPPORTED_ETHERTYPE);
            return;
        }
        int size;
        if (k.ipVersion == 4) {
            trimV4(p);
            size = Ipv4.totalLength(p.data, k.l3Offset);
        } else {
            trimV6(p);
            size = IPV6_HDR + Ipv6.payloadLength(p.data, k.l3Offset);
        }
        int sa = xfrmOutputLookup(p, out);
        if (sa == XfrmLayer.DROPPED) {
            return;
        }
        if (sa < 0) {
            drop(p, R_XFRM_NO_POLICY);
            return;
        }
        protectAndRoute(p, out, sa, size, false, false);
    }

    /** A packet redirected to {@code lo}: delivered locally if it is addressed to us. */
    private void deliverToLoopback(PacketBuffer p) {
        FlowKey k = p.key;
        if (k.vlanId >= 0) {
            drop(p, R_UNSUPPORTED_ETHERTYPE);
        } else if (k.ipVersion == 4) {
            trimV4(p);
            if (isLocalV4(k.ipv4Dst)) {
                local4(p);
            } else {
                drop(p, R_NOT_FOR_US);
            }
        } else if (k.ipVersion == 6) {
            trimV6(p);
            int nh = fib6.lookup(k.ipv6DstHi, k.ipv6DstLo);
            Nexthops t = dataplane.nexthops;
            if (nh >= 0 && nh < t.size() && t.type[nh] == Nexthops.LOCAL) {
                local6(p);
            } else {
                drop(p, R_NOT_FOR_US);
            }
        } else {
            drop(p, R_UNSUPPORTED_ETHERTYPE);
        }
    }

    private boolean isLocalV4(int address) {
        int nh = fib4.lookup(address);
        Nexthops t = dataplane.nexthops;
        return nh >= 0 && nh < t.size() && t.type[nh] == Nexthops.LOCAL;
    }

    /** Frames may carry Ethernet padding: from here on the IP length is what counts. */
    private static void trimV4(PacketBuffer p) {
        int l3 = p.key.l3Offset;
        p.length = (l3 - p.offset) + Ipv4.totalLength(p.data, l3);
    }

    private static void trimV6(PacketBuffer p) {
        int l3 = p.key.l3Offset;
        p.length = (l3 - p.offset) + IPV6_HDR + Ipv6.payloadLength(p.data, l3);
    }

    // --- ARP -----------------------------------------------------------------------------------

    private void arpInput(PacketBuffer p, PortView in) {
        byte[] b = p.data;
        int a = p.key.l3Offset;
        int op = Arp.op(b, a);
        long sha = Arp.senderMac(b, a);
        int spa = Arp.senderIp(b, a);
        int tpa = Arp.targetIp(b, a);
        if (sha == 0 || (sha & Addresses.MAC_MULTICAST_BIT) != 0) {
            drop(p, R_BAD_ARP);
            return;
        }
        if (sha == in.mac) {
            // Our own frame looped back by the segment.
            consume(p);
            return;
        }
        boolean senderUsable = !Addresses.isV4Special(spa);
        // Like Linux with arp_ignore=0: answer for any local address, whichever port asks.
        boolean forUs = !Addresses.isV4Loopback(tpa) && tpa != 0 && isLocalV4(tpa);
        if (op == Arp.OP_REQUEST) {
            if (senderUsable) {
                learnAndSend(in, false, 0, spa & 0xFFFF_FFFFL, sha,
                        forUs ? NeighbourTable.LEARN_CREATE : NeighbourTable.LEARN_UPDATE);
            }
            if (forUs && spa != tpa) {
                // spa 0 is an RFC 5227 probe for our address: the reply defends it.
                Arp.write(b, a, Arp.OP_REPLY, in.mac, tpa, sha, spa);
                Ethernet.write(b, p.offset, sha, in.mac, FlowKey.ETH_P_ARP);
                p.length = ETH + Arp.LEN;
                p.inPort = in.index;
                enqueueTx(p, in);
            } else {
                consume(p);
            }
        } else if (op == Arp.OP_REPLY) {
            if (senderUsable) {
                learnAndSend(in, false, 0, spa & 0xFFFF_FFFFL, sha, NeighbourTable.LEARN_SOLICITED);
            }
            consume(p);
        } else {
            drop(p, R_BAD_ARP);
        }
    }

    private void learnAndSend(PortView in, boolean v6, long hi, long lo, long mac, int mode) {
        int n = neighbours.learn(in.index, v6, hi, lo, mac, mode, now, released);
        for (int i = 0; i < n; i++) {
            sendQueued(released[i], mac);
        }
    }

    /** Sends a packet that waited in the pool for its neighbour, now known to be at {@code mac}. */
    private void sendQueued(int poolIndex, long mac) {
        PacketBuffer q = neighbours.poolBuffer(poolIndex);
        poolHeld[poolHeldCount++] = poolIndex;
        // The copy kept the frame but not the key; egress stages match on it.
        int defect = FlowDissector.dissect(q);
        if (defect >= 0) {
            drop(q, defect);
            return;
        }
        q.dropReason = -1;
        PortView out = portFor(q.outPort);
        if (out == null || !out.up || out.loopback) {
            drop(q, R_LINK_DOWN);
            return;
        }
        Ethernet.setDst(q.data, q.offset, mac);
        Ethernet.setSrc(q.data, q.offset, out.mac);
        enqueueTx(q, out);
    }

    /** A packet whose neighbour never answered: host unreachable to its sender (RFC 1812 / 4443). */
    private void failQueued(int poolIndex) {
        PacketBuffer q = neighbours.poolBuffer(poolIndex);
        poolHeld[poolHeldCount++] = poolIndex;
        int defect = FlowDissector.dissect(q);
        q.dropReason = -1;
        if (defect >= 0) {
            drop(q, defect);
        } else if (q.key.ipVersion == 4) {
            icmp4Error(q, Icmp.TYPE_DEST_UNREACH, Icmp.HOST_UNREACH, 0, R_NEIGHBOUR_UNRESOLVED, false);
        } else if (q.key.ipVersion == 6) {
            icmp6Error(q, Icmpv6.TYPE_DEST_UNREACH, Icmpv6.ADDRESS_UNREACH, 0, R_NEIGHBOUR_UNRESOLVED, false);
        } else {
            drop(q, R_NEIGHBOUR_UNRESOLVED);
        }
    }

    // --- IPv4 ----------------------------------------------------------------------------------

    private void ipv4Input(PacketBuffer p, PortView in) {
        FlowKey k = p.key;
        int src = k.ipv4Src;
        int dst = k.ipv4Dst;
        if (src == 0 || Addresses.isV4Loopback(src) || Addresses.isV4Loopback(dst) || dst == 0) {
            drop(p, R_MARTIAN);
            return;
        }
        // No multicast routing; directed and limited broadcasts are not forwarded (Linux's default).
        if (dst == -1 || Addresses.isV4Multicast(dst) || in.isV4Broadcast(dst)) {
            drop(p, R_NOT_FOR_US);
            return;
        }
        trimV4(p);
        route4(p, false);
    }

    /**
     * Routes an IPv4 packet. {@code generated}: built by this appliance (echo reply, ICMP
     * error), so no TTL handling and never an ICMP error about it.
     */
    private void route4(PacketBuffer p, boolean generated) {
        int nh = fib4.lookup(p.key.ipv4Dst);
        Nexthops t = dataplane.nexthops;
        if (nh < 0 || nh >= t.size()) {
            if (generated) {
                drop(p, R_NO_ROUTE);
            } else {
                icmp4Error(p, Icmp.TYPE_DEST_UNREACH, Icmp.NET_UNREACH, 0, R_NO_ROUTE, false);
            }
            return;
        }
        switch (t.type[nh]) {
            case Nexthops.LOCAL -> {
                if (generated) {
                    drop(p, R_MARTIAN);
                } else {
                    local4(p);
                }
            }
            case Nexthops.BLACKHOLE -> drop(p, R_BLACKHOLE);
            case Nexthops.UNREACHABLE -> refuse4(p, Icmp.HOST_UNREACH, generated);
            case Nexthops.PROHIBIT -> refuse4(p, Icmp.ADMIN_PROHIBITED, generated);
            default -> forward4(p, t, nh, generated);
        }
    }

    private void refuse4(PacketBuffer p, int code, boolean generated) {
        if (generated) {
            drop(p, R_NO_ROUTE);
        } else {
            icmp4Error(p, Icmp.TYPE_DEST_UNREACH, code, 0, R_NO_ROUTE, false);
        }
    }

    private void forward4(PacketBuffer p, Nexthops t, int nh, boolean generated) {
        PortView out = portFor(t.port[nh]);
        if (out == null) {
            drop(p, R_LINK_DOWN);
            return;
        }
        if (out.loopback) {
            if (generated) {
                drop(p, R_MARTIAN);
            } else {
                local4(p);
            }
            return;
        }
        if (!out.up) {
            drop(p, R_LINK_DOWN);
            return;
        }
        FlowKey k = p.key;
        byte[] b = p.data;
        int l3 = k.l3Offset;
        int dst = k.ipv4Dst;
        boolean viaGateway = t.hasGateway[nh];
        if (!viaGateway && out.isV4Broadcast(dst)) {
            drop(p, R_NOT_FOR_US);
            return;
        }
        int total = Ipv4.totalLength(b, l3);
        if (!generated) {
            // Only frames sent to our MAC are forwarded (Linux drops PACKET_BROADCAST/MULTICAST in ip_forward).
            if ((k.ethDst & Addresses.MAC_MULTICAST_BIT) != 0) {
                drop(p, R_NOT_FOR_US);
                return;
            }
            if (xfrm != null && !xfrmInboundAllowed(p, true)) {
                return;
            }
            if (Ipv4.ttl(b, l3) <= 1) {
                icmp4Error(p, Icmp.TYPE_TIME_EXCEEDED, Icmp.TTL_EXCEEDED_IN_TRANSIT, 0, R_TTL_EXCEEDED, false);
                return;
            }
        }
        if ((xfrm != null || out.xfrmIfId != 0) && xfrmOutput(p, out, total, generated)) {
            return;
        }
        boolean tooBig = total > out.mtu;
        if (tooBig && !out.fragments) {
            drop(p, R_MTU_EXCEEDED);
            return;
        }
        if (!generated) {
            if (tooBig && Ipv4.dontFragment(b, l3)) {
                // DF set gets "fragmentation needed" with the next-hop MTU (RFC 1191).
                icmp4Error(p, Icmp.TYPE_DEST_UNREACH, Icmp.FRAG_NEEDED, out.mtu, R_MTU_EXCEEDED, false);
                return;
            }
            Ipv4.decrementTtl(b, l3);
        } else if (tooBig && Ipv4.dontFragment(b, l3)) {
            drop(p, R_MTU_EXCEEDED);
            return;
        }
        long nextHop = (viaGateway ? (int) t.gatewayLo[nh] : dst) & 0xFFFF_FFFFL;
        if (tooBig) {
            fragment4(p, out, nextHop, generated);
            return;
        }
        neighbourOutput(p, out, false, 0, nextHop, generated);
    }

    /**
     * IPv4 fragmentation (RFC 791, Linux's ip_fragment) of a packet bigger than {@code out}'s MTU
     * with DF clear, its TTL already handled. Every fragment carries a copy of the header: the
     * first with all the options, the others only those with the copied flag (the rest become
     * no-ops, as Linux does, so the header keeps its length); a payload that is a multiple of 8
     * bytes except in the last; MF and the offset (a fragment fragmented again keeps its offset,
     * and its MF in the last piece); its own checksum. Each goes to the next hop on its own; the
     * packet's buffer is done with.
     */
    private void fragment4(PacketBuffer p, PortView out, long nextHop, boolean generated) {
        byte[] b = p.data;
        int l3 = p.key.l3Offset;
        int ihl = Ipv4.headerLength(b, l3);
        int dataLen = Ipv4.totalLength(b, l3) - ihl;
        int ff = Ipv4.flagsFragment(b, l3);
        int base = (ff & Ipv4.FRAGMENT_OFFSET_MASK) << 3;
        int keep = ff & ~(Ipv4.FLAG_MF | Ipv4.FRAGMENT_OFFSET_MASK);
        boolean moreAfter = (ff & Ipv4.FLAG_MF) != 0;
        int piece = (out.mtu - ihl) & ~7;
        if (piece < 8) {
            drop(p, R_MTU_EXCEEDED);
            return;
        }
        int l2 = l3 - p.offset;
        for (int pos = 0; pos < dataLen; pos += piece) {
            int len = Math.min(piece, dataLen - pos);
            PacketBuffer f = spare(fragments, false);
            if (f == null) {
                drop(p, R_TX_QUEUE_FULL);
                return;
            }
            if (pos == piece) {
                Ipv4.clearUncopiedOptions(b, l3);
            }
            byte[] fb = f.data;
            int fl3 = f.offset + l2;
            System.arraycopy(b, p.offset, fb, f.offset, l2 + ihl);
            System.arraycopy(b, l3 + ihl + pos, fb, fl3 + ihl, len);
            boolean more = pos + len < dataLen || moreAfter;
            Bytes.put16(fb, fl3 + 2, ihl + len);
            Bytes.put16(fb, fl3 + 6, keep | (more ? Ipv4.FLAG_MF : 0) | ((base + pos) >>> 3));
            Ipv4.setChecksum(fb, fl3);
            f.length = l2 + ihl + len;
            sendFragment(p, f, out, false, 0, nextHop, generated);
        }
        consume(p);
    }

    /** A fragment made from {@code p}: its metadata, a fresh key, and on to the next hop. */
    private void sendFragment(PacketBuffer p, PacketBuffer f, PortView out, boolean v6, long hi, long lo, boolean generated) {
        f.inPort = p.inPort;
        f.mark = p.mark;
        f.priority = p.priority;
        f.secPath = p.secPath;
        f.rxNanos = p.rxNanos;
        if (!regenerate(f)) {
            return;
        }
        fragmenting++;
        try {
            neighbourOutput(f, out, v6, hi, lo, generated);
        } finally {
            fragmenting--;
        }
    }

    /**
     * IPv6 fragmentation at the source (RFC 8200 section 4.5), for packets this appliance sends
     * itself: routers do not fragment IPv6. The unfragmentable part (hop-by-hop options, a
     * routing header and the destination options before it) leads every fragment, then a
     * fragment header with this datagram's identification.
     */
    private void fragment6(PacketBuffer p, PortView out, long hi, long lo) {
        if (!out.fragments) {
            drop(p, R_MTU_EXCEEDED);
            return;
        }
        byte[] b = p.data;
        int l3 = p.key.l3Offset;
        int end = l3 + IPV6_HDR + Ipv6.payloadLength(b, l3);
        int unfragEnd = l3 + IPV6_HDR;
        int nextField = l3 + 6;
        int pos = unfragEnd;
        int field = nextField;
        int nh = Bytes.u8(b, field);
        for (int i = 0; i < FlowDissector.MAX_IPV6_EXTENSION_HEADERS
                && (nh == Ipv6.HOPOPTS || nh == Ipv6.ROUTING || nh == Ipv6.DSTOPTS) && end - pos >= 8; i++) {
            int hlen = Ipv6.extensionHeaderLength(b, pos, nh);
            if (hlen > end - pos) {
                break;
            }
            field = pos;
            pos += hlen;
            if (nh != Ipv6.DSTOPTS) {
                unfragEnd = pos;
                nextField = field;
            }
            nh = Bytes.u8(b, field);
        }
        int unfrag = unfragEnd - l3;
        int nextHeader = Bytes.u8(b, nextField);
        int dataLen = end - unfragEnd;
        int piece = (out.mtu - unfrag - Ipv6.FRAGMENT_HEADER_LEN) & ~7;
        if (piece < 8) {
            drop(p, R_MTU_EXCEEDED);
            return;
        }
        int id = ++ipv6FragmentId;
        int l2 = l3 - p.offset;
        for (int at = 0; at < dataLen; at += piece) {
            int len = Math.min(piece, dataLen - at);
            PacketBuffer f = spare(fragments, false);
            if (f == null) {
                drop(p, R_TX_QUEUE_FULL);
                return;
            }
            byte[] fb = f.data;
            int fl3 = f.offset + l2;
            int fh = fl3 + unfrag;
            System.arraycopy(b, p.offset, fb, f.offset, l2 + unfrag);
            Bytes.put8(fb, f.offset + (nextField - p.offset), Ipv6.FRAGMENT);
            Ipv6.writeFragmentHeader(fb, fh, nextHeader, at, at + len < dataLen, id);
            System.arraycopy(b, unfragEnd + at, fb, fh + Ipv6.FRAGMENT_HEADER_LEN, len);
            Ipv6.setPayloadLength(fb, fl3, unfrag - IPV6_HDR + Ipv6.FRAGMENT_HEADER_LEN + len);
            f.length = l2 + unfrag + Ipv6.FRAGMENT_HEADER_LEN + len;
            sendFragment(p, f, out, true, hi, lo, true);
        }
        consume(p);
    }

    /**
     * A buffer of {@code pool} (fragments, or reassembled datagrams when {@code datagram}) for a
     * packet this thread makes. The pools refill when the pass has been sent; when one runs dry
     * mid-pass, what is batched is sent first so its buffers come back, unless a buffer of it may
     * still be in use further up (a fragment being handed on, a datagram being processed, a
     * stage's request under way): then there is none (null).
     */
    private PacketBuffer spare(PacketBatch pool, boolean datagram) {
        if (pool.isFull()) {
            if (pool.capacity() == 0 || fragmenting > 0 || pendingRunning || (datagram && inAssembled > 0)) {
                return null;
            }
            fragmenting++;
            try {
                flushSlots();
                runPending();
                flushSlots();
            } finally {
                fragmenting--;
            }
            if (pendingCount != 0 || slotsUsed != 0) {
                return null;
            }
            pool.clear();
        }
        PacketBuffer f = pool.next();
        pool.commit();
        return f;
    }

    /**
     * A fragment addressed to us (Linux's ip_local_deliver / ipv6_frag_rcv): its bytes go into
     * this thread's reassembly; when they complete a datagram, that is built in a buffer of its
     * own and delivered as if it had arrived whole.
     */
    private void reassemble(PacketBuffer p) {
        int r = reassembly.add(p, now);
        if (r == Reassembly.HELD) {
            consume(p);
            return;
        }
        if (r != Reassembly.COMPLETE) {
            drop(p, r);
            return;
        }
        consume(p);
        int q = reassembly.completed();
        PacketBuffer d = spare(assembled, true);
        if (d == null) {
            reassembly.kill(q, R_FRAG_MEM);
            return;
        }
        if (reassembly.assemble(q, d) >= 0) {
            return;
        }
        d.rxNanos = p.rxNanos;
        if (!regenerate(d)) {
            return;
        }
        inAssembled++;
        try {
            if (d.key.ipVersion == 4) {
                local4(d);
            } else {
                local6(d);
            }
        } finally {
            inAssembled--;
        }
    }

    /**
     * Discards the datagrams whose reassembly time (30 s) is up, each fragment they held counted
     * as {@code frag_timeout}; one whose first fragment came gets its sender an ICMP "fragment
     * reassembly time exceeded" quoting it, as Linux's ip_expire and ip6_frag_expire do. Called
     * by the worker once per pass: one comparison when nothing is due. Never throws.
     */
    void expireFragments() {
        if (reassembly.expired(now) < 0) {
            return;
        }
        try {
            for (int q = reassembly.expired(now); q >= 0; q = reassembly.expired(now)) {
                PacketBuffer e = reassembly.hasFirst(q) ? spare(fragments, false) : null;
                boolean quote = e != null && reassembly.firstFragment(q, e);
                reassembly.kill(q, R_FRAG_TIMEOUT);
                if (quote && FlowDissector.dissect(e) < 0) {
                    e.dropReason = -1;
                    e.outPort = -1;
                    if (e.key.ipVersion == 4) {
                        icmp4Error(e, Icmp.TYPE_TIME_EXCEEDED, Icmp.FRAGMENT_REASSEMBLY_TIME_EXCEEDED, 0, -1, true);
                    } else {
                        icmp6Error(e, Icmpv6.TYPE_TIME_EXCEEDED, Icmpv6.FRAGMENT_REASSEMBLY_TIME_EXCEEDED, 0, -1, true);
                    }
                }
            }
            finish();
        } catch (Throwable t) {
            dataplane.errors.report("fragment expiry failed", t);
            discardPending();
        }
    }

    private void local4(PacketBuffer p) {
        FlowKey k = p.key;
        if (k.fragment) {
            reassemble(p);
            return;
        }
        if (xfrm != null && xfrmLocal(p)) {
            return;
        }
        if (!FlowDissector.l4ChecksumValid(p)) {
            drop(p, R_BAD_L4_CHECKSUM);
            return;
        }
        switch (k.ipProto) {
            case Ipv4.PROTO_ICMP -> {
                if (k.icmpType == Icmp.TYPE_ECHO_REQUEST && k.icmpCode == 0) {
                    echoReply4(p);
                } else {
                    drop(p, R_UNSUPPORTED_PROTOCOL);
                }
            }
            // No sockets: every UDP port is closed (RFC 1122 3.2.2.1). TCP gets nothing.
            case Udp.PROTO -> icmp4Error(p, Icmp.TYPE_DEST_UNREACH, Icmp.PORT_UNREACH, 0, R_UNSUPPORTED_PROTOCOL, true);
            default -> drop(p, R_UNSUPPORTED_PROTOCOL);
        }
    }

    /** Turns an echo request into the reply in place (options removed) and routes it. */
    private void echoReply4(PacketBuffer p) {
        FlowKey k = p.key;
        byte[] b = p.data;
        int l3 = k.l3Offset;
        int ihl = Ipv4.headerLength(b, l3);
        int icmpLen = Ipv4.totalLength(b, l3) - ihl;
        int icmp = l3 + ihl;
        if (ihl != IPV4_HDR) {
            System.arraycopy(b, icmp, b, l3 + IPV4_HDR, icmpLen);
            icmp = l3 + IPV4_HDR;
        }
        int oldWord = Bytes.u16(b, icmp);
        Icmp.setType(b, icmp, Icmp.TYPE_ECHO_REPLY);
        int newWord = Bytes.u16(b, icmp);
        Bytes.put16(b, icmp + 2, Checksum.update16(Icmp.checksum(b, icmp), oldWord, newWord));
        Ipv4.writeHeader(b, l3, k.tos, IPV4_HDR + icmpLen, nextIpId(), TTL_DEFAULT, Ipv4.PROTO_ICMP,
                k.ipv4Dst, k.ipv4Src);
        p.length = (l3 - p.offset) + IPV4_HDR + icmpLen;
        if (regenerate(p)) {
            route4(p, true);
        }
    }

    /**
     * Drops the packet under {@code reason} and, where RFC 1812 allows, turns its buffer into an
     * ICMP error to its sender quoting its IP header and 8 bytes. Source: the original
     * destination ({@code fromDestination}, for errors about packets addressed to us) or an
     * address of the receiving port.
     */
    private void icmp4Error(PacketBuffer p, int type, int code, int mtu, int reason, boolean fromDestination) {
        dropFor(p, reason);
        FlowKey k = p.key;
        if (!mayAnswerV4(k)) {
            return;
        }
        PortView in = cfg.port(p.inPort);
        int src = fromDestination ? k.ipv4Dst : v4ErrorSource(in, k.ipv4Src);
        if (src == 0) {
            return;
        }
        if (!takeIcmpToken()) {
            stripe.add(p.inPort, CounterStripe.ICMP_ERRORS_RATE_LIMITED, 1);
            return;
        }
        byte[] b = p.data;
        int l3 = k.l3Offset;
        int dst = k.ipv4Src;
        int ip = p.offset + ETH;
        int icmp = ip + IPV4_HDR;
        int quote = Math.min(Ipv4.totalLength(b, l3), Ipv4.headerLength(b, l3) + 8);
        quote = Math.min(quote, b.length - icmp - ICMP_HDR);
        System.arraycopy(b, l3, scratch, 0, quote);
        boolean fragNeeded = type == Icmp.TYPE_DEST_UNREACH && code == Icmp.FRAG_NEEDED;
        Icmp.write(b, icmp, type, code, fragNeeded ? mtu & 0xFFFF : 0);
        System.arraycopy(scratch, 0, b, icmp + ICMP_HDR, quote);
        Icmp.setChecksum(b, icmp, ICMP_HDR + quote);
        Ipv4.writeHeader(b, ip, TOS_INTERNETWORK_CONTROL, IPV4_HDR + ICMP_HDR + quote, nextIpId(), TTL_DEFAULT,
                Ipv4.PROTO_ICMP, src, dst);
        Ethernet.setType(b, p.offset, FlowKey.ETH_P_IPV4);
        p.length = ETH + IPV4_HDR + ICMP_HDR + quote;
        stripe.add(p.inPort, CounterStripe.ICMP_ERRORS_SENT, 1);
        if (regenerate(p)) {
            route4(p, true);
        }
    }

    /** RFC 1812 section 4.3.2.7: never about ICMP errors, non-first fragments, broadcasts or odd sources. */
    private static boolean mayAnswerV4(FlowKey k) {
        if (k.fragment && !k.firstFragment) {
            return false;
        }
        if ((k.ethDst & Addresses.MAC_MULTICAST_BIT) != 0) {
            return false;
        }
        int dst = k.ipv4Dst;
        if (dst == -1 || Addresses.isV4Multicast(dst) || Addresses.isV4Special(k.ipv4Src)) {
            return false;
        }
        if (k.ipProto == Ipv4.PROTO_ICMP) {
            int t = k.icmpType;
            return t == Icmp.TYPE_ECHO_REQUEST || t == Icmp.TYPE_ECHO_REPLY || (t >= 13 && t <= 18);
        }
        return true;
    }

    private int v4ErrorSource(PortView in, int peer) {
        if (in != null && in.v4Address.length > 0) {
            return in.v4SourceFor(peer);
        }
        for (PortView v : cfg.ports) {
            if (v != null && !v.loopback && v.v4Address.length > 0) {
                return v.v4Address[0];
            }
        }
        return 0;
    }

    // --- IPsec (xfrm) --------------------------------------------------------------------------

    /**
     * ESP, or UDP that may be ESP in UDP, addressed to us: true when IPsec took the packet
     * (decrypted and sent through input again, dropped, or consumed).
     */
    private boolean xfrmInput(PacketBuffer p) {
        if (p.secPath > 0) {
            // One layer of ESP per packet: nested ESP is not supported, and this bounds the work.
            return false;
        }
        int r = xfrm.input(p);
        if (r == XfrmLayer.PASS) {
            return false;
        }
        if (r == XfrmLayer.CONSUMED) {
            consume(p);
            return true;
        }
        if (r == XfrmLayer.DROPPED) {
            drop(p, p.dropReason);
            return true;
        }
        int defect = FlowDissector.dissect(p);
        if (defect >= 0) {
            drop(p, defect);
            return true;
        }
        if (r != 0) {
            // Decrypted on an SA with an if_id: the packet arrives on that xfrm interface, as in Linux.
            PortView via = xfrmInterface(r);
            if (via != null) {
                p.inPort = via.index;
                stripe.add(via.index, CounterStripe.RX_PACKETS, 1);
                stripe.add(via.index, CounterStripe.RX_BYTES, p.length - ETH);
                // The xfrm interface's ingress hook sees the decrypted packet, as tc on Linux's xfrmi does.
                if (!stagesOnOne(cfg.ingress, p, via.index)) {
                    return true;
                }
            }
        }
        PortView in = cfg.port(p.inPort);
        if (p.key.ipVersion == 4 && in != null) {
            ipv4Input(p, in);
        } else if (p.key.ipVersion == 6 && in != null) {
            ipv6Input(p, in);
        } else {
            drop(p, R_UNSUPPORTED_ETHERTYPE);
        }
        return true;
    }

    private PortView xfrmInterface(int ifId) {
        for (PortView v : cfg.ports) {
            if (v != null && v.xfrmIfId == ifId) {
                return v;
            }
        }
        return null;
    }

    /**
     * A packet addressed to the appliance: ESP (or ESP in UDP) goes to IPsec input; anything else
     * must pass the in policies. True when IPsec took the packet (decrypted and re-input, dropped,
     * or consumed).
     */
    private boolean xfrmLocal(PacketBuffer p) {
        int proto = p.key.ipProto;
        if ((proto == Ipv4.PROTO_ESP || proto == Udp.PROTO) && xfrmInput(p)) {
            return true;
        }
        return !xfrmInboundAllowed(p, false);
    }

    /** The in (local) or fwd policy check; a refused packet is dropped and counted here. */
    private boolean xfrmInboundAllowed(PacketBuffer p, boolean forward) {
        if (xfrm.inboundAllowed(p, forward)) {
            return true;
        }
        drop(p, p.dropReason);
        return false;
    }

    /**
     * Output policies for a routed packet: true when IPsec took it (protected and the outer packet
     * routed, or dropped); false when it goes on in clear.
     */
    private boolean xfrmOutput(PacketBuffer p, PortView out, int size, boolean generated) {
        if (out.xfrmIfId != 0 && !xfrmInterfaceEgress(p, out)) {
            return true;
        }
        int sa = xfrmOutputLookup(p, out);
        if (sa == XfrmLayer.DROPPED) {
            return true;
        }
        if (sa >= 0) {
            protectAndRoute(p, out, sa, size, generated, !generated);
            return true;
        }
        return false;
    }

    /**
     * The egress hook of an xfrm interface, before its policies and ESP (Linux runs tc egress in
     * dev_queue_xmit, before xfrmi_xmit). True when the packet goes on into the tunnel.
     */
    private boolean xfrmInterfaceEgress(PacketBuffer p, PortView out) {
        p.outPort = out.index;
        return stagesOnOne(cfg.egress, p, out.index);
    }

    /** The output policy lookup: an SA handle, PASS, or DROPPED (counted here). */
    private int xfrmOutputLookup(PacketBuffer p, PortView out) {
        if (xfrm == null) {
            // Routed into an xfrm interface while IPsec has no policy at all.
            drop(p, R_XFRM_NO_POLICY);
            return XfrmLayer.DROPPED;
        }
        int sa = xfrm.outputLookup(p, out.xfrmIfId);
        if (sa == XfrmLayer.DROPPED) {
            drop(p, p.dropReason);
        }
        return sa;
    }

    /**
     * Protects a routed packet and routes the outer one. The MTU that counts is the route's minus
     * what ESP adds (Linux's xfrm bundle MTU), so the sender learns a size that fits once encrypted.
     * {@code generated}: built here, so an oversized one is dropped rather than answered with ICMP;
     * {@code forwarded}: routed through this appliance, so its TTL or hop limit goes down by one.
     */
    private void protectAndRoute(PacketBuffer p, PortView out, int sa, int size, boolean generated, boolean forwarded) {
        boolean v6 = p.key.ipVersion == 6;
        byte[] b = p.data;
        int l3 = p.key.l3Offset;
        int room = out.mtu - xfrm.overhead(sa);
        // IPv4 with DF clear is encrypted anyway: the outer header copies DF (clear) and the outer
        // packet is fragmented on its way out, as Linux's xfrm4 tunnel does; unless the link
        // cannot send fragments (a host UDP socket): then it is dropped, as before there was a choice.
        if (size > room && !v6 && !Ipv4.dontFragment(b, l3) && !out.fragments) {
            drop(p, R_XFRM_MTU);
            return;
        }
        if (size > room && (v6 || Ipv4.dontFragment(b, l3))) {
            if (generated) {
                drop(p, R_XFRM_MTU);
            } else if (v6) {
                icmp6Error(p, Icmpv6.TYPE_PACKET_TOO_BIG, 0, Math.max(IPV6_MIN_MTU, room), R_XFRM_MTU, false);
            } else {
                icmp4Error(p, Icmp.TYPE_DEST_UNREACH, Icmp.FRAG_NEEDED, Math.max(0, room), R_XFRM_MTU, false);
            }
            return;
        }
        if (forwarded) {
            if (v6) {
                Ipv6.decrementHopLimit(b, l3);
            } else {
                Ipv4.decrementTtl(b, l3);
            }
        }
        if (xfrm.encapsulate(p, sa) < 0) {
            drop(p, p.dropReason);
            return;
        }
        if (out.xfrmIfId != 0) {
            stripe.add(out.index, CounterStripe.TX_PACKETS, 1);
            stripe.add(out.index, CounterStripe.TX_BYTES, size);
        }
        if (!regenerate(p)) {
            return;
        }
        if (p.key.ipVersion == 4) {
            route4(p, true);
        } else {
            route6(p, true);
        }
    }

    // --- IPv6 ----------------------------------------------------------------------------------

    private void ipv6Input(PacketBuffer p, PortView in) {
        FlowKey k = p.key;
        long sh = k.ipv6SrcHi;
        long sl = k.ipv6SrcLo;
        long dh = k.ipv6DstHi;
        long dl = k.ipv6DstLo;
        if (Addresses.isV6Loopback(sh, sl) || Addresses.isV6Loopback(dh, dl) || Addresses.isV6Unspecified(dh, dl)) {
            drop(p, R_MARTIAN);
            return;
        }
        trimV6(p);
        if (Addresses.isV6Multicast(dh)) {
            multicast6(p, in);
            return;
        }
        // The unspecified source is only valid in DAD probes, which go to multicast.
        if (Addresses.isV6Unspecified(sh, sl)) {
            drop(p, R_MARTIAN);
            return;
        }
        if (Addresses.isV6LinkLocal(dh)) {
            // Link-local scope: only this link's own addresses, never forwarded.
            if (in.hasV6(dh, dl)) {
                local6(p);
            } else {
                drop(p, R_NOT_FOR_US);
            }
            return;
        }
        route6(p, false);
    }

    /** Multicast: only neighbour discovery to all-nodes, all-routers or a solicited-node group. */
    private void multicast6(PacketBuffer p, PortView in) {
        FlowKey k = p.key;
        long dh = k.ipv6DstHi;
        long dl = k.ipv6DstLo;
        boolean ours = dh == Addresses.V6_ALL_NODES_HI
                && (dl == Addresses.V6_ALL_NODES_LO || dl == Addresses.V6_ALL_ROUTERS_LO || Addresses.isSolicitedNode(dh, dl));
        if (!ours || k.ipProto != Icmpv6.PROTO) {
            drop(p, R_NOT_FOR_US);
            return;
        }
        if (k.fragment) {
            drop(p, R_UNSUPPORTED_PROTOCOL);
            return;
        }
        if (!FlowDissector.l4ChecksumValid(p)) {
            drop(p, R_BAD_L4_CHECKSUM);
            return;
        }
        switch (k.icmpType) {
            case Icmpv6.TYPE_NEIGHBOR_SOLICIT -> neighbourSolicitation(p, in);
            case Icmpv6.TYPE_NEIGHBOR_ADVERT -> neighbourAdvertisement(p, in);
            default -> drop(p, R_UNSUPPORTED_PROTOCOL);
        }
    }

    private void route6(PacketBuffer p, boolean generated) {
        FlowKey k = p.key;
        long dh = k.ipv6DstHi;
        long dl = k.ipv6DstLo;
        if (generated && Addresses.isV6LinkLocal(dh)) {
            // A reply to a link-local address goes back out the link it came from.
            PortView out = portFor(p.inPort);
            if (out == null || !out.up || out.loopback) {
                drop(p, R_LINK_DOWN);
                return;
            }
            if (IPV6_HDR + Ipv6.payloadLength(p.data, k.l3Offset) > out.mtu) {
                fragment6(p, out, dh, dl);
                return;
            }
            neighbourOutput(p, out, true, dh, dl, true);
            return;
        }
        int nh = fib6.lookup(dh, dl);
        Nexthops t = dataplane.nexthops;
        if (nh < 0 || nh >= t.size()) {
            if (generated) {
                drop(p, R_NO_ROUTE);
            } else {
                icmp6Error(p, Icmpv6.TYPE_DEST_UNREACH, Icmpv6.NO_ROUTE, 0, R_NO_ROUTE, false);
            }
            return;
        }
        switch (t.type[nh]) {
            case Nexthops.LOCAL -> {
                if (generated) {
                    drop(p, R_MARTIAN);
                } else {
                    local6(p);
                }
            }
            case Nexthops.BLACKHOLE -> drop(p, R_BLACKHOLE);
            case Nexthops.UNREACHABLE -> refuse6(p, Icmpv6.NO_ROUTE, generated);
            case Nexthops.PROHIBIT -> refuse6(p, Icmpv6.ADMIN_PROHIBITED, generated);
            default -> forward6(p, t, nh, generated);
        }
    }

    private void refuse6(PacketBuffer p, int code, boolean generated) {
        if (generated) {
            drop(p, R_NO_ROUTE);
        } else {
            icmp6Error(p, Icmpv6.TYPE_DEST_UNREACH, code, 0, R_NO_ROUTE, false);
        }
    }

    private void forward6(PacketBuffer p, Nexthops t, int nh, boolean generated) {
        PortView out = portFor(t.port[nh]);
        if (out == null) {
            drop(p, R_LINK_DOWN);
            return;
        }
        if (out.loopback) {
            if (generated) {
                drop(p, R_MARTIAN);
            } else {
                local6(p);
            }
            return;
        }
        if (!out.up) {
            drop(p, R_LINK_DOWN);
            return;
        }
        FlowKey k = p.key;
        byte[] b = p.data;
        int l3 = k.l3Offset;
        int size = IPV6_HDR + Ipv6.payloadLength(b, l3);
        if (!generated) {
            if ((k.ethDst & Addresses.MAC_MULTICAST_BIT) != 0) {
                drop(p, R_NOT_FOR_US);
                return;
            }
            // RFC 4291 section 2.5.6: a link-local source must not leave its link.
            if (Addresses.isV6LinkLocal(k.ipv6SrcHi)) {
                icmp6Error(p, Icmpv6.TYPE_DEST_UNREACH, ICMPV6_BEYOND_SCOPE, 0, R_MARTIAN, false);
                return;
            }
            if (xfrm != null && !xfrmInboundAllowed(p, true)) {
                return;
            }
            if (Ipv6.hopLimit(b, l3) <= 1) {
                icmp6Error(p, Icmpv6.TYPE_TIME_EXCEEDED, Icmpv6.HOP_LIMIT_EXCEEDED, 0, R_TTL_EXCEEDED, false);
                return;
            }
        }
        if ((xfrm != null || out.xfrmIfId != 0) && xfrmOutput(p, out, size, generated)) {
            return;
        }
        if (!generated && size > out.mtu) {
            // Routers do not fragment IPv6 (RFC 8200 section 5).
            icmp6Error(p, Icmpv6.TYPE_PACKET_TOO_BIG, 0, out.mtu, R_MTU_EXCEEDED, false);
            return;
        }
        if (!generated) {
            Ipv6.decrementHopLimit(b, l3);
        }
        boolean viaGateway = t.hasGateway[nh];
        long nhHi = viaGateway ? t.gatewayHi[nh] : k.ipv6DstHi;
        long nhLo = viaGateway ? t.gatewayLo[nh] : k.ipv6DstLo;
        if (size > out.mtu) {
            // Sent by this appliance: fragmented at the source.
            fragment6(p, out, nhHi, nhLo);
            return;
        }
        neighbourOutput(p, out, true, nhHi, nhLo, generated);
    }

    private void local6(PacketBuffer p) {
        FlowKey k = p.key;
        if (k.fragment) {
            reassemble(p);
            return;
        }
        if (xfrm != null && xfrmLocal(p)) {
            return;
        }
        if (!FlowDissector.l4ChecksumValid(p)) {
            drop(p, R_BAD_L4_CHECKSUM);
            return;
        }
        switch (k.ipProto) {
            case Icmpv6.PROTO -> {
                PortView in = cfg.port(p.inPort);
                if (k.icmpType == Icmpv6.TYPE_ECHO_REQUEST && k.icmpCode == 0) {
                    echoReply6(p);
                } else if (k.icmpType == Icmpv6.TYPE_NEIGHBOR_SOLICIT && in != null) {
                    neighbourSolicitation(p, in);
                } else if (k.icmpType == Icmpv6.TYPE_NEIGHBOR_ADVERT && in != null) {
                    neighbourAdvertisement(p, in);
                } else {
                    drop(p, R_UNSUPPORTED_PROTOCOL);
                }
            }
            case Udp.PROTO -> icmp6Error(p, Icmpv6.TYPE_DEST_UNREACH, Icmpv6.PORT_UNREACH, 0, R_UNSUPPORTED_PROTOCOL, true);
            default -> drop(p, R_UNSUPPORTED_PROTOCOL);
        }
    }

    private void echoReply6(PacketBuffer p) {
        FlowKey k = p.key;
        byte[] b = p.data;
        int l3 = k.l3Offset;
        int icmp = k.l4Offset;
        int icmpLen = l3 + IPV6_HDR + Ipv6.payloadLength(b, l3) - icmp;
        if (icmp != l3 + IPV6_HDR) {
            // Extension headers are not echoed; the checksum is unaffected (same pseudo-header).
            System.arraycopy(b, icmp, b, l3 + IPV6_HDR, icmpLen);
            icmp = l3 + IPV6_HDR;
        }
        int oldWord = Bytes.u16(b, icmp);
        Icmpv6.setType(b, icmp, Icmpv6.TYPE_ECHO_REPLY);
        int newWord = Bytes.u16(b, icmp);
        Bytes.put16(b, icmp + 2, Checksum.update16(Icmpv6.checksum(b, icmp), oldWord, newWord));
        Ipv6.writeHeader(b, l3, k.tos, icmpLen, Icmpv6.PROTO, TTL_DEFAULT,
                k.ipv6DstHi, k.ipv6DstLo, k.ipv6SrcHi, k.ipv6SrcLo);
        p.length = (l3 - p.offset) + IPV6_HDR + icmpLen;
        if (regenerate(p)) {
            route6(p, true);
        }
    }

    /** RFC 4861 section 7.1.1 validity checks shared by NS and NA; returns the ICMPv6 length or -1. */
    private static int ndLength(PacketBuffer p) {
        FlowKey k = p.key;
        byte[] b = p.data;
        int l3 = k.l3Offset;
        int icmpLen = l3 + IPV6_HDR + Ipv6.payloadLength(b, l3) - k.l4Offset;
        if (Ipv6.hopLimit(b, l3) != Icmpv6.ND_HOP_LIMIT || k.icmpCode != 0 || icmpLen < Icmpv6.ND_LEN
                || Addresses.isV6Multicast(Icmpv6.targetHi(b, k.l4Offset))) {
            return -1;
        }
        return icmpLen;
    }

    private void neighbourSolicitation(PacketBuffer p, PortView in) {
        int icmpLen = ndLength(p);
        if (icmpLen < 0) {
            drop(p, R_BAD_ICMP);
            return;
        }
        FlowKey k = p.key;
        byte[] b = p.data;
        int icmp = k.l4Offset;
        long th = Icmpv6.targetHi(b, icmp);
        long tl = Icmpv6.targetLo(b, icmp);
        long sll = Icmpv6.linkLayerOption(b, icmp, icmpLen, Icmpv6.SOURCE_LL_ADDR);
        boolean dad = Addresses.isV6Unspecified(k.ipv6SrcHi, k.ipv6SrcLo);
        if (dad && (!Addresses.isSolicitedNode(k.ipv6DstHi, k.ipv6DstLo) || sll >= 0)) {
            drop(p, R_BAD_ICMP);
            return;
        }
        if (!in.hasV6(th, tl)) {
            drop(p, R_NOT_FOR_US);
            return;
        }
        if (!dad && sll > 0 && (sll & Addresses.MAC_MULTICAST_BIT) == 0) {
            learnAndSend(in, true, k.ipv6SrcHi, k.ipv6SrcLo, sll, NeighbourTable.LEARN_CREATE);
        }
        long dh;
        long dl;
        long ethDst;
        int flags = Icmpv6.NA_FLAG_ROUTER | Icmpv6.NA_FLAG_OVERRIDE;
        if (dad) {
            // RFC 4861 section 7.2.4: a solicitation from :: is answered to all-nodes.
            dh = Addresses.V6_ALL_NODES_HI;
            dl = Addresses.V6_ALL_NODES_LO;
            ethDst = Addresses.v6MulticastMac(Addresses.V6_ALL_NODES_LO);
        } else {
            dh = k.ipv6SrcHi;
            dl = k.ipv6SrcLo;
            ethDst = sll > 0 ? sll : k.ethSrc;
            flags |= Icmpv6.NA_FLAG_SOLICITED;
        }
        int off = p.offset;
        int ip = off + ETH;
        int na = ip + IPV6_HDR;
        Ethernet.write(b, off, ethDst, in.mac, FlowKey.ETH_P_IPV6);
        Ipv6.writeHeader(b, ip, 0, NS_NA_LEN, Icmpv6.PROTO, Icmpv6.ND_HOP_LIMIT, th, tl, dh, dl);
        Icmpv6.write(b, na, Icmpv6.TYPE_NEIGHBOR_ADVERT, 0, flags);
        Bytes.put64(b, na + 8, th);
        Bytes.put64(b, na + 16, tl);
        Icmpv6.writeLinkLayerOption(b, na + Icmpv6.ND_LEN, Icmpv6.TARGET_LL_ADDR, in.mac);
        Icmpv6.setChecksum(b, ip, na, NS_NA_LEN);
        p.length = ETH + IPV6_HDR + NS_NA_LEN;
        enqueueTx(p, in);
    }

    private void neighbourAdvertisement(PacketBuffer p, PortView in) {
        int icmpLen = ndLength(p);
        FlowKey k = p.key;
        byte[] b = p.data;
        int icmp = k.l4Offset;
        int flags = icmpLen < 0 ? 0 : Icmpv6.ndFlags(b, icmp);
        boolean solicited = (flags & Icmpv6.NA_FLAG_SOLICITED) != 0;
        if (icmpLen < 0 || (solicited && Addresses.isV6Multicast(k.ipv6DstHi))) {
            drop(p, R_BAD_ICMP);
            return;
        }
        long th = Icmpv6.targetHi(b, icmp);
        long tl = Icmpv6.targetLo(b, icmp);
        long tll = Icmpv6.linkLayerOption(b, icmp, icmpLen, Icmpv6.TARGET_LL_ADDR);
        // An advertisement for one of our own addresses (a duplicate) teaches nothing.
        if (!in.hasV6(th, tl) && tll > 0 && (tll & Addresses.MAC_MULTICAST_BIT) == 0) {
            int mode = solicited ? NeighbourTable.LEARN_SOLICITED
                    : (flags & Icmpv6.NA_FLAG_OVERRIDE) != 0 ? NeighbourTable.LEARN_UPDATE
                    : NeighbourTable.LEARN_UPDATE_NO_OVERRIDE;
            learnAndSend(in, true, th, tl, tll, mode);
        }
        consume(p);
    }

    /** Like {@link #icmp4Error} for IPv6 (RFC 4443): quotes as much as fits in 1280 bytes. */
    private void icmp6Error(PacketBuffer p, int type, int code, int param, int reason, boolean fromDestination) {
        dropFor(p, reason);
        FlowKey k = p.key;
        if (!mayAnswerV6(k)) {
            return;
        }
        long sh;
        long sl;
        if (fromDestination) {
            sh = k.ipv6DstHi;
            sl = k.ipv6DstLo;
        } else {
            PortView in = cfg.port(p.inPort);
            PortView from = in;
            int i = -1;
            if (Addresses.isV6LinkLocal(k.ipv6SrcHi)) {
                i = in == null ? -1 : in.v6LinkLocal();
            } else {
                i = in == null ? -1 : in.v6Global();
                if (i < 0) {
                    for (PortView v : cfg.ports) {
                        if (v != null && !v.loopback && v.v6Global() >= 0) {
                            from = v;
                            i = v.v6Global();
                            break;
                        }
                    }
                }
            }
            if (i < 0) {
                return;
            }
            sh = from.v6Hi[i];
            sl = from.v6Lo[i];
        }
        if (!takeIcmpToken()) {
            stripe.add(p.inPort, CounterStripe.ICMP_ERRORS_RATE_LIMITED, 1);
            return;
        }
        byte[] b = p.data;
        int l3 = k.l3Offset;
        long dh = k.ipv6SrcHi;
        long dl = k.ipv6SrcLo;
        int ip = p.offset + ETH;
        int icmp = ip + IPV6_HDR;
        int quote = Math.min(IPV6_HDR + Ipv6.payloadLength(b, l3), IPV6_MIN_MTU - IPV6_HDR - ICMP_HDR);
        quote = Math.min(quote, b.length - icmp - ICMP_HDR);
        System.arraycopy(b, l3, scratch, 0, quote);
        Icmpv6.write(b, icmp, type, code, param);
        System.arraycopy(scratch, 0, b, icmp + ICMP_HDR, quote);
        Ipv6.writeHeader(b, ip, 0, ICMP_HDR + quote, Icmpv6.PROTO, TTL_DEFAULT, sh, sl, dh, dl);
        Icmpv6.setChecksum(b, ip, icmp, ICMP_HDR + quote);
        Ethernet.setType(b, p.offset, FlowKey.ETH_P_IPV6);
        p.length = ETH + IPV6_HDR + ICMP_HDR + quote;
        stripe.add(p.inPort, CounterStripe.ICMP_ERRORS_SENT, 1);
        if (regenerate(p)) {
            route6(p, true);
        }
    }

    /** RFC 4443 section 2.4 (e): not about ICMPv6 errors or redirects, multicast, or odd sources. */
    private static boolean mayAnswerV6(FlowKey k) {
        if ((k.ethDst & Addresses.MAC_MULTICAST_BIT) != 0 || Addresses.isV6Multicast(k.ipv6DstHi)) {
            return false;
        }
        if (Addresses.isV6Unspecified(k.ipv6SrcHi, k.ipv6SrcLo) || Addresses.isV6Multicast(k.ipv6SrcHi)) {
            return false;
        }
        if (k.ipProto == Icmpv6.PROTO) {
            int t = k.icmpType;
            return t >= 128 && t != Icmpv6.TYPE_REDIRECT;
        }
        return true;
    }

    // --- neighbours ----------------------------------------------------------------------------

    /** Fills in the Ethernet header for the next hop and batches the packet, or waits for resolution. */
    private void neighbourOutput(PacketBuffer p, PortView out, boolean v6, long hi, long lo, boolean generated) {
        p.outPort = out.index;
        long mac = neighbours.lookup(out.index, v6, hi, lo);
        if (mac < 0) {
            mac = neighbours.resolve(out.index, v6, hi, lo, p, now);
        }
        if (mac >= 0) {
            byte[] b = p.data;
            Ethernet.setDst(b, p.offset, mac);
            Ethernet.setSrc(b, p.offset, out.mac);
            enqueueTx(p, out);
            return;
        }
        if (mac == NeighbourTable.QUEUED) {
            consume(p);
        } else if (mac == NeighbourTable.QUEUED_PROBE) {
            // The packet is safe in the pool: its buffer carries the solicitation.
            buildSolicitation(p, out, v6, hi, lo);
            enqueueTx(p, out);
        } else if (mac == NeighbourTable.QUEUE_FULL || mac == NeighbourTable.QUEUE_FULL_PROBE) {
            drop(p, R_NEIGHBOUR_QUEUE_FULL);
            if (mac == NeighbourTable.QUEUE_FULL_PROBE) {
                buildSolicitation(p, out, v6, hi, lo);
                enqueueTx(p, out);
            }
        } else if (generated) {
            drop(p, R_NEIGHBOUR_UNRESOLVED);
        } else if (v6) {
            icmp6Error(p, Icmpv6.TYPE_DEST_UNREACH, Icmpv6.ADDRESS_UNREACH, 0, R_NEIGHBOUR_UNRESOLVED, false);
        } else {
            icmp4Error(p, Icmp.TYPE_DEST_UNREACH, Icmp.HOST_UNREACH, 0, R_NEIGHBOUR_UNRESOLVED, false);
        }
    }

    /** Writes an ARP request or an NS (to the solicited-node group) for the address into {@code p}. */
    private void buildSolicitation(PacketBuffer p, PortView out, boolean v6, long hi, long lo) {
        byte[] b = p.data;
        int off = p.offset;
        if (!v6) {
            int target = (int) lo;
            Ethernet.write(b, off, BROADCAST_MAC, out.mac, FlowKey.ETH_P_ARP);
            Arp.write(b, off + ETH, Arp.OP_REQUEST, out.mac, out.v4SourceFor(target), 0, target);
            p.length = ETH + Arp.LEN;
        } else {
            long groupLo = Addresses.solicitedNodeLo(lo);
            int i = out.v6LinkLocal();
            if (i < 0) {
                i = out.v6Global();
            }
            long sh = i < 0 ? 0 : out.v6Hi[i];
            long sl = i < 0 ? 0 : out.v6Lo[i];
            // Without any address of our own the solicitation is sent from :: and may not carry our MAC.
            int len = i < 0 ? Icmpv6.ND_LEN : NS_NA_LEN;
            int ip = off + ETH;
            int ns = ip + IPV6_HDR;
            Ethernet.write(b, off, Addresses.v6MulticastMac(groupLo), out.mac, FlowKey.ETH_P_IPV6);
            Ipv6.writeHeader(b, ip, 0, len, Icmpv6.PROTO, Icmpv6.ND_HOP_LIMIT, sh, sl, Addresses.V6_ALL_NODES_HI, groupLo);
            Icmpv6.write(b, ns, Icmpv6.TYPE_NEIGHBOR_SOLICIT, 0, 0);
            Bytes.put64(b, ns + 8, hi);
            Bytes.put64(b, ns + 16, lo);
            if (i >= 0) {
                Icmpv6.writeLinkLayerOption(b, ns + Icmpv6.ND_LEN, Icmpv6.SOURCE_LL_ADDR, out.mac);
            }
            Icmpv6.setChecksum(b, ip, ns, len);
            p.length = ETH + IPV6_HDR + len;
        }
        // A solicitation belongs to no received packet: its fate is counted on the out port only.
        p.inPort = -1;
        p.dropReason = -1;
        FlowDissector.dissect(p);
    }

    // --- helpers -------------------------------------------------------------------------------

    /** A packet rewritten in place becomes a new, live packet with a fresh key. */
    private boolean regenerate(PacketBuffer p) {
        p.dropReason = -1;
        p.outPort = -1;
        int defect = FlowDissector.dissect(p);
        if (defect >= 0) {
            drop(p, defect);
            return false;
        }
        return true;
    }

    private boolean takeIcmpToken() {
        long credit = icmpCredit + (now - icmpLast);
        icmpLast = now;
        if (credit > ICMP_BURST_NANOS) {
            credit = ICMP_BURST_NANOS;
        }
        if (credit < ICMP_COST_NANOS) {
            icmpCredit = credit;
            return false;
        }
        icmpCredit = credit - ICMP_COST_NANOS;
        return true;
    }

    private int nextIpId() {
        return ++ipId & 0xFFFF;
    }
}
