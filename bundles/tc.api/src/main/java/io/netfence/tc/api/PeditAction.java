package io.netfence.tc.api;

import java.util.List;

/**
 * {@code pedit ex munge ...}: edits 32-bit words of the packet, as the kernel holds them. Each key
 * is relative to a header ({@code eth}, {@code ip4}, {@code ip6}, {@code tcp}, {@code udp}; or the
 * network header for {@code offset N} forms); {@code set} replaces the bits outside {@code mask}
 * with {@code value}, {@code add} adds {@code value} to the word's bits outside {@code mask}
 * ({@code ip ttl add 0xff} decrements the TTL). Checksums are not fixed here: follow with
 * {@link CsumAction}, as with Linux.
 */
public record PeditAction(int index, Control control, List<Key> keys) implements Action {
    public enum Header {
        NETWORK("network"),
        ETH("eth"),
        IP4("ipv4"),
        IP6("ipv6"),
        TCP("tcp"),
        UDP("udp");

        private final String word;

        Header(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    public enum Cmd {
        SET,
        ADD
    }

    /** One word: {@code mask} has the bits that are kept (as the kernel's tc_pedit_key). */
    public record Key(Header header, int offset, int value, int mask, Cmd cmd) {
        public Key {
            if (header == null || cmd == null) {
                throw new TcException("munge: expected a header and set or add");
            }
            if (offset % 4 != 0) {
                throw new TcException("pedit: key offsets are word-aligned (multiple of 4)");
            }
            if (header == Header.ETH && offset < -16) {
                throw new TcException("pedit eth: offset out of the Ethernet header");
            }
            value &= ~mask;
        }
    }

    public PeditAction {
        keys = List.copyOf(keys);
        if (keys.isEmpty()) {
            throw new TcException("pedit: expected at least one munge");
        }
        if (keys.size() > 128) {
            throw new TcException("pedit: at most 128 keys");
        }
        if (control == null) {
            control = Control.OK;
        }
    }

    @Override
    public String kind() {
        return "pedit";
    }

    @Override
    public Action withIndex(int i) {
        return new PeditAction(i, control, keys);
    }
}
