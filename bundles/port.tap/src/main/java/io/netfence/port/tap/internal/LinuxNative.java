package io.netfence.port.tap.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.netfence.net.spi.Libc;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The few libc calls a TAP port needs, bound with the FFM API. Calls that can fail capture
 * {@code errno} into a caller-supplied segment ({@link Libc#newCallState}), so a worker reuses one
 * segment per queue and nothing is allocated per call. Constants are the Linux x86-64/arm64 values.
 */
final class LinuxNative {
    static final int O_RDWR = 0x2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int ENXIO = 6;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;

    /** _IOW('T', 202, int) */
    static final long TUNSETIFF = 0x400454CAL;
    /** _IOR('T', 210, unsigned int) */
    static final long TUNGETIFF = 0x800454D2L;
    static final long SIOCGIFFLAGS = 0x8913;
    static final long SIOCSIFFLAGS = 0x8914;
    static final long SIOCGIFMTU = 0x8921;
    static final long SIOCSIFMTU = 0x8922;
    static final long SIOCGIFINDEX = 0x8933;

    static final short IFF_UP = 0x1;
    static final short IFF_TAP = 0x0002;
    static final short IFF_MULTI_QUEUE = 0x0100;
    static final short IFF_NO_PI = 0x1000;

    /** struct ifreq: a 16-byte name, then a union (flags, mtu, ifindex...) at offset 16. */
    static final int IFREQ_SIZE = 40;
    static final int IFNAMSIZ = 16;
    static final int IFREQ_UNION = 16;


    // open, ioctl and fcntl are variadic in C: say where the variadic part starts so the ABI is right.
    private static final MethodHandle OPEN = Libc.bind("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Libc.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL = Libc.bind("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Libc.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = Libc.bind("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Libc.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = Libc.bind("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), Libc.CAPTURE_ERRNO);
    private static final MethodHandle WRITE = Libc.bind("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), Libc.CAPTURE_ERRNO);

    private LinuxNative() {
    }

    static int open(MemorySegment state, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(state, path, flags, 0);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    static int ioctl(MemorySegment state, int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    static int fcntl(MemorySegment state, int fd, int command, int arg) {
        try {
            return (int) FCNTL.invokeExact(state, fd, command, arg);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    static long read(MemorySegment state, int fd, MemorySegment buffer, long count) {
        try {
            return (long) READ.invokeExact(state, fd, buffer, count);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    static long write(MemorySegment state, int fd, MemorySegment buffer, long count) {
        try {
            return (long) WRITE.invokeExact(state, fd, buffer, count);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
