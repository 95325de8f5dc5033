package io.netfence.port.pcap.internal;

/** Constants of the classic libpcap file format (not pcapng). */
final class PcapFormat {
    /** Magic of a file with microsecond timestamps, as read in the file's own byte order. */
    static final int MAGIC_MICROSECONDS = 0xA1B2C3D4;
    /** Magic of a file with nanosecond timestamps. */
    static final int MAGIC_NANOSECONDS = 0xA1B23C4D;
    /** Block type of a pcapng section header: the same in both byte orders. */
    static final int PCAPNG_SECTION_HEADER = 0x0A0D0D0A;
    static final int VERSION_MAJOR = 2;
    static final int VERSION_MINOR = 4;
    static final int LINKTYPE_ETHERNET = 1;
    /** Bit 28 of the link-type field: the frames carry an FCS of (bits 29-31) 16-bit words. */
    static final int LINKTYPE_FCS_PRESENT = 0x1000_0000;

    static final int FILE_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;
    /** libpcap's largest snapshot length; a record claiming more is garbage, not a packet. */
    static final int MAX_RECORD_LENGTH = 262_144;

    private PcapFormat() {
    }
}
