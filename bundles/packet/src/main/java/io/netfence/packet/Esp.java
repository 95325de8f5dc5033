package io.netfence.packet;

/** The ESP header (RFC 4303): SPI and sequence number, then the IV and ciphertext. */
public final class Esp {
    public static final int HEADER_LEN = 8;
    public static final int PROTO = 50;

    private Esp() {
    }

    /** The SPI, unsigned 32 bits held in an int. */
    public static int spi(byte[] b, int off) {
        return Bytes.i32(b, off);
    }

    /** The (low 32 bits of the) sequence number, unsigned 32 bits held in an int. */
    public static int seq(byte[] b, int off) {
        return Bytes.i32(b, off + 4);
    }

    public static void write(byte[] b, int off, int spi, int seq) {
        Bytes.put32(b, off, spi);
        Bytes.put32(b, off + 4, seq);
    }
}
