package io.netfence.tc.syntax;

import io.netfence.tc.api.PeditAction;
import io.netfence.tc.api.PeditAction.Cmd;
import io.netfence.tc.api.PeditAction.Header;
import io.netfence.tc.api.PeditAction.Key;
import io.netfence.tc.api.TcException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code pedit [ex] munge MUNGE [munge MUNGE]...}: each munge becomes one or more 32-bit kernel
 * keys exactly as iproute2's m_pedit packs them (pack_key8/16/32: the value shifted into its
 * aligned word, the mask holding the bits that are kept). Key values and masks are the words as
 * read from the packet in network order ({@code 0x0a000001} is 10.0.0.1), the convention
 * {@link io.netfence.tc.api.U32Match} uses too.
 *
 * <p>Without {@code ex} only {@code set} on network-header fields is allowed, as in tc; typed
 * headers ({@code eth}, {@code ip6}, {@code tcp}, {@code udp}, and {@code ip} under {@code ex})
 * and {@code add}/{@code decrement} need {@code ex}. The reverse ({@link #munges}) finds, for each
 * key or group of keys, the munge that packs back to it, so canonical lines read back to equal
 * actions.
 */
final class PeditSyntax {
    private enum Type {
        NUMBER,
        IPV4,
        IPV6,
        MAC
    }

    /** A named field: its header word, byte offset and width, the bits tc keeps by default (retain). */
    private record Field(String header, String name, int offset, int width, Type type, long retain, boolean decrement, boolean plainOnly) {
        Header htype(boolean ex) {
            return switch (header) {
                case "eth" -> Header.ETH;
                case "ip" -> ex ? Header.IP4 : Header.NETWORK;
                case "ip6" -> Header.IP6;
                case "tcp" -> Header.TCP;
                default -> Header.UDP;
            };
        }
    }

    private static final long R8 = 0xFF;
    private static final long R16 = 0xFFFF;
    private static final long R32 = 0xFFFF_FFFFL;

    private static final List<Field> FIELDS = List.of(
            new Field("eth", "dst", 0, 6, Type.MAC, R32, false, false),
            new Field("eth", "src", 6, 6, Type.MAC, R32, false, false),
            new Field("eth", "type", 12, 2, Type.NUMBER, R16, false, false),
            new Field("ip", "src", 12, 4, Type.IPV4, R32, false, false),
            new Field("ip", "dst", 16, 4, Type.IPV4, R32, false, false),
            new Field("ip", "tos", 1, 1, Type.NUMBER, R8, false, false),
            new Field("ip", "dsfield", 1, 1, Type.NUMBER, R8, false, false),
            new Field("ip", "precedence", 1, 1, Type.NUMBER, R8, false, false),
            new Field("ip", "ihl", 0, 1, Type.NUMBER, 0x0F, false, false),
            new Field("ip", "ttl", 8, 1, Type.NUMBER, R8, true, false),
            new Field("ip", "protocol", 9, 1, Type.NUMBER, R8, false, false),
            new Field("ip", "nofrag", 6, 1, Type.NUMBER, 0x3F, false, false),
            new Field("ip", "firstfrag", 6, 1, Type.NUMBER, 0x1F, false, false),
            new Field("ip", "ce", 6, 1, Type.NUMBER, 0x80, false, false),
            new Field("ip", "df", 6, 1, Type.NUMBER, 0x40, false, false),
            new Field("ip", "mf", 6, 1, Type.NUMBER, 0x20, false, false),
            // Ports through the IPv4 header assume no options; tc allows them only without ex.
            new Field("ip", "sport", 20, 2, Type.NUMBER, R16, false, true),
            new Field("ip", "dport", 22, 2, Type.NUMBER, R16, false, true),
            new Field("ip6", "src", 8, 16, Type.IPV6, R32, false, false),
            new Field("ip6", "dst", 24, 16, Type.IPV6, R32, false, false),
            new Field("ip6", "flow_lbl", 0, 4, Type.NUMBER, 0x0007_FFFF, false, false),
            new Field("ip6", "payload_len", 4, 2, Type.NUMBER, R16, false, false),
            new Field("ip6", "nexthdr", 6, 1, Type.NUMBER, R8, false, false),
            new Field("ip6", "hoplimit", 7, 1, Type.NUMBER, R8, true, false),
            new Field("tcp", "sport", 0, 2, Type.NUMBER, R16, false, false),
            new Field("tcp", "dport", 2, 2, Type.NUMBER, R16, false, false),
            new Field("tcp", "flags", 13, 1, Type.NUMBER, R8, false, false),
            new Field("udp", "sport", 0, 2, Type.NUMBER, R16, false, false),
            new Field("udp", "dport", 2, 2, Type.NUMBER, R16, false, false));

    private static final String MUNGE_FORM = "offset OFF u8|u16|u32, eth src|dst|type, ip src|dst|tos|dsfield|ttl|protocol|ihl..., "
            + "ip6 src|dst|hoplimit|nexthdr|payload_len|flow_lbl, tcp sport|dport|flags or udp sport|dport";
    private static final String CMD_FORM = "set VALUE, add VALUE, decrement (ttl, hoplimit) or clear";

    private PeditSyntax() {
    }

    /** Parses {@code [ex] munge ...} after the word {@code pedit}; returns the keys in order. */
    static List<Key> parse(Words w) {
        // tc takes "pedit" again here (its man page writes "action pedit pedit munge ..."); ex must come first.
        boolean ex = w.take("ex");
        while (!ex && w.take("pedit")) {
            ex = w.take("ex");
        }
        List<Key> keys = new ArrayList<>();
        if (!w.peekIs("munge")) {
            throw w.atEnd() ? Words.missing("pedit", "munge MUNGE") : Words.invalid("pedit", w.peek(), "[ex] munge MUNGE");
        }
        while (w.take("munge")) {
            parseMunge(w, ex, keys);
        }
        if (keys.size() > 128) {
            throw new TcException("pedit: at most 128 keys");
        }
        return keys;
    }

    private static void parseMunge(Words w, boolean ex, List<Key> keys) {
        String header = w.value("munge", MUNGE_FORM);
        if (header.equals("offset")) {
            int offset = w.signed("offset", "a byte offset from the network header");
            String width = w.value("offset", "u8, u16 or u32");
            int bytes = switch (width) {
                case "u8" -> 1;
                case "u16" -> 2;
                case "u32" -> 4;
                default -> throw Words.invalid("offset", width, "u8, u16 or u32");
            };
            if (w.peekIs("at")) {
                throw Words.unsupported("offset", "at", "variable pedit offsets (at OFF offmask M shift S)");
            }
            Field raw = new Field("", "offset", offset, bytes, Type.NUMBER, bytes == 4 ? R32 : bytes == 2 ? R16 : R8, false, false);
            parseCommand(w, raw, Header.NETWORK, ex, keys);
            return;
        }
        if (FIELDS.stream().noneMatch(f -> f.header().equals(header))) {
            throw Words.unknown("munge", "header", header, MUNGE_FORM);
        }
        String name = w.value(header, "a field of " + header);
        Field field = FIELDS.stream().filter(f -> f.header().equals(header) && f.name().equals(name)).findFirst()
                .orElseThrow(() -> Words.unknown("munge " + header, "field", name, fieldNames(header)));
        if (field.plainOnly() && ex) {
            throw new TcException("munge ip " + name + ": not with pedit ex; use tcp|udp " + name);
        }
        parseCommand(w, field, field.htype(ex), ex, keys);
    }

    private static String fieldNames(String header) {
        return String.join(", ", FIELDS.stream().filter(f -> f.header().equals(header)).map(Field::name).toList());
    }

    /** {@code set VALUE | add VALUE | decrement | clear} then {@code [retain MASK]}; packs the keys. */
    private static void parseCommand(Words w, Field field, Header header, boolean ex, List<Key> keys) {
        String where = field.header().isEmpty() ? "offset" : field.header() + " " + field.name();
        String word = w.value(where, CMD_FORM);
        Cmd cmd = Cmd.SET;
        long[] value;
        long retain = field.retain();
        switch (word) {
            case "set", "add" -> {
                cmd = word.equals("add") ? Cmd.ADD : Cmd.SET;
                value = value(w.value(word, valueForm(field)), field, where + " " + word);
            }
            case "decrement" -> {
                if (!field.decrement()) {
                    throw new TcException(where + ": decrement is only for ip ttl and ip6 hoplimit");
                }
                // tc decrements by adding the field's all-ones value (overflow), taken before any retain.
                cmd = Cmd.ADD;
                value = new long[] {field.retain()};
            }
            case "clear" -> value = new long[4];
            case "invert", "preserve" -> throw Words.unsupported(where, word, "expected " + CMD_FORM);
            default -> throw Words.invalid(where, word, CMD_FORM);
        }
        if (cmd == Cmd.ADD && !ex) {
            throw new TcException(where + ": " + word + " needs pedit ex (without ex only set is supported)");
        }
        if (w.take("retain")) {
            retain = w.unsigned("retain", 0, R32, "a 32-bit mask of the bits to change");
            if (field.width() > 4 && retain != R32) {
                throw new TcException("retain: not for fields longer than 32 bits");
            }
        }
        if (!ex && header != Header.NETWORK) {
            throw new TcException("munge " + field.header() + ": needs pedit ex (only ip and offset work without it)");
        }
        pack(field, header, cmd, value, retain, keys, where);
    }

    private static String valueForm(Field field) {
        return switch (field.type()) {
            case IPV4 -> "an IPv4 address";
            case IPV6 -> "an IPv6 address";
            case MAC -> "a MAC address";
            case NUMBER -> "a number";
        };
    }

    /** The value words: one number, or the address as 32-bit words (MAC: 4 + 2 bytes, IPv6: 4 words). */
    private static long[] value(String word, Field field, String where) {
        switch (field.type()) {
            case IPV4 -> {
                Addresses.Prefix p = Addresses.prefix(word, 4);
                if (p == null) {
                    throw Words.invalid(where, word, "an IPv4 address");
                }
                return new long[] {p.lo()};
            }
            case IPV6 -> {
                Addresses.Prefix p = Addresses.prefix(word, 6);
                if (p == null) {
                    throw Words.invalid(where, word, "an IPv6 address");
                }
                return new long[] {p.hi() >>> 32, p.hi() & R32, p.lo() >>> 32, p.lo() & R32};
            }
            case MAC -> {
                long mac = Addresses.mac(word);
                if (mac < 0) {
                    throw Words.invalid(where, word, "a MAC address aa:bb:cc:dd:ee:ff");
                }
                return new long[] {mac};
            }
            default -> {
                long v = Words.parseUnsigned(word, 0);
                if (v < 0 || v > R32) {
                    throw Words.invalid(where, word, "a 32-bit number");
                }
                return new long[] {v};
            }
        }
    }

    private static void pack(Field field, Header header, Cmd cmd, long[] value, long retain, List<Key> keys, String where) {
        int offset = field.offset();
        switch (field.type()) {
            case MAC -> {
                long mac = value[0];
                if ((offset & 3) == 0) {
                    keys.add(pack32(header, offset, mac >>> 16, R32, cmd));
                    keys.add(pack16(header, offset + 4, mac & R16, R16, cmd, where));
                } else {
                    // A MAC at a 16-bit boundary: its first two bytes end one word, four fill the next.
                    keys.add(pack16(header, offset, mac >>> 32, R16, cmd, where));
                    keys.add(pack32(header, (offset & ~3) + 4, mac & R32, R32, cmd));
                }
            }
            case IPV6 -> {
                for (int i = 0; i < 4; i++) {
                    keys.add(pack32(header, offset + 4 * i, value[i], R32, cmd));
                }
            }
            default -> {
                switch (field.width()) {
                    case 4 -> {
                        if ((offset & 3) != 0) {
                            throw new TcException(where + ": 32-bit offsets must be multiples of 4");
                        }
                        keys.add(pack32(header, offset, value[0], retain, cmd));
                    }
                    case 2 -> keys.add(pack16(header, offset, value[0], retain, cmd, where));
                    default -> keys.add(pack8(header, offset, value[0], retain, cmd, where));
                }
            }
        }
    }

    private static Key pack32(Header header, int offset, long value, long retain, Cmd cmd) {
        int r = (int) retain;
        return new Key(header, offset, (int) value & r, ~r, cmd);
    }

    private static final int[] KEEP16 = {0x0000FFFF, 0xFF0000FF, 0xFFFF0000};
    private static final int[] KEEP8 = {0x00FFFFFF, 0xFF00FFFF, 0xFFFF00FF, 0xFFFFFF00};

    private static Key pack16(Header header, int offset, long value, long retain, Cmd cmd, String where) {
        if (value > R16) {
            throw new TcException(where + ": value " + value + " does not fit 16 bits");
        }
        int ind = offset & 3;
        if (ind == 3) {
            throw new TcException(where + ": a 16-bit field cannot start at the last byte of a word");
        }
        int stride = 8 * (2 - ind);
        int r = (int) retain;
        return new Key(header, offset & ~3, ((int) value & r) << stride, (~r << stride) | KEEP16[ind], cmd);
    }

    private static Key pack8(Header header, int offset, long value, long retain, Cmd cmd, String where) {
        if (value > R8) {
            throw new TcException(where + ": value " + value + " does not fit 8 bits");
        }
        int ind = offset & 3;
        int stride = 8 * (3 - ind);
        int r = (int) retain;
        return new Key(header, offset & ~3, ((int) value & r) << stride, (~r << stride) | KEEP8[ind], cmd);
    }

    /** The munges that pack back to {@code keys}, in order, and whether they need {@code ex}. */
    static String munges(PeditAction action) {
        List<Key> keys = action.keys();
        boolean ex = keys.stream().anyMatch(k -> k.header() != Header.NETWORK || k.cmd() == Cmd.ADD);
        StringBuilder out = new StringBuilder("pedit");
        if (ex) {
            out.append(" ex");
        }
        for (int i = 0; i < keys.size();) {
            String group = group(keys, i, ex);
            if (group != null) {
                out.append(" munge ").append(group);
                i += keys.get(i).header() == Header.IP6 ? 4 : 2;
                continue;
            }
            out.append(" munge ").append(single(keys.get(i), ex));
            i++;
        }
        return out.toString();
    }

    /** A MAC (two keys) or IPv6 address (four keys) munge starting at key {@code i}, or null. */
    private static String group(List<Key> keys, int i, boolean ex) {
        for (Field f : FIELDS) {
            if (f.type() != Type.MAC && f.type() != Type.IPV6) {
                continue;
            }
            int count = f.type() == Type.MAC ? 2 : 4;
            if (i + count > keys.size() || keys.get(i).header() != f.htype(ex)) {
                continue;
            }
            Cmd cmd = keys.get(i).cmd();
            String value;
            List<Key> expected = new ArrayList<>();
            if (f.type() == Type.MAC) {
                long mac = f.offset() % 4 == 0
                        ? (keys.get(i).value() & R32) << 16 | (keys.get(i + 1).value() & R32) >>> 16
                        : (keys.get(i).value() & R16) << 32 | (keys.get(i + 1).value() & R32);
                value = Addresses.formatMac(mac);
                pack(f, f.htype(ex), cmd, new long[] {mac}, R32, expected, f.name());
            } else {
                long[] words = new long[4];
                for (int k = 0; k < 4; k++) {
                    words[k] = keys.get(i + k).value() & R32;
                }
                value = Addresses.formatIpv6(words[0] << 32 | words[1], words[2] << 32 | words[3]);
                pack(f, f.htype(ex), cmd, words, R32, expected, f.name());
            }
            if (expected.equals(keys.subList(i, i + count))) {
                return f.header() + " " + f.name() + " " + word(cmd) + " " + value;
            }
        }
        return null;
    }

    /** The munge that packs to exactly this one key: a named field if one fits, else a raw offset. */
    private static String single(Key key, boolean ex) {
        String fallback = null;
        for (Field f : FIELDS) {
            if (f.type() == Type.MAC || f.type() == Type.IPV6 || f.htype(ex) != key.header() || (f.offset() & ~3) != key.offset()
                    || (f.plainOnly() && ex)) {
                continue;
            }
            int stride = f.width() == 4 ? 0 : 8 * (4 - f.width() - (f.offset() & 3));
            long fieldMask = f.width() == 4 ? R32 : f.width() == 2 ? R16 : R8;
            long retain = ~((key.mask() & R32) >>> stride) & fieldMask;
            long value = (key.value() & R32) >>> stride & fieldMask;
            List<Key> expected = new ArrayList<>();
            try {
                pack(f, key.header(), key.cmd(), new long[] {value}, retain, expected, f.name());
            } catch (TcException e) {
                continue;
            }
            if (!expected.equals(List.of(key))) {
                continue;
            }
            String text = f.header() + " " + f.name() + " " + word(key.cmd()) + " "
                    + (f.type() == Type.IPV4 ? Addresses.formatIpv4(value) : Long.toString(value));
            if (retain == f.retain()) {
                return text;
            }
            if (fallback == null) {
                fallback = text + " retain 0x" + Long.toHexString(retain);
            }
        }
        if (fallback != null) {
            return fallback;
        }
        if (key.header() == Header.NETWORK) {
            long retain = ~key.mask() & R32;
            return "offset " + key.offset() + " u32 " + word(key.cmd()) + " 0x" + Long.toHexString(key.value() & R32)
                    + (retain == R32 ? "" : " retain 0x" + Long.toHexString(retain));
        }
        throw new TcException(String.format(Locale.ROOT, "pedit: key at %s%+d (value %08x, mask %08x) has no tc munge form",
                key.header().word(), key.offset(), key.value(), key.mask()));
    }

    private static String word(Cmd cmd) {
        return cmd == Cmd.ADD ? "add" : "set";
    }
}
