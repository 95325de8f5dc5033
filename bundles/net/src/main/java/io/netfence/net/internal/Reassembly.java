package io.netfence.net.internal;

import io.netfence.packet.Bytes;
import io.netfence.packet.DropReason;
import io.netfence.packet.FlowKey;
import io.netfence.packet.Ipv4;
import io.netfence.packet.Ipv6;
import io.netfence.packet.PacketBuffer;

/**
 * Reassembly of IPv4 and IPv6 datagrams addressed to the appliance (Linux's ip_defrag and the
 * IPv6 fragment handler). One instance per worker: only that worker's fragments meet in it.
 *
 * <p><b>Memory.</b> Everything is allocated here, once: an arena of {@value #CHUNK}-byte chunks
 * (the memory bound, like Linux's ipfrag_high_thresh), fragment descriptors and a table of
 * datagrams in progress. A fragment's payload is copied into a chain of chunks, so a small
 * fragment costs a whole chunk, as an skb's truesize does in Linux. What does not fit is dropped
 * as {@code frag_mem}; as in Linux, nothing is evicted to make room, the datagrams in progress
 * time out instead.
 *
 * <p><b>Linux's rules.</b> A queue is keyed by source, destination, identification and (IPv4)
 * protocol, plus the receiving port for an IPv6 link-local destination. It expires
 * {@value #TIMEOUT_SECONDS} s after its first fragment arrived. A last fragment (MF clear) fixes
 * the length: another last fragment with a different end, or data beyond it, discards the
 * datagram ({@code frag_invalid}). An IPv4 fragment with MF set is cut to a multiple of 8 bytes;
 * an IPv6 one that is not a multiple of 8 is dropped (RFC 8200 section 4.5). A fragment that lies
 * entirely inside bytes already received is a duplicate and dropped alone ({@code frag_dup});
 * any other overlap discards the whole datagram, IPv4 as IPv6 (RFC 5722 with erratum 3089,
 * {@code frag_overlap}). A datagram that would exceed 65535 bytes is discarded
 * ({@code frag_too_big}). A discarded datagram counts every fragment it held under its reason,
 * on the port each came by.
 *
 * <p>The reassembled datagram takes its headers from the fragment at offset 0 (IPv4: all its
 * options; IPv6: its unfragmentable part without the fragment header) and its port, mark and
 * priority from that fragment too. Its sec path is the one all its fragments share; fragments
 * that arrived differently (some decrypted, some in clear) make it a clear packet, so the in
 * policies see the least protected of them.
 */
final class Reassembly {
    static final int TIMEOUT_SECONDS = 30;
    static final long TIMEOUT_NANOS = TIMEOUT_SECONDS * 1_000_000_000L;
    /** Reassembly memory shared out among the workers, in bytes (Linux's ipfrag_high_thresh). */
    static final int DEFAULT_MEMORY = memoryOrDefault(System.getProperty("netfence.ipfrag_high_thresh"));
    /** No worker gets less, whatever the number of workers. */
    static final int MIN_WORKER_MEMORY = 256 << 10;
    static final int CHUNK_SHIFT = 9;
    static final int CHUNK = 1 << CHUNK_SHIFT;
    /** Frame capacity a reassembled datagram needs: Ethernet, IPv6 header and 65535 bytes of payload, with room for an ESP trailer. */
    static final int DATAGRAM_CAPACITY = 65_792;

    /** {@link #add} results besides a drop reason for the fragment itself. */
    static final int HELD = -1;
    static final int COMPLETE = -2;

    private static final int FIRST_IN = 1;
    private static final int LAST_IN = 2;
    private static final int SECPATH_MIXED = 4;
    private static final int MAX_V6_HEADERS = 8;

    private static final int R_OVERLAP = DropReason.FRAG_OVERLAP.ordinal();
    private static final int R_DUPLICATE = DropReason.FRAG_DUPLICATE.ordinal();
    private static final int R_TOO_BIG = DropReason.FRAG_TOO_BIG.ordinal();
    private static final int R_MEM = DropReason.FRAG_MEM.ordinal();
    private static final int R_INVALID = DropReason.FRAG_INVALID.ordinal();

    private final CounterStripe stripe;
    private final long seed;

    // The arena: chunks chained by chunkNext; free ones on a list.
    private final byte[] arena;
    private final int[] chunkNext;
    private int freeChunk = -1;
    private int freeChunks;

    // Fragment descriptors: [start, end) in the datagram, first chunk, next in offset order, port.
    private final int[] fStart;
    private final int[] fEnd;
    private final int[] fChunk;
    private final int[] fNext;
    private final int[] fPort;
    private int freeFrag = -1;

    // Datagrams in progress.
    private final int[] qVersion;
    private final int[] qId;
    private final int[] qProto;
    private final int[] qIif;
    private final long[] qSrcHi;
    private final long[] qSrcLo;
    private final long[] qDstHi;
    private final long[] qDstLo;
    private final int[] qFrags;
    private final int[] qLen;
    private final int[] qMeat;
    private final int[] qFlags;
    private final int[] qCount;
    /** The frame of the fragment at offset 0 up to its data (IPv6: through the fragment header). */
    private final int[] qHeaderChunk;
    private final int[] qHeaderLen;
    /** Within that header: where the IP header starts, and (IPv6) the fragment header and the field naming it. */
    private final int[] qL3;
    private final int[] qFragHeader;
    private final int[] qNextField;
    private final int[] qInPort;
    private final int[] qMark;
    private final int[] qPriority;
    private final int[] qSecPath;
    private final long[] qDeadline;
    private final int[] qHashNext;
    private final int[] qOlder;
    private final int[] qNewer;
    private final int[] buckets;
    private int freeQueue = -1;
    private int oldest = -1;
    private int newest = -1;
    private int inUse;
    /** The queue {@link #add} found complete. */
    private int completed = -1;

    /** One worker's share of the reassembly memory when there are {@code workers}. */
    static int workerShare(int workers) {
        return Math.max(MIN_WORKER_MEMORY, DEFAULT_MEMORY / Math.max(1, workers));
    }

    static int memoryOrDefault(String property) {
        if (property != null) {
            try {
                long n = Long.parseLong(property.trim());
                if (n >= 0 && n <= (1 << 30)) {
                    return (int) n;
                }
            } catch (NumberFormatException e) {
                // the default below
            }
            org.slf4j.LoggerFactory.getLogger(Reassembly.class)
                    .warn("netfence.ipfrag_high_thresh \"{}\": expected 0-1073741824 bytes; using 4194304", property);
        }
        return 4 << 20;
    }

    /** A reassembler with {@code memory} bytes of fragment storage (0: every fragment is dropped as frag_mem). */
    Reassembly(CounterStripe stripe, int memory) {
        this.stripe = stripe;
        this.seed = new java.util.SplittableRandom().nextLong();
        int chunks = Math.max(0, memory >>> CHUNK_SHIFT);
        arena = new byte[chunks << CHUNK_SHIFT];
        chunkNext = new int[chunks];
        for (int i = chunks - 1; i >= 0; i--) {
            chunkNext[i] = freeChunk;
            freeChunk = i;
        }
        freeChunks = chunks;
        fStart = new int[chunks];
        fEnd = new int[chunks];
        fChunk = new int[chunks];
        fNext = new int[chunks];
        fPort = new int[chunks];
        for (int i = chunks - 1; i >= 0; i--) {
            fNext[i] = freeFrag;
            freeFrag = i;
        }
        // Every datagram holds at least a header chunk and a fragment chunk.
        int queues = chunks / 2;
        qVersion = new int[queues];
        qId = new int[queues];
        qProto = new int[queues];
        qIif = new int[queues];
        qSrcHi = new long[queues];
        qSrcLo = new long[queues];
        qDstHi = new long[queues];
        qDstLo = new long[queues];
        qFrags = new int[queues];
        qLen = new int[queues];
        qMeat = new int[queues];
        qFlags = new int[queues];
        qCount = new int[queues];
        qHeaderChunk = new int[queues];
        qHeaderLen = new int[queues];
        qL3 = new int[queues];
        qFragHeader = new int[queues];
        qNextField = new int[queues];
        qInPort = new int[queues];
        qMark = new int[queues];
        qPriority = new int[queues];
        qSecPath = new int[queues];
        qDeadline = new long[queues];
        qHashNext = new int[queues];
        qOlder = new int[queues];
        qNewer = new int[queues];
        for (int i = queues - 1; i >= 0; i--) {
            qHashNext[i] = freeQueue;
            freeQueue = i;
        }
        buckets = new int[Math.max(1, Integer.highestOneBit(Math.max(1, queues)) * 2)];
        java.util.Arrays.fill(buckets, -1);
    }

    /** Datagrams in progress. */
    int queues() {
        return inUse;
    }

    /** Bytes of the arena in use. */
    int memoryUsed() {
        return (chunkNext.length - freeChunks) << CHUNK_SHIFT;
    }

    int memory() {
        return arena.length;
    }

    // --- adding a fragment -----------------------------------------------------------------------

    /**
     * Takes a fragment addressed to the appliance ({@code p.key.fragment}, dissected). Returns
     * {@link #HELD} (its bytes are stored; the buffer is free), {@link #COMPLETE} (stored, and
     * its datagram is complete: {@link #completed()} names it for {@link #assemble}), or the
     * {@link DropReason} ordinal the caller counts this fragment under. Fragments the queue held
     * before it was discarded are counted here.
     */
    int add(PacketBuffer p, long now) {
        FlowKey k = p.key;
        byte[] b = p.data;
        int l3 = k.l3Offset;
        int version = k.ipVersion;
        int offset;
        int len;
        int data;
        int id;
        int proto;
        boolean more;
        int fragHeader = -1;
        int nextField = -1;
        int maxLen;
        if (version == 4) {
            int ihl = Ipv4.headerLength(b, l3);
            int ff = Ipv4.flagsFragment(b, l3);
            offset = (ff & Ipv4.FRAGMENT_OFFSET_MASK) << 3;
            more = (ff & Ipv4.FLAG_MF) != 0;
            data = l3 + ihl;
            len = Ipv4.totalLength(b, l3) - ihl;
            if (more) {
                // Linux trims a fragment that is not the last to a multiple of 8.
                len &= ~7;
            }
            id = Ipv4.id(b, l3);
            proto = Ipv4.protocol(b, l3);
            maxLen = 0xFFFF - ihl;
        } else {
            int field = l3 + 6;
            int pos = l3 + Ipv6.HEADER_LEN;
            int nh = Bytes.u8(b, field);
            for (int i = 0; nh != Ipv6.FRAGMENT; i++) {
                if (i >= MAX_V6_HEADERS || !Ipv6.isExtensionHeader(nh)) {
                    return R_INVALID;
                }
                field = pos;
                pos += Ipv6.extensionHeaderLength(b, pos, nh);
                nh = Bytes.u8(b, field);
            }
            fragHeader = pos;
            nextField = field;
            offset = Ipv6.fragmentOffset(b, pos);
            more = Ipv6.moreFragments(b, pos);
            id = Ipv6.fragmentId(b, pos);
            proto = Bytes.u8(b, pos);
            data = pos + Ipv6.FRAGMENT_HEADER_LEN;
            len = l3 + Ipv6.HEADER_LEN + Ipv6.payloadLength(b, l3) - data;
            if (more && (len & 7) != 0) {
                return R_INVALID;
            }
            maxLen = 0xFFFF - (pos - l3 - Ipv6.HEADER_LEN);
        }
        int end = offset + len;
        int iif = version == 6 && Addresses.isV6LinkLocal(k.ipv6DstHi) ? p.inPort : -1;
        int q = find(version, k, id, proto, iif);
        if (end > maxLen) {
            if (q >= 0) {
                kill(q, R_TOO_BIG);
            }
            return R_TOO_BIG;
        }
        if (q < 0) {
            q = create(version, k, id, proto, iif, now);
            if (q < 0) {
                return R_MEM;
            }
        }
        if (end == offset) {
            kill(q, R_INVALID);
            return R_INVALID;
        }
        if (!more) {
            if (end < qLen[q] || ((qFlags[q] & LAST_IN) != 0 && end != qLen[q])) {
                kill(q, R_INVALID);
                return R_INVALID;
            }
            qFlags[q] |= LAST_IN;
            qLen[q] = end;
        } else if (end > qLen[q]) {
            if ((qFlags[q] & LAST_IN) != 0) {
                kill(q, R_INVALID);
                return R_INVALID;
            }
            qLen[q] = end;
        }
        // Where it goes in offset order, and whether it overlaps what is there.
        int prev = -1;
        int f = qFrags[q];
        while (f >= 0 && fEnd[f] <= offset) {
            prev = f;
            f = fNext[f];
        }
        if (f >= 0 && fStart[f] < end) {
            // Overlaps f and maybe more: a duplicate only if one contiguous run of them covers it.
            boolean covered = fStart[f] <= offset;
            int reach = fEnd[f];
            for (int g = fNext[f]; covered && reach < end && g >= 0 && fStart[g] == reach; g = fNext[g]) {
                reach = fEnd[g];
            }
            if (covered && reach >= end) {
                dropEmpty(q);
                return R_DUPLICATE;
            }
            kill(q, R_OVERLAP);
            return R_OVERLAP;
        }
        boolean header = offset == 0 && (qFlags[q] & FIRST_IN) == 0;
        int headerLen = data - p.offset;
        int needed = chunks(len) + (header ? chunks(headerLen) : 0);
        if (needed > freeChunks || freeFrag < 0) {
            dropEmpty(q);
            return R_MEM;
        }
        int d = freeFrag;
        freeFrag = fNext[d];
        fStart[d] = offset;
        fEnd[d] = end;
        fChunk[d] = store(b, data, len);
        fPort[d] = p.inPort;
        if (prev < 0) {
            fNext[d] = qFrags[q];
            qFrags[q] = d;
        } else {
            fNext[d] = fNext[prev];
            fNext[prev] = d;
        }
        if (qCount[q] == 0) {
            qSecPath[q] = p.secPath;
        } else if (qSecPath[q] != p.secPath) {
            qFlags[q] |= SECPATH_MIXED;
        }
        qCount[q]++;
        qMeat[q] += len;
        if (header) {
            qFlags[q] |= FIRST_IN;
            qHeaderChunk[q] = store(b, p.offset, headerLen);
            qHeaderLen[q] = headerLen;
            qL3[q] = l3 - p.offset;
            qFragHeader[q] = fragHeader < 0 ? -1 : fragHeader - p.offset;
            qNextField[q] = nextField < 0 ? -1 : nextField - p.offset;
            qInPort[q] = p.inPort;
            qMark[q] = p.mark;
            qPriority[q] = p.priority;
        }
        if ((qFlags[q] & (FIRST_IN | LAST_IN)) == (FIRST_IN | LAST_IN) && qMeat[q] == qLen[q]) {
            completed = q;
            return COMPLETE;
        }
        return HELD;
    }

    /** The queue the last {@link #add} returning {@link #COMPLETE} completed. */
    int completed() {
        return completed;
    }

    /**
     * Writes the complete datagram of queue {@code q} into {@code out} (a buffer of at least
     * {@link #DATAGRAM_CAPACITY}) as a frame with the first fragment's Ethernet header, and frees
     * the queue. Returns -1, or the reason it was discarded instead (counted here).
     */
    int assemble(int q, PacketBuffer out) {
        int hl = qHeaderLen[q];
        int l3 = qL3[q];
        boolean v6 = qVersion[q] == 6;
        // IPv6: the fragment header (the last 8 bytes stored) is not part of the datagram.
        int headers = v6 ? hl - Ipv6.FRAGMENT_HEADER_LEN : hl;
        int ipLen = headers - l3 + qLen[q];
        if ((v6 ? ipLen - Ipv6.HEADER_LEN : ipLen) > 0xFFFF) {
            kill(q, R_TOO_BIG);
            return R_TOO_BIG;
        }
        if (headers + qLen[q] > out.data.length - PacketBuffer.HEADROOM) {
            kill(q, R_MEM);
            return R_MEM;
        }
        out.reset();
        byte[] b = out.data;
        int base = out.offset;
        load(qHeaderChunk[q], b, base, hl);
        int ip = base + l3;
        int nextHeader = v6 ? Bytes.u8(b, base + qFragHeader[q]) : 0;
        int data = base + headers;
        for (int f = qFrags[q]; f >= 0; f = fNext[f]) {
            load(fChunk[f], b, data + fStart[f], fEnd[f] - fStart[f]);
        }
        if (v6) {
            Bytes.put8(b, base + qNextField[q], nextHeader);
            Ipv6.setPayloadLength(b, ip, ipLen - Ipv6.HEADER_LEN);
        } else {
            Bytes.put16(b, ip + 2, ipLen);
            Bytes.put16(b, ip + 6, 0);
            Ipv4.setChecksum(b, ip);
        }
        out.length = headers + qLen[q];
        out.inPort = qInPort[q];
        out.mark = qMark[q];
        out.priority = qPriority[q];
        out.secPath = (qFlags[q] & SECPATH_MIXED) != 0 ? 0 : qSecPath[q];
        free(q);
        return -1;
    }

    // --- expiry ------------------------------------------------------------------------------------

    /** The oldest datagram whose time is up at {@code now}, or -1. One comparison when there is none. */
    int expired(long now) {
        int q = oldest;
        return q >= 0 && qDeadline[q] - now <= 0 ? q : -1;
    }

    /** True when queue {@code q} holds its fragment at offset 0 (an ICMP time exceeded may then be sent). */
    boolean hasFirst(int q) {
        return (qFlags[q] & FIRST_IN) != 0;
    }

    /**
     * Rebuilds the fragment at offset 0 of queue {@code q} in {@code out} as it arrived, for the
     * ICMP error that quotes it. False when it does not fit.
     */
    boolean firstFragment(int q, PacketBuffer out) {
        int f = qFrags[q];
        if (f < 0 || fStart[f] != 0 || (qFlags[q] & FIRST_IN) == 0) {
            return false;
        }
        int hl = qHeaderLen[q];
        int len = fEnd[f];
        if (hl + len > out.data.length - PacketBuffer.HEADROOM) {
            return false;
        }
        out.reset();
        load(qHeaderChunk[q], out.data, out.offset, hl);
        load(fChunk[f], out.data, out.offset + hl, len);
        out.length = hl + len;
        out.inPort = qInPort[q];
        int ip = out.offset + qL3[q];
        // An IPv4 fragment with MF set may have been cut to a multiple of 8: its header says what is there now.
        if (qVersion[q] == 4) {
            Ipv4.setTotalLength(out.data, ip, hl - qL3[q] + len);
        }
        return true;
    }

    /** Discards queue {@code q}, counting each fragment it held under {@code reason} on its port. */
    void kill(int q, int reason) {
        for (int f = qFrags[q]; f >= 0; f = fNext[f]) {
            stripe.drop(fPort[f], reason);
        }
        free(q);
    }

    // --- queues -----------------------------------------------------------------------------------

    private int hash(int version, long srcHi, long srcLo, long dstHi, long dstLo, int id, int proto, int iif) {
        long h = seed ^ version;
        h = mix(h ^ srcHi);
        h = mix(h ^ srcLo);
        h = mix(h ^ dstHi);
        h = mix(h ^ dstLo);
        h = mix(h ^ ((long) id << 32 | (proto & 0xFF) << 16 | (iif & 0xFFFF)));
        return (int) h & (buckets.length - 1);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        return z ^ (z >>> 29);
    }

    private int find(int version, FlowKey k, int id, int proto, int iif) {
        long sh;
        long sl;
        long dh;
        long dl;
        if (version == 4) {
            sh = 0;
            sl = k.ipv4Src;
            dh = 0;
            dl = k.ipv4Dst;
        } else {
            sh = k.ipv6SrcHi;
            sl = k.ipv6SrcLo;
            dh = k.ipv6DstHi;
            dl = k.ipv6DstLo;
            proto = 0;
        }
        if (qVersion.length == 0) {
            return -1;
        }
        for (int q = buckets[hash(version, sh, sl, dh, dl, id, proto, iif)]; q >= 0; q = qHashNext[q]) {
            if (qVersion[q] == version && qId[q] == id && qProto[q] == proto && qIif[q] == iif
                    && qSrcLo[q] == sl && qDstLo[q] == dl && qSrcHi[q] == sh && qDstHi[q] == dh) {
                return q;
            }
        }
        return -1;
    }

    private int create(int version, FlowKey k, int id, int proto, int iif, long now) {
        int q = freeQueue;
        if (q < 0) {
            return -1;
        }
        freeQueue = qHashNext[q];
        qVersion[q] = version;
        qId[q] = id;
        qIif[q] = iif;
        if (version == 4) {
            qSrcHi[q] = 0;
            qSrcLo[q] = k.ipv4Src;
            qDstHi[q] = 0;
            qDstLo[q] = k.ipv4Dst;
            qProto[q] = proto;
        } else {
            qSrcHi[q] = k.ipv6SrcHi;
            qSrcLo[q] = k.ipv6SrcLo;
            qDstHi[q] = k.ipv6DstHi;
            qDstLo[q] = k.ipv6DstLo;
            qProto[q] = 0;
        }
        qFrags[q] = -1;
        qLen[q] = 0;
        qMeat[q] = 0;
        qFlags[q] = 0;
        qCount[q] = 0;
        qHeaderChunk[q] = -1;
        qHeaderLen[q] = 0;
        qDeadline[q] = now + TIMEOUT_NANOS;
        int bucket = hash(version, qSrcHi[q], qSrcLo[q], qDstHi[q], qDstLo[q], id, qProto[q], iif);
        qHashNext[q] = buckets[bucket];
        buckets[bucket] = q;
        qOlder[q] = newest;
        qNewer[q] = -1;
        if (newest >= 0) {
            qNewer[newest] = q;
        } else {
            oldest = q;
        }
        newest = q;
        inUse++;
        return q;
    }

    /** A queue this fragment created and did not join is not kept. */
    private void dropEmpty(int q) {
        if (qCount[q] == 0) {
            free(q);
        }
    }

    private void free(int q) {
        for (int f = qFrags[q]; f >= 0;) {
            int next = fNext[f];
            release(fChunk[f]);
            fNext[f] = freeFrag;
            freeFrag = f;
            f = next;
        }
        qFrags[q] = -1;
        if (qHeaderChunk[q] >= 0) {
            release(qHeaderChunk[q]);
            qHeaderChunk[q] = -1;
        }
        int bucket = hash(qVersion[q], qSrcHi[q], qSrcLo[q], qDstHi[q], qDstLo[q], qId[q], qProto[q], qIif[q]);
        if (buckets[bucket] == q) {
            buckets[bucket] = qHashNext[q];
        } else {
            int x = buckets[bucket];
            while (qHashNext[x] != q) {
                x = qHashNext[x];
            }
            qHashNext[x] = qHashNext[q];
        }
        if (qOlder[q] >= 0) {
            qNewer[qOlder[q]] = qNewer[q];
        } else {
            oldest = qNewer[q];
        }
        if (qNewer[q] >= 0) {
            qOlder[qNewer[q]] = qOlder[q];
        } else {
            newest = qOlder[q];
        }
        qVersion[q] = 0;
        qHashNext[q] = freeQueue;
        freeQueue = q;
        inUse--;
        if (completed == q) {
            completed = -1;
        }
    }

    // --- the arena --------------------------------------------------------------------------------

    private static int chunks(int len) {
        return Math.max(1, (len + CHUNK - 1) >>> CHUNK_SHIFT);
    }

    /** Copies {@code len} bytes into a fresh chain of chunks (the caller checked there are enough). */
    private int store(byte[] src, int off, int len) {
        int n = chunks(len);
        int first = freeChunk;
        int c = first;
        for (int i = 0; i < n; i++) {
            int part = Math.min(CHUNK, len - (i << CHUNK_SHIFT));
            if (part > 0) {
                System.arraycopy(src, off + (i << CHUNK_SHIFT), arena, c << CHUNK_SHIFT, part);
            }
            if (i < n - 1) {
                c = chunkNext[c];
            }
        }
        freeChunk = chunkNext[c];
        chunkNext[c] = -1;
        freeChunks -= n;
        return first;
    }

    private void load(int chunk, byte[] dst, int off, int len) {
        int c = chunk;
        for (int done = 0; done < len; done += CHUNK) {
            System.arraycopy(arena, c << CHUNK_SHIFT, dst, off + done, Math.min(CHUNK, len - done));
            c = chunkNext[c];
        }
    }

    private void release(int chunk) {
        int c = chunk;
        int n = 1;
        while (chunkNext[c] >= 0) {
            c = chunkNext[c];
            n++;
        }
        chunkNext[c] = freeChunk;
        freeChunk = chunk;
        freeChunks += n;
    }
}
