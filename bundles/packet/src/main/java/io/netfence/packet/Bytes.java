package io.netfence.packet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Big-endian (network order) reads and writes on byte arrays, without allocation. */
public final class Bytes {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Bytes() {
    }

    public static int u8(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    public static int u16(byte[] b, int off) {
        return (short) SHORT.get(b, off) & 0xFFFF;
    }

    public static int i32(byte[] b, int off) {
        return (int) INT.get(b, off);
    }

    public static long u32(byte[] b, int off) {
        return i32(b, off) & 0xFFFF_FFFFL;
    }

    public static long i64(byte[] b, int off) {
        return (long) LONG.get(b, off);
    }

    public static void put8(byte[] b, int off, int v) {
        b[off] = (byte) v;
    }

    public static void put16(byte[] b, int off, int v) {
        SHORT.set(b, off, (short) v);
    }

    public static void put32(byte[] b, int off, int v) {
        INT.set(b, off, v);
    }

    public static void put64(byte[] b, int off, long v) {
        LONG.set(b, off, v);
    }

    /** Reads a 6-byte MAC into the low 48 bits of a long. */
    public static long getMac(byte[] b, int off) {
        return ((long) u16(b, off) << 32) | (i32(b, off + 2) & 0xFFFF_FFFFL);
    }

    public static void putMac(byte[] b, int off, long mac) {
        put16(b, off, (int) (mac >>> 32));
        put32(b, off + 2, (int) mac);
    }
}
