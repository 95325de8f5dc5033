package io.netfence.port.udp.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.netfence.net.spi.Libc;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;

/**
 * The libc socket calls a UDP port needs, bound with the FFM API through {@link Libc} (shared with
 * the TAP driver): control-path calls capture {@code errno} into a caller-supplied segment
 * ({@link Libc#newCallState}); the packet path's calls do not (see below).
 * Constants and struct layouts are Linux LP64 (x86-64 and arm64 agree on all of them).
 */
final class UdpNative {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;

    static final int EPERM = 1;
    static final int EACCES = 13;
    static final int EINVAL = 22;
    static final int EAFNOSUPPORT = 97;
    static final int EADDRINUSE = 98;
    static final int EADDRNOTAVAIL = 99;

    /** struct sockaddr_in: family (host order), port (network order), address, 8 bytes of zero. */
    static final int SOCKADDR_IN_SIZE = 16;
    /** struct sockaddr_in6: family, port, flowinfo, 16-byte address, scope id. */
    static final int SOCKADDR_IN6_SIZE = 28;

    /** struct iovec { void *iov_base; size_t iov_len; } */
    static final StructLayout IOVEC = MemoryLayout.structLayout(ADDRESS.withName("iov_base"), JAVA_LONG.withName("iov_len"));
    /** struct msghdr, with the padding LP64 gives it. */
    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"), JAVA_INT.withName("msg_namelen"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"), JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"), JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"), MemoryLayout.paddingLayout(4));
    /** struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; } */
    static final StructLayout MMSGHDR = MemoryLayout.structLayout(MSGHDR.withName("msg_hdr"), JAVA_INT.withName("msg_len"),
            MemoryLayout.paddingLayout(4));
    static final long MSG_NAME = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_name"));
    static final long MSG_NAMELEN = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_namelen"));
    static final long MSG_IOV = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_iov"));
    static final long MSG_IOVLEN = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_iovlen"));
    static final long MSG_FLAGS = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_flags"));
    static final long MSG_LEN = MMSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_len"));

    /** Network-order views for ports and addresses inside socket addresses. */
    static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt NET_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong NET_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);


    private static final MethodHandle BIND = Libc.bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), Libc.CAPTURE_ERRNO);
    private static final MethodHandle GETSOCKNAME = Libc.bind("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS),
            Libc.CAPTURE_ERRNO);
    /*
     * The packet path's calls do not capture errno: the JDK's capturing adapter slices the capture
     * segment on every call, and C2 does not always scalar-replace that slice (seen here: 32 bytes
     * per call for the life of the JVM, idle polls included). recvmmsg on a bound, unconnected UDP
     * socket fails with nothing but EAGAIN in practice, and a failed sendto is retried once with
     * errno captured to learn why (see UdpDevice.send).
     */
    private static final MethodHandle RECVMMSG = Libc.bind("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final FunctionDescriptor SENDTO_DESCRIPTOR = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT,
            ADDRESS, JAVA_INT);
    private static final MethodHandle SENDTO = Libc.bind("sendto", SENDTO_DESCRIPTOR);
    private static final MethodHandle SENDTO_CAPTURING = Libc.bind("sendto", SENDTO_DESCRIPTOR, Libc.CAPTURE_ERRNO);

    private UdpNative() {
    }

    static int bind(MemorySegment state, int fd, MemorySegment address, int length) {
        try {
            return (int) BIND.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** {@code length} holds the size of {@code address} on entry (an int) and the size written on return. */
    static int getsockname(MemorySegment state, int fd, MemorySegment address, MemorySegment length) {
        try {
            return (int) GETSOCKNAME.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** recvmmsg(2) without a timeout: how many messages were received, or -1 (errno not kept). */
    static int recvmmsg(int fd, MemorySegment messages, int count, int flags) {
        try {
            return (int) RECVMMSG.invokeExact(fd, messages, count, flags, MemorySegment.NULL);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** sendto(2): the bytes sent, or -1 (errno not kept: see {@link #sendtoCapturing}). */
    static long sendto(int fd, MemorySegment buffer, long length, int flags, MemorySegment address, int addressLength) {
        try {
            return (long) SENDTO.invokeExact(fd, buffer, length, flags, address, addressLength);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** sendto(2) leaving errno in {@code state}; may allocate, so only for the error path. */
    static long sendtoCapturing(MemorySegment state, int fd, MemorySegment buffer, long length, int flags, MemorySegment address,
            int addressLength) {
        try {
            return (long) SENDTO_CAPTURING.invokeExact(state, fd, buffer, length, flags, address, addressLength);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** Writes a sockaddr_in or sockaddr_in6 for (address, port) at offset 0 of {@code sa}; returns its length. */
    static int writeSockaddr(MemorySegment sa, boolean v6, long hi, long lo, int port) {
        if (v6) {
            sa.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) AF_INET6);
            sa.set(NET_SHORT, 2, (short) port);
            sa.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 0);
            sa.set(NET_LONG, 8, hi);
            sa.set(NET_LONG, 16, lo);
            sa.set(ValueLayout.JAVA_INT_UNALIGNED, 24, 0);
            return SOCKADDR_IN6_SIZE;
        }
        sa.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) AF_INET);
        sa.set(NET_SHORT, 2, (short) port);
        sa.set(NET_INT, 4, (int) lo);
        sa.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 0L);
        return SOCKADDR_IN_SIZE;
    }
}
