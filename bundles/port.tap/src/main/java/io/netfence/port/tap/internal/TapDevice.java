package io.netfence.port.tap.internal;

import io.netfence.net.spi.Libc;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.netfence.net.api.NetException;
import io.netfence.net.spi.PortDevice;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Linux TAP interface: the kernel sees an Ethernet device, and every frame it sends there is read
 * here (and vice versa). One non-blocking descriptor per RX queue (IFF_MULTI_QUEUE when there are
 * several). Frames move through native buffers allocated once: one per queue for reads, one per
 * transmitting thread for writes.
 *
 * <p>Native buffers live in automatic arenas, freed by the garbage collector once unreachable, so a
 * call racing with {@link #close} can fail on a closed descriptor but never touches freed memory.
 */
final class TapDevice implements PortDevice {
    static final int MAX_QUEUES = 256;
    /** Larger than any frame a TAP delivers (its MTU tops out below 64 KiB), so reads are never cut short. */
    static final int IO_BUFFER_SIZE = 65536;
    private static final String TUN_PATH = "/dev/net/tun";

    private final int[] fds;
    private final ReceiveQueue[] queues;
    private final int ifindex;
    private final ThreadLocal<TransmitContext> transmitContext;
    private final AtomicInteger nextTransmitQueue = new AtomicInteger();
    private volatile String kernelName;
    private volatile String kernelError;
    private volatile boolean closed;

    /** What the worker owning a queue reuses for every read. */
    private static final class ReceiveQueue {
        final int fd;
        final MemorySegment buffer;
        final MemorySegment callState;
        volatile long errors;

        ReceiveQueue(int fd, Arena arena) {
            this.fd = fd;
            this.buffer = arena.allocate(IO_BUFFER_SIZE);
            this.callState = Libc.newCallState(arena);
        }
    }

    /** What a transmitting thread reuses for every write: its own buffer and a queue descriptor. */
    private record TransmitContext(int fd, MemorySegment buffer, MemorySegment callState) {
    }

    private TapDevice(String kernelName, int[] fds, int ifindex) {
        this.kernelName = kernelName;
        this.fds = fds;
        this.ifindex = ifindex;
        Arena arena = Arena.ofAuto();
        this.queues = new ReceiveQueue[fds.length];
        for (int q = 0; q < fds.length; q++) {
            queues[q] = new ReceiveQueue(fds[q], arena);
        }
        this.transmitContext = ThreadLocal.withInitial(this::newTransmitContext);
    }

    private TransmitContext newTransmitContext() {
        Arena arena = Arena.ofAuto();
        int fd = fds[Math.floorMod(nextTransmitQueue.getAndIncrement(), fds.length)];
        return new TransmitContext(fd, arena.allocate(IO_BUFFER_SIZE), Libc.newCallState(arena));
    }

    /** Creates (or attaches to) the kernel TAP interface {@code name} with {@code queueCount} queues. */
    static TapDevice open(String name, int queueCount, int mtu) {
        int n = Math.clamp(queueCount, 1, MAX_QUEUES);
        int[] fds = new int[n];
        int opened = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newCallState(arena);
            MemorySegment path = arena.allocateFrom(TUN_PATH);
            MemorySegment ifr = arena.allocate(LinuxNative.IFREQ_SIZE);
            short flags = (short) (LinuxNative.IFF_TAP | LinuxNative.IFF_NO_PI | (n > 1 ? LinuxNative.IFF_MULTI_QUEUE : 0));
            for (int q = 0; q < n; q++) {
                int fd = LinuxNative.open(state, path, LinuxNative.O_RDWR | LinuxNative.O_CLOEXEC);
                if (fd < 0) {
                    throw tunUnavailable(Libc.errno(state));
                }
                fds[opened++] = fd;
                setName(ifr, name);
                ifr.set(JAVA_SHORT, LinuxNative.IFREQ_UNION, flags);
                if (LinuxNative.ioctl(state, fd, LinuxNative.TUNSETIFF, ifr) < 0) {
                    throw interfaceRefused(name, n, Libc.errno(state));
                }
                int fileFlags = LinuxNative.fcntl(state, fd, LinuxNative.F_GETFL, 0);
                if (fileFlags < 0 || LinuxNative.fcntl(state, fd, LinuxNative.F_SETFL, fileFlags | LinuxNative.O_NONBLOCK) < 0) {
                    throw new NetException("TAP interface " + name + " cannot be made non-blocking: "
                            + Libc.strerror(Libc.errno(state)) + ".");
                }
            }
            TapDevice device = new TapDevice(ifr.getString(0), fds, interfaceIndex(arena, state, name));
            device.applyKernelState(mtu, -1);
            return device;
        } catch (RuntimeException | Error e) {
            for (int i = 0; i < opened; i++) {
                Libc.close(fds[i]);
            }
            throw e;
        }
    }

    static NetException tunUnavailable(int errno) {
        return switch (errno) {
            case LinuxNative.ENOENT -> new NetException(TUN_PATH + " does not exist: load the tun module (modprobe tun)"
                    + " or, in a container, pass the device in (--device " + TUN_PATH + ").");
            case LinuxNative.EACCES, LinuxNative.EPERM -> new NetException(TUN_PATH + " cannot be opened (permission denied):"
                    + " run Netfence as root or give it CAP_NET_ADMIN and access to the device.");
            case LinuxNative.ENODEV, LinuxNative.ENXIO -> new NetException(TUN_PATH + " has no driver behind it: load the tun module (modprobe tun).");
            default -> new NetException(TUN_PATH + " cannot be opened: " + Libc.strerror(errno) + ".");
        };
    }

    static NetException interfaceRefused(String name, int queues, int errno) {
        return switch (errno) {
            case LinuxNative.EPERM -> new NetException("creating TAP interface " + name
                    + " needs CAP_NET_ADMIN: run Netfence as root or grant it that capability.");
            case LinuxNative.EBUSY -> new NetException("kernel interface " + name
                    + " is already in use by another program: choose another name with ifname KERNELNAME.");
            case LinuxNative.EINVAL -> new NetException("kernel interface " + name + " already exists and is not a "
                    + (queues > 1 ? "multi-queue" : "single-queue") + " TAP device: delete it or choose another name with ifname KERNELNAME.");
            default -> new NetException("TAP interface " + name + " cannot be created: " + Libc.strerror(errno) + ".");
        };
    }

    private static void setName(MemorySegment ifr, String name) {
        ifr.fill((byte) 0);
        ifr.setString(0, name);
    }

    /** The interface's index in this network namespace, or -1. */
    private static int interfaceIndex(Arena arena, MemorySegment state, String name) {
        int sock = Libc.socket(state, LinuxNative.AF_INET, LinuxNative.SOCK_DGRAM | LinuxNative.SOCK_CLOEXEC, 0);
        if (sock < 0) {
            return -1;
        }
        try {
            MemorySegment ifr = arena.allocate(LinuxNative.IFREQ_SIZE);
            setName(ifr, name);
            return LinuxNative.ioctl(state, sock, LinuxNative.SIOCGIFINDEX, ifr) < 0 ? -1 : ifr.get(JAVA_INT, LinuxNative.IFREQ_UNION);
        } finally {
            Libc.close(sock);
        }
    }

    @Override
    public int rxQueues() {
        return queues.length;
    }

    @Override
    public int receive(int queue, PacketBatch batch) {
        if (closed || queue < 0 || queue >= queues.length) {
            return 0;
        }
        ReceiveQueue q = queues[queue];
        int added = 0;
        long errors = 0;
        long now = 0;
        while (batch.count() < batch.capacity()) {
            long n = LinuxNative.read(q.callState, q.fd, q.buffer, IO_BUFFER_SIZE);
            if (n <= 0) {
                if (n < 0) {
                    int errno = Libc.errno(q.callState);
                    if (errno != LinuxNative.EAGAIN && errno != LinuxNative.EINTR) {
                        errors++;
                    }
                }
                break;
            }
            PacketBuffer p = batch.next();
            if (n > p.data.length - p.offset) {
                errors++;
                continue;
            }
            MemorySegment.copy(q.buffer, JAVA_BYTE, 0, p.data, p.offset, (int) n);
            p.length = (int) n;
            if (now == 0) {
                now = System.nanoTime();
            }
            p.rxNanos = now;
            batch.commit();
            added++;
        }
        if (errors > 0) {
            q.errors += errors;
        }
        return added;
    }

    @Override
    public boolean transmit(PacketBuffer packet) {
        int length = packet.length;
        if (closed || length <= 0 || length > IO_BUFFER_SIZE) {
            return false;
        }
        TransmitContext t = transmitContext.get();
        MemorySegment.copy(packet.data, packet.offset, t.buffer(), JAVA_BYTE, 0, length);
        // One write is one frame; the kernel takes it whole or not at all (EIO while the interface is down).
        return LinuxNative.write(t.callState(), t.fd(), t.buffer(), length) == length;
    }

    @Override
    public long rxErrors() {
        long sum = 0;
        for (ReceiveQueue q : queues) {
            sum += q.errors;
        }
        return sum;
    }

    /** Mirrors the link's state on the kernel side: up/down and MTU. */
    @Override
    public synchronized void configure(boolean up, int mtu) {
        if (!closed) {
            applyKernelState(mtu, up ? 1 : 0);
        }
    }

    /**
     * Sets the kernel interface's MTU (if {@code mtu > 0}) and admin state ({@code up}: 1 up, 0 down,
     * -1 leave). The user may have moved the interface to another network namespace, where our
     * ioctls cannot reach it: that is expected and skipped quietly; the descriptors keep working.
     */
    private void applyKernelState(int mtu, int up) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newCallState(arena);
            MemorySegment ifr = arena.allocate(LinuxNative.IFREQ_SIZE);
            // The descriptor knows the interface's current name, even after a rename.
            ifr.fill((byte) 0);
            if (LinuxNative.ioctl(state, fds[0], LinuxNative.TUNGETIFF, ifr) == 0) {
                kernelName = ifr.getString(0);
            }
            String name = kernelName;
            int sock = Libc.socket(state, LinuxNative.AF_INET, LinuxNative.SOCK_DGRAM | LinuxNative.SOCK_CLOEXEC, 0);
            if (sock < 0) {
                kernelError = "socket: " + Libc.strerror(Libc.errno(state));
                return;
            }
            try {
                setName(ifr, name);
                if (LinuxNative.ioctl(state, sock, LinuxNative.SIOCGIFINDEX, ifr) < 0) {
                    int errno = Libc.errno(state);
                    kernelError = errno == LinuxNative.ENODEV ? null : "ifindex: " + Libc.strerror(errno);
                    return;
                }
                if (ifindex >= 0 && ifr.get(JAVA_INT, LinuxNative.IFREQ_UNION) != ifindex) {
                    // Same name, another device: ours lives in another namespace now.
                    kernelError = null;
                    return;
                }
                String error = null;
                if (mtu > 0) {
                    setName(ifr, name);
                    if (LinuxNative.ioctl(state, sock, LinuxNative.SIOCGIFMTU, ifr) == 0 && ifr.get(JAVA_INT, LinuxNative.IFREQ_UNION) != mtu) {
                        setName(ifr, name);
                        ifr.set(JAVA_INT, LinuxNative.IFREQ_UNION, mtu);
                        if (LinuxNative.ioctl(state, sock, LinuxNative.SIOCSIFMTU, ifr) < 0 && Libc.errno(state) != LinuxNative.ENODEV) {
                            error = "mtu " + mtu + ": " + Libc.strerror(Libc.errno(state));
                        }
                    }
                }
                if (up >= 0) {
                    setName(ifr, name);
                    if (LinuxNative.ioctl(state, sock, LinuxNative.SIOCGIFFLAGS, ifr) == 0) {
                        short flags = ifr.get(JAVA_SHORT, LinuxNative.IFREQ_UNION);
                        short wanted = (short) (up == 1 ? flags | LinuxNative.IFF_UP : flags & ~LinuxNative.IFF_UP);
                        if (wanted != flags) {
                            setName(ifr, name);
                            ifr.set(JAVA_SHORT, LinuxNative.IFREQ_UNION, wanted);
                            if (LinuxNative.ioctl(state, sock, LinuxNative.SIOCSIFFLAGS, ifr) < 0 && Libc.errno(state) != LinuxNative.ENODEV) {
                                error = (up == 1 ? "up: " : "down: ") + Libc.strerror(Libc.errno(state));
                            }
                        }
                    }
                }
                kernelError = error;
            } finally {
                Libc.close(sock);
            }
        }
    }

    @Override
    public synchronized Map<String, String> details() {
        if (!closed) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ifr = arena.allocate(LinuxNative.IFREQ_SIZE);
                if (LinuxNative.ioctl(Libc.newCallState(arena), fds[0], LinuxNative.TUNGETIFF, ifr) == 0) {
                    kernelName = ifr.getString(0);
                }
            }
        }
        Map<String, String> d = new LinkedHashMap<>();
        d.put("ifname", kernelName);
        d.put("queues", Integer.toString(queues.length));
        String error = kernelError;
        if (error != null) {
            d.put("kernel_error", error);
        }
        return d;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Closing the last descriptor of a non-persistent TAP removes the kernel interface.
        for (int fd : fds) {
            Libc.close(fd);
        }
    }
}
