package io.netfence.port.udp.internal;

import io.netfence.net.spi.Libc;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.netfence.net.api.NetException;
import io.netfence.net.spi.PortDevice;
import io.netfence.packet.Ethernet;
import io.netfence.packet.FlowKey;
import io.netfence.packet.IpAddress;
import io.netfence.packet.Ipv4;
import io.netfence.packet.Ipv6;
import io.netfence.packet.MacAddress;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.Udp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A port backed by one UDP socket of the host: every datagram the socket receives becomes an
 * Ethernet/IP/UDP frame addressed from the sender to the socket's address, and every UDP frame
 * the dataplane sends from the socket's address and port has its payload sent to its destination
 * address and port with {@code sendto}, the host's kernel doing the real IP and UDP.
 *
 * <p>Neighbours: the link behaves like a point-to-point link to a pseudo peer ({@link #PEER_MAC}).
 * The dataplane's ARP requests and neighbour solicitations, for any address (but probes of the
 * socket's own), are answered by the device itself: the reply is queued and handed to the
 * dataplane with the next {@link #receive}, so every next hop resolves without configuration.
 *
 * <p>Threading and memory: one RX queue, polled by its one worker with recvmmsg into native
 * buffers allocated once; transmit may run on any worker, each with its own native buffer. The
 * native memory lives in automatic arenas (freed by the garbage collector once unreachable), so a
 * call racing with {@link #close} can fail on a closed descriptor but never touches freed memory.
 */
final class UdpDevice implements PortDevice {
    /** Datagrams one recvmmsg call may return: the dataplane's default batch. */
    static final int SLOTS = PacketBatch.DEFAULT_SIZE;
    /**
     * Receive buffer per datagram: the largest payload the dataplane's default buffer could hold.
     * A longer datagram is truncated by the kernel (MSG_TRUNC) and counted as an rx error.
     */
    static final int SLOT_SIZE = PacketBuffer.DEFAULT_CAPACITY;
    /** Largest UDP payload over IPv4 or IPv6 without jumbograms; a transmit buffer holds one. */
    static final int TX_BUFFER_SIZE = 65536;
    /** The pseudo peer's MAC: locally administered, spelling "nfudp". */
    static final long PEER_MAC = 0x02_6E_66_75_64_70L;
    /** ARP replies / neighbour advertisements waiting for the next receive. */
    static final int ANSWER_SLOTS = 16;

    private static final int SOCKADDR_SLOT = 32;
    private static final long MMSGHDR_SIZE = UdpNative.MMSGHDR.byteSize();
    private static final long IOVEC_SIZE = UdpNative.IOVEC.byteSize();

    private final int fd;
    private final boolean v6;
    /** The socket's address: IPv4 in the low 32 bits of {@code localLo}. */
    private final long localHi;
    private final long localLo;
    private final int localPort;
    private final IpAddress local;
    private final boolean loopback;
    private final long peerMac;
    /** Destination MAC of synthesized frames: the link's MAC, followed from what the dataplane sends. */
    private volatile long linkMac;

    private final Receiver receiver;
    private final ThreadLocal<Sender> sender;

    // Answers to solicitations: written by transmitting threads, read by the receiving worker.
    private final byte[][] answers = new byte[ANSWER_SLOTS][Math.max(UdpFrames.ARP_REPLY_LEN, UdpFrames.NA_LEN)];
    private final int[] answerLength = new int[ANSWER_SLOTS];
    private int answerHead;
    private int answerCount;
    private volatile int answersPending;

    // Receive counters: written only by the worker owning the queue.
    private volatile long rxDatagrams;
    private volatile long rxBytes;
    private volatile long rxErrors;
    // Transmit counters: any worker.
    private final LongAdder txDatagrams = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder txNotUdp = new LongAdder();
    private final LongAdder txWrongSource = new LongAdder();
    private final LongAdder txErrors = new LongAdder();
    private final LongAdder arpAnswered = new LongAdder();
    private final LongAdder ndAnswered = new LongAdder();
    private final LongAdder answersDropped = new LongAdder();
    private volatile int lastTxErrno;
    private volatile boolean closed;

    /** What the worker owning the queue reuses for every recvmmsg. */
    private static final class Receiver {
        final MemorySegment messages;
        final MemorySegment names;
        final MemorySegment buffers;
        final int nameLength;
        int ipId;

        Receiver(Arena arena, boolean v6) {
            messages = arena.allocate(UdpNative.MMSGHDR, SLOTS);
            MemorySegment iovecs = arena.allocate(UdpNative.IOVEC, SLOTS);
            names = arena.allocate((long) SOCKADDR_SLOT * SLOTS, 8);
            buffers = arena.allocate((long) SLOT_SIZE * SLOTS, 64);
            nameLength = v6 ? UdpNative.SOCKADDR_IN6_SIZE : UdpNative.SOCKADDR_IN_SIZE;
            for (int i = 0; i < SLOTS; i++) {
                MemorySegment iov = iovecs.asSlice(i * IOVEC_SIZE, IOVEC_SIZE);
                iov.set(ADDRESS, 0, buffers.asSlice((long) i * SLOT_SIZE, SLOT_SIZE));
                iov.set(JAVA_LONG, ADDRESS.byteSize(), SLOT_SIZE);
                long m = i * MMSGHDR_SIZE;
                messages.set(ADDRESS, m + UdpNative.MSG_NAME, names.asSlice((long) i * SOCKADDR_SLOT, SOCKADDR_SLOT));
                messages.set(JAVA_INT, m + UdpNative.MSG_NAMELEN, nameLength);
                messages.set(ADDRESS, m + UdpNative.MSG_IOV, iov);
                messages.set(JAVA_LONG, m + UdpNative.MSG_IOVLEN, 1);
            }
        }
    }

    /** What a transmitting thread reuses for every sendto: the payload and the destination. */
    private record Sender(MemorySegment buffer, MemorySegment address, MemorySegment callState, byte[] answer) {
    }

    private UdpDevice(int fd, UdpOptions options, int boundPort, long linkMac) {
        this.fd = fd;
        this.v6 = options.v6();
        this.local = options.local();
        this.localHi = local.hi();
        this.localLo = local.lo();
        this.localPort = boundPort;
        this.loopback = options.loopback();
        this.linkMac = linkMac;
        this.peerMac = linkMac == PEER_MAC ? PEER_MAC ^ 1 : PEER_MAC;
        this.receiver = new Receiver(Arena.ofAuto(), v6);
        this.sender = ThreadLocal.withInitial(() -> {
            Arena arena = Arena.ofAuto();
            return new Sender(arena.allocate(TX_BUFFER_SIZE, 64), arena.allocate(SOCKADDR_SLOT, 8), Libc.newCallState(arena),
                    new byte[answers[0].length]);
        });
    }

    /** Opens a non-blocking UDP socket bound to the options' address and port. */
    static UdpDevice open(UdpOptions options, long linkMac) {
        IpAddress a = options.local();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newCallState(arena);
            int family = options.v6() ? UdpNative.AF_INET6 : UdpNative.AF_INET;
            int fd = Libc.socket(state, family, UdpNative.SOCK_DGRAM | UdpNative.SOCK_NONBLOCK | UdpNative.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw socketRefused(options.v6(), Libc.errno(state));
            }
            try {
                MemorySegment sa = arena.allocate(SOCKADDR_SLOT, 8);
                int length = UdpNative.writeSockaddr(sa, options.v6(), a.hi(), a.lo(), options.port());
                if (UdpNative.bind(state, fd, sa, length) < 0) {
                    throw bindRefused(a, options.port(), Libc.errno(state));
                }
                MemorySegment lengthOut = arena.allocate(JAVA_INT);
                lengthOut.set(JAVA_INT, 0, SOCKADDR_SLOT);
                sa.fill((byte) 0);
                if (UdpNative.getsockname(state, fd, sa, lengthOut) < 0) {
                    throw new NetException("the UDP socket bound to " + endpoint(a, options.port()) + " cannot tell its port: "
                            + Libc.strerror(Libc.errno(state)) + ".");
                }
                int port = sa.get(UdpNative.NET_SHORT, 2) & 0xFFFF;
                return new UdpDevice(fd, options, port, linkMac);
            } catch (RuntimeException | Error e) {
                Libc.close(fd);
                throw e;
            }
        }
    }

    static NetException socketRefused(boolean v6, int errno) {
        return switch (errno) {
            case UdpNative.EAFNOSUPPORT -> new NetException("an " + (v6 ? "IPv6" : "IPv4")
                    + " UDP socket cannot be created: this host has " + (v6 ? "IPv6" : "IPv4") + " disabled.");
            default -> new NetException("a UDP socket cannot be created: " + Libc.strerror(errno) + ".");
        };
    }

    static NetException bindRefused(IpAddress address, int port, int errno) {
        String where = endpoint(address, port);
        return switch (errno) {
            case UdpNative.EADDRINUSE -> new NetException("UDP " + where + " is already in use by another socket:"
                    + " stop its owner or choose another port with port PORT.");
            case UdpNative.EADDRNOTAVAIL -> new NetException("address " + address + " is not assigned to any interface of this host,"
                    + " so UDP " + where + " cannot be bound: give local an address of the host.");
            case UdpNative.EACCES, UdpNative.EPERM -> new NetException("binding UDP " + where + " needs privilege (a port below 1024):"
                    + " run Netfence as root, grant it CAP_NET_BIND_SERVICE or choose another port.");
            default -> new NetException("UDP " + where + " cannot be bound: " + Libc.strerror(errno) + ".");
        };
    }

    /** "port 4500 on 192.0.2.1". */
    private static String endpoint(IpAddress address, int port) {
        return (port == 0 ? "an ephemeral port" : "port " + port) + " on " + address;
    }

    /** The host builds the IP header and fragments a datagram itself: a fragment cannot be sent. */
    @Override
    public boolean sendsFragments() {
        return false;
    }

    @Override
    public int rxQueues() {
        return 1;
    }

    @Override
    public int receive(int queue, PacketBatch batch) {
        if (closed || queue != 0) {
            return 0;
        }
        long now = 0;
        int added = 0;
        if (answersPending > 0) {
            now = System.nanoTime();
            added = takeAnswers(batch, now);
        }
        Receiver r = receiver;
        while (batch.count() < batch.capacity()) {
            int wanted = Math.min(batch.capacity() - batch.count(), SLOTS);
            int n = read(r, wanted);
            if (n <= 0) {
                break;
            }
            if (now == 0) {
                now = System.nanoTime();
            }
            added += deliver(r, n, batch, now);
            if (n < wanted) {
                break;
            }
        }
        return added;
    }

    /**
     * One recvmmsg of up to {@code wanted} datagrams into the receiver's slots; how many came. A
     * failure is taken as "nothing there": on a bound, unconnected UDP socket polled with
     * MSG_DONTWAIT it is EAGAIN (ICMP errors are not reported without IP_RECVERR).
     */
    private int read(Receiver r, int wanted) {
        MemorySegment messages = r.messages;
        for (int i = 0; i < wanted; i++) {
            // Value-result: the kernel shrinks it to the length of the address it wrote.
            messages.set(JAVA_INT, i * MMSGHDR_SIZE + UdpNative.MSG_NAMELEN, r.nameLength);
        }
        return Math.max(0, UdpNative.recvmmsg(fd, messages, wanted, UdpNative.MSG_DONTWAIT));
    }

    /** Turns the {@code n} datagrams in the receiver's slots into frames in the batch; returns how many. */
    private int deliver(Receiver r, int n, PacketBatch batch, long now) {
        MemorySegment messages = r.messages;
        int headers = v6 ? UdpFrames.V6_HEADERS : UdpFrames.V4_HEADERS;
        int added = 0;
        long bytes = 0;
        long errors = 0;
        for (int i = 0; i < n; i++) {
            long m = i * MMSGHDR_SIZE;
            int length = messages.get(JAVA_INT, m + UdpNative.MSG_LEN);
            if ((messages.get(JAVA_INT, m + UdpNative.MSG_FLAGS) & UdpNative.MSG_TRUNC) != 0) {
                errors++;
                continue;
            }
            PacketBuffer p = batch.next();
            if (headers + length > p.data.length - p.offset) {
                errors++;
                continue;
            }
            MemorySegment.copy(r.buffers, JAVA_BYTE, (long) i * SLOT_SIZE, p.data, p.offset + headers, length);
            long name = (long) i * SOCKADDR_SLOT;
            int sport = r.names.get(UdpNative.NET_SHORT, name + 2) & 0xFFFF;
            if (v6) {
                UdpFrames.ipv6Udp(p.data, p.offset, linkMac, peerMac, r.names.get(UdpNative.NET_LONG, name + 8),
                        r.names.get(UdpNative.NET_LONG, name + 16), sport, localHi, localLo, localPort, length);
            } else {
                r.ipId = (r.ipId + 1) & 0xFFFF;
                UdpFrames.ipv4Udp(p.data, p.offset, linkMac, peerMac, r.names.get(UdpNative.NET_INT, name + 4), sport,
                        (int) localLo, localPort, length, r.ipId);
            }
            p.length = headers + length;
            p.rxNanos = now;
            batch.commit();
            added++;
            bytes += length;
        }
        // Written by the one worker that owns the queue; read by details().
        rxDatagrams += added;
        rxBytes += bytes;
        if (errors > 0) {
            rxErrors += errors;
        }
        return added;
    }

    /** Hands queued ARP replies and neighbour advertisements to the dataplane as received frames. */
    private int takeAnswers(PacketBatch batch, long now) {
        int added = 0;
        synchronized (answers) {
            while (answerCount > 0 && batch.count() < batch.capacity()) {
                PacketBuffer p = batch.next();
                int length = answerLength[answerHead];
                System.arraycopy(answers[answerHead], 0, p.data, p.offset, length);
                p.length = length;
                p.rxNanos = now;
                batch.commit();
                added++;
                answerHead = (answerHead + 1) % ANSWER_SLOTS;
                answerCount--;
            }
            answersPending = answerCount;
        }
        return added;
    }

    /** Queues an answer built in {@code frame}; false if the queue is full. */
    private boolean queueAnswer(byte[] frame, int length) {
        synchronized (answers) {
            if (answerCount == ANSWER_SLOTS) {
                answersDropped.increment();
                return false;
            }
            int slot = (answerHead + answerCount) % ANSWER_SLOTS;
            System.arraycopy(frame, 0, answers[slot], 0, length);
            answerLength[slot] = length;
            answerCount++;
            answersPending = answerCount;
            return true;
        }
    }

    @Override
    public boolean transmit(PacketBuffer packet) {
        byte[] b = packet.data;
        int off = packet.offset;
        int len = packet.length;
        if (closed) {
            return false;
        }
        if (len < UdpFrames.ETH || off < 0 || len > b.length - off) {
            return refuseNotUdp();
        }
        int type = Ethernet.type(b, off);
        int ip = off + UdpFrames.ETH;
        int avail = len - UdpFrames.ETH;
        int udp;
        int udpLength;
        int dport;
        long dstHi = 0;
        long dstLo;
        if (type == FlowKey.ETH_P_IPV4) {
            int ihl = avail < Ipv4.MIN_HEADER_LEN ? 0 : Ipv4.headerLength(b, ip);
            int total = ihl == 0 ? 0 : Ipv4.totalLength(b, ip);
            if (ihl < Ipv4.MIN_HEADER_LEN || Ipv4.version(b, ip) != 4 || ihl > avail || total > avail
                    || total < ihl + Udp.HEADER_LEN || Ipv4.protocol(b, ip) != Udp.PROTO
                    || (Ipv4.flagsFragment(b, ip) & (Ipv4.FLAG_MF | Ipv4.FRAGMENT_OFFSET_MASK)) != 0) {
                return refuseNotUdp();
            }
            udp = ip + ihl;
            udpLength = Udp.length(b, udp);
            if (udpLength < Udp.HEADER_LEN || udpLength > total - ihl) {
                return refuseNotUdp();
            }
            if (v6 || Ipv4.src(b, ip) != (int) localLo || Udp.srcPort(b, udp) != localPort) {
                txWrongSource.increment();
                return false;
            }
            dstLo = Ipv4.dst(b, ip) & 0xFFFF_FFFFL;
        } else if (type == FlowKey.ETH_P_IPV6) {
            if (avail < Ipv6.HEADER_LEN + Udp.HEADER_LEN || Ipv6.version(b, ip) != 6) {
                return refuseNotUdp();
            }
            int payload = Ipv6.payloadLength(b, ip);
            if (Ipv6.nextHeader(b, ip) != Udp.PROTO) {
                return answerNeighbourSolicitation(b, off, len);
            }
            udp = ip + Ipv6.HEADER_LEN;
            udpLength = Udp.length(b, udp);
            if (payload > avail - Ipv6.HEADER_LEN || udpLength < Udp.HEADER_LEN || udpLength > payload) {
                return refuseNotUdp();
            }
            if (!v6 || Ipv6.srcHi(b, ip) != localHi || Ipv6.srcLo(b, ip) != localLo || Udp.srcPort(b, udp) != localPort) {
                txWrongSource.increment();
                return false;
            }
            dstHi = Ipv6.dstHi(b, ip);
            dstLo = Ipv6.dstLo(b, ip);
        } else if (type == FlowKey.ETH_P_ARP) {
            return answerArpRequest(b, off, len);
        } else {
            return refuseNotUdp();
        }
        dport = Udp.dstPort(b, udp);
        followLinkMac(Ethernet.src(b, off));
        return send(b, udp + Udp.HEADER_LEN, udpLength - Udp.HEADER_LEN, dstHi, dstLo, dport);
    }

    /** sendto of {@code b[offset, offset+length)} to (address, port), through this thread's buffer. */
    private boolean send(byte[] b, int offset, int length, long dstHi, long dstLo, int dport) {
        Sender s = sender.get();
        MemorySegment.copy(b, offset, s.buffer(), JAVA_BYTE, 0, length);
        int addressLength = UdpNative.writeSockaddr(s.address(), v6, dstHi, dstLo, dport);
        long sent = UdpNative.sendto(fd, s.buffer(), length, UdpNative.MSG_DONTWAIT, s.address(), addressLength);
        if (sent < 0) {
            // Rare: once more, capturing errno to say why. A datagram is sent whole or not at all,
            // so the retry cannot duplicate one; if it gets through (ENOBUFS passed), so much the better.
            sent = UdpNative.sendtoCapturing(s.callState(), fd, s.buffer(), length, UdpNative.MSG_DONTWAIT, s.address(), addressLength);
            if (sent < 0) {
                txErrors.increment();
                lastTxErrno = Libc.errno(s.callState());
                return false;
            }
        }
        txDatagrams.increment();
        txBytes.add(length);
        return true;
    }

    private boolean refuseNotUdp() {
        txNotUdp.increment();
        return false;
    }

    /** The dataplane writes the link's MAC as the source of what it sends: synthesized frames go back to it. */
    private void followLinkMac(long mac) {
        if (mac != linkMac && mac != 0 && !Ethernet.isMulticast(mac) && mac != peerMac) {
            linkMac = mac;
        }
    }

    private boolean answerArpRequest(byte[] b, int off, int len) {
        Sender s = sender.get();
        int length = UdpFrames.arpReply(b, off, len, peerMac, v6 ? 0 : (int) localLo, s.answer());
        if (length == 0) {
            return refuseNotUdp();
        }
        followLinkMac(Ethernet.src(b, off));
        if (!queueAnswer(s.answer(), length)) {
            return false;
        }
        arpAnswered.increment();
        return true;
    }

    private boolean answerNeighbourSolicitation(byte[] b, int off, int len) {
        Sender s = sender.get();
        int length = UdpFrames.neighbourAdvert(b, off, len, peerMac, v6, localHi, localLo, s.answer());
        if (length == 0) {
            return refuseNotUdp();
        }
        followLinkMac(Ethernet.src(b, off));
        if (!queueAnswer(s.answer(), length)) {
            return false;
        }
        ndAnswered.increment();
        return true;
    }

    @Override
    public long rxErrors() {
        return rxErrors;
    }

    /** The port the socket is bound to (the kernel's choice when the options said 0). */
    int localPort() {
        return localPort;
    }

    long peerMac() {
        return peerMac;
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("local", local.toString());
        d.put("port", Integer.toString(localPort));
        d.put("peer_mac", new MacAddress(peerMac).toString());
        d.put("rx_datagrams", Long.toString(rxDatagrams));
        d.put("rx_bytes", Long.toString(rxBytes));
        d.put("rx_errors", Long.toString(rxErrors));
        d.put("tx_datagrams", Long.toString(txDatagrams.sum()));
        d.put("tx_bytes", Long.toString(txBytes.sum()));
        d.put("tx_not_udp", Long.toString(txNotUdp.sum()));
        d.put("tx_wrong_source", Long.toString(txWrongSource.sum()));
        d.put("tx_errors", Long.toString(txErrors.sum()));
        int txErrno = lastTxErrno;
        if (txErrno != 0) {
            d.put("tx_error", Libc.strerror(txErrno));
        }
        d.put("arp_answered", Long.toString(arpAnswered.sum()));
        d.put("nd_answered", Long.toString(ndAnswered.sum()));
        long dropped = answersDropped.sum();
        if (dropped > 0) {
            d.put("answers_dropped", Long.toString(dropped));
        }
        if (loopback) {
            d.put("warning", "the dataplane drops loopback addresses as martians: bind a real address of the host");
        }
        return d;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(fd);
    }
}
