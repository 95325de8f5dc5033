package io.netfence.tc.syntax;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.TcException;
import io.netfence.tc.api.U32Match;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code u32} as tc reads it (f_u32.c): every {@code match} becomes 32-bit keys packed exactly as
 * iproute2's pack_key does (u8/u16 values shifted into the aligned word that holds them, keys at
 * the same offset merged, a contradiction refused), values and masks being the words as read from
 * the packet in network order. Handles are {@code HT:BUCKET:NODE} in hex; {@code ht} and
 * {@code link} name tables ({@code 800:} is the root table); {@code sample SELECTOR [divisor N]}
 * picks the bucket of the {@code ht} table that a packet with that key hashes to.
 */
final class U32Syntax {
    private static final String OPTIONS = "match, offset, hashkey, classid, flowid, divisor, order, link, ht, sample, police, skip_sw, skip_hw or action";
    private static final String SELECTORS = "u32, u16, u8, ip, ip6, tcp, udp, icmp or ether";

    private U32Syntax() {
    }

    /** A key being built: pack_key merges matches at the same offset into one. */
    private static final class Draft {
        int value;
        int mask;
        final int offset;
        final boolean nexthdr;

        Draft(int value, int mask, int offset, boolean nexthdr) {
            this.value = value;
            this.mask = mask;
            this.offset = offset;
            this.nexthdr = nexthdr;
        }
    }

    static ClassifierOptions parse(Words w, String handleWord) {
        long handle = handleWord == null ? 0 : handle(handleWord, "handle");
        List<Draft> keys = new ArrayList<>();
        List<Action> actions = new ArrayList<>();
        long classid = 0;
        int divisor = 0;
        int table = -1;
        int bucket = 0;
        int sampleBucket = -1;
        int link = 0;
        int hashMask = 0;
        int hashOffset = 0;
        U32Match.Offset offset = null;
        boolean skipSw = false;
        boolean skipHw = false;
        while (!w.atEnd()) {
            String word = w.peek();
            if (word.equals("action") || word.equals("actions")) {
                actions.addAll(ActionSyntax.parseList(w));
                continue;
            }
            if (word.equals("police")) {
                // The classic "u32 ... police rate R burst B drop": a policer ahead of the list.
                actions.add(ActionSyntax.parseOne(w));
                continue;
            }
            w.next();
            switch (word) {
                case "match" -> selector(w, keys);
                case "offset" -> offset = offset(w);
                case "hashkey" -> {
                    while (!w.atEnd() && (w.peekIs("mask") || w.peekIs("at"))) {
                        if (w.take("mask")) {
                            hashMask = (int) w.unsigned("hashkey mask", 16, 0xFFFF_FFFFL, "a 32-bit hex mask");
                        } else {
                            w.next();
                            hashOffset = w.signed("hashkey at", "a byte offset, a multiple of 4");
                            if (hashOffset % 4 != 0) {
                                throw Words.invalid("hashkey at", Integer.toString(hashOffset), "a byte offset, a multiple of 4");
                            }
                        }
                    }
                }
                case "classid", "flowid" -> classid = FlowerSyntax.classid(w, word);
                case "divisor" -> {
                    divisor = (int) w.unsigned("divisor", 0, 256, "a power of two from 1 to 256");
                    if (divisor == 0 || (divisor & (divisor - 1)) != 0) {
                        throw Words.invalid("divisor", Integer.toString(divisor), "a power of two from 1 to 256");
                    }
                }
                case "order" -> {
                    long order = w.unsigned("order", 0, 0xFFF, "a node id from 1 to fff");
                    long node = handle & 0xFFF;
                    if (node != 0 && node != order) {
                        throw new TcException("order: " + order + " contradicts handle " + formatHandle(handle));
                    }
                    handle |= order;
                }
                case "link" -> link = table(w, "link");
                case "ht" -> {
                    long ht = handle(w.value("ht", "a table HT: or bucket HT:BUCKET"), "ht");
                    if ((ht & 0xFFF) != 0) {
                        throw Words.invalid("ht", formatHandle(ht), "a hash table HT: or HT:BUCKET, not a filter");
                    }
                    table = (int) (ht >>> 20);
                    bucket = (int) ((ht >>> 12) & 0xFF);
                }
                case "skip_sw" -> skipSw = true;
                case "skip_hw" -> skipHw = true;
                case "sample" -> sampleBucket = sample(w);
                case "indev" -> throw Words.unsupported("u32", word, "expected " + OPTIONS);
                default -> throw Words.unknown("u32", "option", word, "one of " + OPTIONS);
            }
        }
        if (sampleBucket >= 0) {
            // iproute2 puts the sample's bucket into the htid whether ht comes before or after it.
            if (table < 0) {
                throw Words.missing("sample", "ht HT: naming the hash table the bucket is in (Specified hash table not found)");
            }
            bucket = sampleBucket;
        }
        if (divisor > 0) {
            // A divisor filter creates the table its handle names.
            table = (int) (handle >>> 20);
            if (table == 0) {
                throw Words.missing("divisor", "handle HT: naming the new table");
            }
        } else if (table < 0) {
            table = U32Match.ROOT_TABLE;
        }
        long handleTable = handle >>> 20;
        if (divisor == 0 && handleTable != 0 && handleTable != table) {
            throw new TcException("handle: table " + Long.toHexString(handleTable) + ": does not match ht " + Integer.toHexString(table) + ":");
        }
        List<U32Match.Key> built = keys.stream().map(d -> new U32Match.Key(d.value, d.mask, d.offset, d.nexthdr)).toList();
        U32Match match = new U32Match(built, table, bucket, link, hashMask, hashOffset, divisor, offset);
        return new ClassifierOptions(match, handle, skipSw, skipHw, classid, actions);
    }

    /**
     * {@code sample SELECTOR [divisor N]}: the bucket a packet whose word holds the selector's one
     * key lands in. iproute2 (since its 2021 fix, as the kernel's u32_hash_fold) folds the key as
     * {@code ntohl(val & mask) >> (ffs(ntohl(mask)) - 1)}, then takes it modulo the divisor
     * (default 256); the kernel hashes packets with the linking filter's {@code hashkey} mask and
     * the same shift, so the two agree when the sample's mask is the hashkey's.
     */
    private static int sample(Words w) {
        List<Draft> keys = new ArrayList<>();
        try {
            selector(w, keys);
        } catch (TcException e) {
            throw new TcException("sample: " + e.getMessage());
        }
        if (keys.size() != 1) {
            throw Words.invalid("sample", keys.size() + " keys", "exactly one key (\"sample\" must contain exactly ONE key)");
        }
        int divisor = 256;
        if (w.take("divisor")) {
            String text = w.value("sample divisor", "a power of two from 1 to 256");
            long d = Words.parseUnsigned(text, 0);
            if (d < 1 || d > 256 || (d & (d - 1)) != 0) {
                throw Words.invalid("sample divisor", text, "a power of two from 1 to 256");
            }
            divisor = (int) d;
        }
        Draft k = keys.get(0);
        int shift = k.mask == 0 ? 0 : Integer.numberOfTrailingZeros(k.mask);
        long hash = (k.value & k.mask & 0xFFFF_FFFFL) >>> shift;
        return (int) (hash % divisor);
    }

    /** get_u32_handle: {@code HT:[BUCKET[:NODE]]} in hex (each part may be empty), or a bare {@code 0x} number. */
    static long handle(String word, String keyword) {
        String form = "HT:BUCKET:NODE in hex (HT up to fff, BUCKET up to ff, NODE up to fff)";
        if (word.indexOf(':') < 0) {
            long v = word.startsWith("0x") ? Words.parseUnsigned(word, 16) : -1;
            if (v < 0 || v > 0xFFFF_FFFFL) {
                throw Words.invalid(keyword, word, form);
            }
            return v;
        }
        String[] parts = word.split(":", -1);
        long[] limits = {0xFFF, 0xFF, 0xFFF};
        long[] values = new long[3];
        if (parts.length > 3) {
            throw Words.invalid(keyword, word, form);
        }
        for (int i = 0; i < parts.length; i++) {
            values[i] = parts[i].isEmpty() ? 0 : Words.parseUnsigned(parts[i], 16);
            if (values[i] < 0 || values[i] > limits[i]) {
                throw Words.invalid(keyword, word, form);
            }
        }
        return values[0] << 20 | values[1] << 12 | values[2];
    }

    private static int table(Words w, String keyword) {
        long h = handle(w.value(keyword, "a table HT:"), keyword);
        if ((h & 0xFFFFF) != 0) {
            throw Words.invalid(keyword, formatHandle(h), "a hash table HT:");
        }
        return (int) (h >>> 20);
    }

    /** sprint_u32_handle: {@code 800:}, {@code 800::800}, {@code 800:1:800}. */
    static String formatHandle(long handle) {
        if (handle == 0) {
            return "none";
        }
        long table = handle >>> 20;
        long bucket = (handle >>> 12) & 0xFF;
        long node = handle & 0xFFF;
        StringBuilder out = new StringBuilder();
        if (table != 0) {
            out.append(Long.toHexString(table)).append(':');
        }
        if (bucket != 0) {
            out.append(Long.toHexString(bucket));
        }
        if (node != 0) {
            out.append(':').append(Long.toHexString(node));
        }
        return out.toString();
    }

    /** {@code offset [plus P] [at A] [mask M] [shift S] [eat]} (any order). */
    private static U32Match.Offset offset(Words w) {
        int plus = 0;
        int at = 0;
        int mask = 0;
        int shift = 0;
        boolean eat = false;
        boolean any = false;
        while (!w.atEnd()) {
            switch (w.peek()) {
                case "plus" -> {
                    w.next();
                    plus = w.signed("offset plus", "a byte count");
                }
                case "at" -> {
                    w.next();
                    at = w.signed("offset at", "an even byte offset");
                    if (at % 2 != 0) {
                        throw Words.invalid("offset at", Integer.toString(at), "an even byte offset");
                    }
                }
                case "mask" -> {
                    w.next();
                    mask = (int) w.unsigned("offset mask", 16, 0xFFFF, "a 16-bit hex mask");
                }
                case "shift" -> {
                    w.next();
                    shift = w.signed("offset shift", "a bit count");
                }
                case "eat" -> {
                    w.next();
                    eat = true;
                }
                default -> {
                    return finishOffset(any, at, mask, shift, plus, eat);
                }
            }
            any = true;
        }
        return finishOffset(any, at, mask, shift, plus, eat);
    }

    private static U32Match.Offset finishOffset(boolean any, int at, int mask, int shift, int plus, boolean eat) {
        if (!any) {
            throw Words.missing("offset", "at OFF mask M shift S [plus P] [eat]");
        }
        return new U32Match.Offset(at, mask, shift, plus, eat);
    }

    private static void selector(Words w, List<Draft> keys) {
        String kind = w.value("match", SELECTORS);
        switch (kind) {
            case "u32" -> number(w, keys, "match u32", 32, 0, false);
            case "u16" -> number(w, keys, "match u16", 16, 0, false);
            case "u8" -> number(w, keys, "match u8", 8, 0, false);
            case "ip" -> ip(w, keys);
            case "ip6" -> ip6(w, keys);
            case "tcp", "udp" -> {
                String field = w.value("match " + kind, "src or dst");
                switch (field) {
                    case "src" -> number(w, keys, "match " + kind + " src", 16, 0, true);
                    case "dst" -> number(w, keys, "match " + kind + " dst", 16, 2, true);
                    default -> throw Words.invalid("match " + kind, field, "src or dst");
                }
            }
            case "icmp" -> {
                String field = w.value("match icmp", "type or code");
                switch (field) {
                    case "type" -> number(w, keys, "match icmp type", 8, 0, true);
                    case "code" -> number(w, keys, "match icmp code", 8, 1, true);
                    default -> throw Words.invalid("match icmp", field, "type or code");
                }
            }
            case "ether" -> ether(w, keys);
            case "mark" -> throw Words.unsupported("match", kind, "expected " + SELECTORS);
            default -> throw Words.unknown("match", "selector", kind, SELECTORS);
        }
    }

    private static void ip(Words w, List<Draft> keys) {
        String form = "src, dst, tos, dsfield, precedence, ihl, protocol, nofrag, firstfrag, df, mf, sport, dport, icmp_type or icmp_code";
        String field = w.value("match ip", form);
        switch (field) {
            case "src", "dst" -> address(w, keys, "match ip " + field, 4, field.equals("src") ? 12 : 16);
            case "tos", "dsfield", "precedence" -> number(w, keys, "match ip " + field, 8, 1, false);
            case "ihl" -> number(w, keys, "match ip ihl", 8, 0, false);
            case "protocol" -> number(w, keys, "match ip protocol", 8, 9, false);
            case "nofrag" -> pack16(keys, 0, 0x3FFF, 6, false, "match ip nofrag");
            case "firstfrag" -> pack16(keys, 0x2000, 0x3FFF, 6, false, "match ip firstfrag");
            case "df" -> pack16(keys, 0x4000, 0x4000, 6, false, "match ip df");
            case "mf" -> pack16(keys, 0x2000, 0x2000, 6, false, "match ip mf");
            case "sport" -> number(w, keys, "match ip sport", 16, 20, false);
            case "dport" -> number(w, keys, "match ip dport", 16, 22, false);
            case "icmp_type" -> number(w, keys, "match ip icmp_type", 8, 20, false);
            case "icmp_code" -> number(w, keys, "match ip icmp_code", 8, 21, false);
            default -> throw Words.unknown("match ip", "field", field, form);
        }
    }

    private static void ip6(Words w, List<Draft> keys) {
        String form = "src, dst, priority, protocol, flowlabel, sport, dport or icmp_type";
        String field = w.value("match ip6", form);
        switch (field) {
            case "src", "dst" -> address(w, keys, "match ip6 " + field, 6, field.equals("src") ? 8 : 24);
            case "priority" -> {
                // The traffic class straddles the first two bytes: tc shifts it by 20 into word 0.
                long value = w.unsigned("match ip6 priority", 0, 0xFF, "a value up to 0xff");
                long mask = w.unsigned("match ip6 priority", 16, 0xFF, "a hex mask up to ff");
                pack(keys, (int) (value << 20), (int) (mask << 20), 0, false, "match ip6 priority");
            }
            case "protocol" -> number(w, keys, "match ip6 protocol", 8, 6, false);
            case "flowlabel" -> number(w, keys, "match ip6 flowlabel", 32, 0, false);
            case "sport" -> number(w, keys, "match ip6 sport", 16, 40, false);
            case "dport" -> number(w, keys, "match ip6 dport", 16, 42, false);
            case "icmp_type" -> number(w, keys, "match ip6 icmp_type", 8, 40, false);
            case "icmp_code" -> throw Words.unsupported("match ip6", field, "use match u8 VALUE MASK at 41");
            default -> throw Words.unknown("match ip6", "field", field, form);
        }
    }

    /** {@code VALUE MASK [at [nexthdr+]OFF]} for a u32, u16 or u8 at {@code offset} by default. */
    private static void number(Words w, List<Draft> keys, String where, int bits, int offset, boolean nexthdr) {
        long max = bits == 32 ? 0xFFFF_FFFFL : (1L << bits) - 1;
        String form = "VALUE MASK [at OFFSET], up to " + bits + " bits, MASK hex";
        long value = w.unsigned(where, 0, 0xFFFF_FFFFL, form);
        long mask = w.unsigned(where, 16, 0xFFFF_FFFFL, form);
        if (bits == 8 && (value > max || mask > max)) {
            throw Words.invalid(where, value + " " + Long.toHexString(mask), form);
        }
        int[] at = at(w, where, offset, nexthdr);
        switch (bits) {
            case 32 -> pack(keys, (int) value, (int) mask, at[0], at[1] != 0, where);
            case 16 -> {
                if (value > max || mask > max) {
                    throw Words.invalid(where, value + " " + Long.toHexString(mask), form);
                }
                pack16(keys, (int) value, (int) mask, at[0], at[1] != 0, where);
            }
            default -> pack8(keys, (int) value, (int) mask, at[0], at[1] != 0, where);
        }
    }

    /** The optional {@code at [nexthdr+]OFF}: {offset, nexthdr ? 1 : 0}. */
    private static int[] at(Words w, String where, int offset, boolean nexthdr) {
        if (!w.take("at")) {
            return new int[] {offset, nexthdr ? 1 : 0};
        }
        String word = w.value(where + " at", "[nexthdr+]OFFSET");
        if (word.equals("nexthdr+")) {
            return new int[] {w.signed(where + " at nexthdr+", "a byte offset"), 1};
        }
        boolean next = word.startsWith("nexthdr+");
        Long off = Words.parseSigned(next ? word.substring("nexthdr+".length()) : word);
        if (off == null || off < Integer.MIN_VALUE || off > Integer.MAX_VALUE) {
            throw Words.invalid(where + " at", word, "[nexthdr+]OFFSET");
        }
        return new int[] {off.intValue(), next ? 1 : 0};
    }

    private static void address(Words w, List<Draft> keys, String where, int family, int offset) {
        String form = family == 4 ? "an IPv4 address or prefix" : "an IPv6 address or prefix";
        String word = w.value(where, form);
        Addresses.Prefix p = Addresses.prefix(word, family);
        if (p == null) {
            throw Words.invalid(where, word, form);
        }
        int[] at = at(w, where, offset, false);
        if (family == 4) {
            int mask = p.length() == 0 ? 0 : -1 << (32 - p.length());
            pack(keys, (int) p.lo(), mask, at[0], at[1] != 0, where);
            return;
        }
        long[] words = {p.hi() >>> 32, p.hi() & 0xFFFF_FFFFL, p.lo() >>> 32, p.lo() & 0xFFFF_FFFFL};
        for (int i = 0; i < p.length(); i += 32) {
            int mask = i + 31 < p.length() ? -1 : -1 << (32 - (p.length() - i));
            pack(keys, (int) words[i / 32], mask, at[0] + 4 * (i / 32), at[1] != 0, where);
        }
    }

    private static void ether(Words w, List<Draft> keys) {
        String field = w.value("match ether", "src or dst");
        if (!field.equals("src") && !field.equals("dst")) {
            throw Words.invalid("match ether", field, "src or dst");
        }
        String word = w.value("match ether " + field, "a MAC address");
        long mac = Addresses.mac(word);
        if (mac < 0) {
            throw Words.invalid("match ether " + field, word, "a MAC address aa:bb:cc:dd:ee:ff");
        }
        // The MAC header lies before the network header: dst at -14, src at -8.
        int[] at = at(w, "match ether " + field, field.equals("src") ? -8 : -14, false);
        for (int i = 0; i < 6; i++) {
            pack8(keys, (int) ((mac >>> (40 - 8 * i)) & 0xFF), 0xFF, at[0] + i, at[1] != 0, "match ether " + field);
        }
    }

    private static void pack16(List<Draft> keys, int value, int mask, int offset, boolean nexthdr, String where) {
        if ((offset & 3) == 0) {
            value <<= 16;
            mask <<= 16;
        }
        pack(keys, value, mask, offset & ~3, nexthdr, where);
    }

    private static void pack8(List<Draft> keys, int value, int mask, int offset, boolean nexthdr, String where) {
        int shift = 8 * (3 - (offset & 3));
        pack(keys, value << shift, mask << shift, offset & ~3, nexthdr, where);
    }

    /** pack_key: merges into a key at the same offset, refusing a contradiction. */
    private static void pack(List<Draft> keys, int value, int mask, int offset, boolean nexthdr, String where) {
        value &= mask;
        for (Draft k : keys) {
            if (k.offset == offset && k.nexthdr == nexthdr) {
                if (((value ^ k.value) & mask & k.mask) != 0) {
                    throw new TcException(where + ": contradicts an earlier match on the same word at offset " + offset);
                }
                k.value |= value;
                k.mask |= mask;
                return;
            }
        }
        if (keys.size() >= 128) {
            throw new TcException(where + ": at most 128 keys");
        }
        if (offset % 4 != 0) {
            throw new TcException(where + ": offset " + offset + " is not a multiple of 4");
        }
        keys.add(new Draft(value, mask, offset, nexthdr));
    }

    // ---------------------------------------------------------------- canonical words

    /** The u32 options as words: tables, hashing, offset, then one raw {@code match u32} per key. */
    static String spec(U32Match m) {
        List<String> out = new ArrayList<>();
        if (m.divisor() == 0 && (m.table() != U32Match.ROOT_TABLE || m.bucket() != 0)) {
            out.add("ht " + Integer.toHexString(m.table()) + ":" + (m.bucket() == 0 ? "" : Integer.toHexString(m.bucket()) + ":"));
        }
        if (m.link() != 0) {
            out.add("link " + Integer.toHexString(m.link()) + ":");
        }
        if (m.divisor() > 0) {
            out.add("divisor " + m.divisor());
        }
        if (m.hashMask() != 0 || m.hashOffset() != 0) {
            out.add(String.format(Locale.ROOT, "hashkey mask 0x%08x at %d", m.hashMask(), m.hashOffset()));
        }
        U32Match.Offset o = m.offset();
        if (o != null) {
            List<String> parts = new ArrayList<>();
            if (o.at() != 0 || o.mask() != 0 || o.shift() != 0) {
                parts.add(String.format(Locale.ROOT, "at %d mask 0x%04x shift %d", o.at(), o.mask(), o.shift()));
            }
            if (o.plus() != 0 || parts.isEmpty() && !o.eat()) {
                parts.add("plus " + o.plus());
            }
            if (o.eat()) {
                parts.add("eat");
            }
            out.add("offset " + String.join(" ", parts));
        }
        for (U32Match.Key k : m.keys()) {
            out.add(String.format(Locale.ROOT, "match u32 0x%08x 0x%08x at %s%d", k.value(), k.mask(), k.nexthdr() ? "nexthdr+" : "",
                    k.offset()));
        }
        return String.join(" ", out);
    }

    // ---------------------------------------------------------------- show

    /** The options part of a u32 filter line: {@code fh 800::800 order 2048 key ht 800 bkt 0 flowid 1:1 ...} and its keys. */
    static void show(Printout p, U32Match m, long handle, long classid, boolean skipSw, boolean skipHw, boolean inHw, int inHwCount,
            String reason) {
        if (handle != 0) {
            p.any("fh", "fh %s ", formatHandle(handle));
        }
        if ((handle & 0xFFF) != 0) {
            p.any("order", "order %s ", handle & 0xFFF);
        }
        if (m.divisor() > 0) {
            p.any("ht_divisor", "ht divisor %s ", m.divisor());
        } else {
            p.any("key_ht", "key ht %s ", Integer.toHexString(m.table()));
            p.any("bkt", "bkt %s ", Integer.toHexString(m.bucket()));
        }
        if (classid != 0) {
            p.any("flowid", "flowid %s ", Addresses.formatClassid(classid));
        }
        if (m.link() != 0) {
            p.any("link", "link %s ", Integer.toHexString(m.link()) + ":");
        }
        if (skipHw) {
            p.member("skip_hw", true).text("skip_hw ");
        }
        if (skipSw) {
            p.member("skip_sw", true).text("skip_sw ");
        }
        if (inHw) {
            p.member("in_hw", true).text("in_hw ").any("in_hw_count", "in_hw_count %s ", inHwCount);
        } else {
            p.member("not_in_hw", true).text("not_in_hw ");
        }
        if (reason != null) {
            p.nl().any("not_in_hw_reason", "  not_in_hw_reason: %s", reason);
        }
        p.openArray("match");
        for (U32Match.Key k : m.keys()) {
            p.openObject(null).nl();
            p.text(String.format(Locale.ROOT, "  match %08x/%08x at %s%d", k.value(), k.mask(), k.nexthdr() ? "nexthdr+" : "", k.offset()));
            p.member("value", Integer.toHexString(k.value())).member("mask", Integer.toHexString(k.mask()))
                    .member("offmask", k.nexthdr() ? "nexthdr+" : "").member("off", k.offset());
            p.closeObject();
        }
        p.closeArray();
        U32Match.Offset o = m.offset();
        if (o != null) {
            p.nl().text("    offset ");
            if (o.mask() != 0 || o.at() != 0 || o.shift() != 0) {
                p.text(String.format(Locale.ROOT, "%04x", o.mask())).member("offset_mask", Integer.toHexString(o.mask()));
                p.any("offset_shift", ">>%s ", o.shift());
                p.any("offset_off", "at %s ", o.at());
            }
            if (o.plus() != 0) {
                p.any("plus", "plus %s ", o.plus());
            }
            if (o.eat()) {
                p.text(" eat ").member("eat", true);
            }
        }
        if (m.hashMask() != 0) {
            p.nl().text(String.format(Locale.ROOT, "    hash mask %08x ", m.hashMask())).member("hash_mask", Integer.toHexString(m.hashMask()));
            p.any("hash_off", "at %s ", m.hashOffset());
        }
    }
}
