package io.netfence.shell.ip;

import io.netfence.crypto.EspSuite;
import io.netfence.packet.IpAddress;
import io.netfence.shell.text.JsonWriter;
import io.netfence.xfrm.api.Encap;
import io.netfence.xfrm.api.KeyMaterial;
import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.OffloadSpec;
import io.netfence.xfrm.api.SaCounters;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.Template;
import io.netfence.xfrm.api.XfrmEvent;
import io.netfence.xfrm.api.XfrmMode;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmPolicyInfo;
import io.netfence.xfrm.api.XfrmState;
import io.netfence.xfrm.api.XfrmStateInfo;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * SAs, policies and events as iproute2's ipxfrm.c prints them (tab-indented blocks; {@code -s}
 * adds the numbers in parentheses, the lifetime and the stats; trailing blanks are left out), and
 * as JSON, which iproute2 does not have for xfrm: one object per SA or policy with the same words
 * as keys (snake_case), numbers as numbers. Keys are shown, as Linux shows them, unless
 * {@code nokeys} is given.
 */
final class XfrmFormat {
    /** The anti-replay bitmap the legacy (non-ESN) context holds; larger windows use the ESN context, as in Linux. */
    private static final int LEGACY_WINDOW = 32;
    private static final int FLAG_ESN = 0x80;
    private static final String MASKS = "enc-mask ffffffff auth-mask ffffffff comp-mask ffffffff";

    private final IpOptions options;
    private final boolean nokeys;
    private final DateTimeFormatter time;

    XfrmFormat(IpOptions options, boolean nokeys, ZoneId zone) {
        this.options = options;
        this.nokeys = nokeys;
        this.time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(zone);
    }

    private boolean stats() {
        return options.stats() > 0;
    }

    /** A record's lines as ip prints them: by newlines, or by '\' with -oneline. */
    String record(List<String> lines) {
        return LinkFormat.record(lines, options);
    }

    /**
     * SAs or policies as ip lists them: the records one after the other (null when there is none:
     * ip prints nothing), or with -j a JSON array of objects.
     */
    <T> String listing(List<T> items, BiConsumer<JsonWriter, T> json, Function<T, List<String>> text) {
        if (options.json()) {
            JsonWriter writer = new JsonWriter(options.pretty()).beginArray();
            for (T item : items) {
                json.accept(writer, item);
            }
            return writer.endArray().toString();
        }
        List<String> out = new ArrayList<>(items.size());
        for (T item : items) {
            out.add(record(text.apply(item)));
        }
        return out.isEmpty() ? null : String.join("\n", out);
    }

    // ---------------------------------------------------------------------------------- text

    /** {@code src 10.1.0.0/16 dst 10.2.0.0/16 proto tcp dport 80 dev eth0} ({@code -s} adds "uid 0"). */
    String selector(Selector s) {
        StringBuilder sb = new StringBuilder("src ").append(s.src()).append(" dst ").append(s.dst());
        if (s.proto() != 0) {
            sb.append(" proto ").append(XfrmWords.protocolName(s.proto()));
        }
        if (XfrmWords.isGre(s.proto())) {
            if (s.sportMask() != 0 || s.dportMask() != 0) {
                sb.append(" key ").append(((long) s.sport() << 16) + s.dport());
            }
        } else {
            boolean icmp = XfrmWords.isIcmp(s.proto());
            if (s.sportMask() != 0) {
                sb.append(icmp ? " type " : " sport ").append(s.sport());
            }
            if (s.dportMask() != 0) {
                sb.append(icmp ? " code " : " dport ").append(s.dport());
            }
        }
        if (s.device() != null) {
            sb.append(" dev ").append(s.device());
        }
        if (stats()) {
            sb.append(" uid 0");
        }
        return sb.toString();
    }

    /** {@code proto esp spi 0x00000100 reqid 1 mode tunnel}; {@code -s} adds the numbers in parentheses. */
    private String id(int spi, boolean forceSpi, int reqid, XfrmMode mode) {
        StringBuilder sb = new StringBuilder("proto esp ");
        if (stats() || forceSpi || spi != 0) {
            sb.append(String.format("spi 0x%08x", spi));
            if (stats()) {
                sb.append('(').append(XfrmWords.u32Text(spi)).append(')');
            }
            sb.append(' ');
        }
        sb.append("reqid ").append(XfrmWords.u32Text(reqid));
        if (stats()) {
            sb.append(String.format("(0x%08x)", reqid));
        }
        return sb.append(" mode ").append(mode.word()).toString();
    }

    /** The lines of one SA, in the order of iproute2's xfrm_state_info_print. */
    List<String> state(XfrmStateInfo info) {
        XfrmState s = info.state();
        List<String> lines = new ArrayList<>();
        lines.add("src " + s.src() + " dst " + s.dst());
        lines.add("\t" + id(s.spi(), true, s.reqid(), s.mode()));
        StringBuilder replay = new StringBuilder("\treplay-window ").append(s.replayWindow());
        if (stats()) {
            replay.append(" seq 0x00000000");
        }
        if (stats() || s.esn()) {
            replay.append(" flag ").append(s.esn() ? "esn" : "");
        }
        if (stats()) {
            replay.append(" (0x").append(s.esn() ? "10000000" : "00000000").append(')');
        }
        lines.add(replay.toString());
        if (!s.mark().equals(Mark.NONE)) {
            lines.add("\t" + mark(s.mark()));
        }
        EspSuite suite = s.suite();
        if (suite != null) {
            if (suite.cipher().aead()) {
                lines.add("\taead " + suite.cipher().linuxName() + key(s.encryptionKey()) + " " + suite.icvBits());
            } else {
                lines.add("\tauth-trunc " + suite.auth().linuxName() + key(s.authenticationKey()) + " " + suite.icvBits());
                lines.add("\tenc " + suite.cipher().linuxName() + key(s.encryptionKey()));
            }
        }
        Encap e = s.encap();
        if (e != null) {
            lines.add("\tencap type " + Encap.TYPE + " sport " + e.sourcePort() + " dport " + e.destinationPort() + " addr "
                    + e.originalAddress());
        }
        long mask = XfrmWords.U32;
        if (s.esn() || s.replayWindow() > LEGACY_WINDOW) {
            lines.add("\tanti-replay esn context:");
            lines.add(String.format("\t seq-hi 0x%x, seq 0x%x, oseq-hi 0x%x, oseq 0x%x", info.inboundSeq() >>> 32,
                    info.inboundSeq() & mask, info.outboundSeq() >>> 32, info.outboundSeq() & mask));
            // iproute2 (xfrm_xfrma_print): the words highest first, eight to a line, each followed by a blank
            int[] words = esnBitmap(info);
            lines.add("\t replay_window " + s.replayWindow() + ", bitmap-length " + words.length);
            StringBuilder line = new StringBuilder();
            for (int i = words.length; i > 0; i--) {
                if ((words.length - i) % 8 == 0) {
                    if (!line.isEmpty()) {
                        lines.add(line.toString());
                    }
                    line.setLength(0);
                    line.append("\t ");
                }
                line.append(String.format("%08x ", words[i - 1]));
            }
            if (!line.isEmpty()) {
                lines.add(line.toString());
            }
        } else {
            lines.add(String.format("\tanti-replay context: seq 0x%x, oseq 0x%x, bitmap 0x%08x", info.inboundSeq() & mask,
                    info.outboundSeq() & mask, info.bitmap() & mask));
        }
        OffloadSpec o = s.offload();
        if (o != null) {
            lines.add("\tcrypto offload parameters: dev " + o.device() + " dir " + o.direction().word() + " mode " + o.type().word());
        }
        if (s.ifId() != 0) {
            lines.add("\tif_id " + hex(s.ifId()));
        }
        if (s.selector() != null) {
            lines.add("\tsel " + selector(s.selector()));
        }
        if (stats()) {
            SaCounters c = info.counters();
            lifetime(lines, "\t", s.lifetime(), c.bytes(), c.packets(), info.addTime(), info.useTime());
            lines.add("\tstats:");
            lines.add("\t  replay-window " + c.replayWindow() + " replay " + c.replay() + " failed " + c.integrityFailed());
            if (options.stats() >= 2) {
                // Netfence's own drop reasons, and where the SA runs (-s -s, as ip link shows its drop reasons)
                lines.add("\t  bad-trailer " + c.badTrailer() + " bad-length " + c.badLength() + " seq-exhausted "
                        + c.sequenceExhausted() + " not-durable " + c.notDurable());
                if (info.placement() != null) {
                    lines.add("\tplacement " + info.placement());
                }
            }
        }
        return lines;
    }

    /** {@code mark 0x7/0xff}, as iproute2 prints it with %#x. */
    private static String mark(Mark m) {
        return "mark " + hex(m.value()) + "/" + hex(m.mask());
    }

    /** C's %#x: 0 is "0", anything else 0x followed by lower-case hex. */
    private static String hex(int value) {
        return value == 0 ? "0" : "0x" + Integer.toHexString(value);
    }

    /** " 0x0102..." (with {@code -s} " 0x0102... (160 bits)"), or " <<Keys hidden>>" with nokeys. */
    private String key(KeyMaterial k) {
        if (k == null) {
            return "";
        }
        if (nokeys) {
            return " <<Keys hidden>>";
        }
        return " " + k.hex() + (stats() ? " (" + k.bits() + " bits)" : "");
    }

    private void lifetime(List<String> lines, String p, Lifetime l, long bytes, long packets, long addTime, long useTime) {
        lines.add(p + "lifetime config:");
        lines.add(p + "  limit: soft " + limit(l.softBytes()) + "(bytes), hard " + limit(l.hardBytes()) + "(bytes)");
        lines.add(p + "  limit: soft " + limit(l.softPackets()) + "(packets), hard " + limit(l.hardPackets()) + "(packets)");
        lines.add(p + "  expire add: soft " + l.softAddSeconds() + "(sec), hard " + l.hardAddSeconds() + "(sec)");
        lines.add(p + "  expire use: soft " + l.softUseSeconds() + "(sec), hard " + l.hardUseSeconds() + "(sec)");
        lines.add(p + "lifetime current:");
        lines.add(p + "  " + Long.toUnsignedString(bytes) + "(bytes), " + Long.toUnsignedString(packets) + "(packets)");
        lines.add(p + "  add " + time(addTime) + " use " + time(useTime));
    }

    private static String limit(long value) {
        return value == Lifetime.INF ? "(INF)" : Long.toUnsignedString(value);
    }

    /** Epoch seconds as iproute2's strxf_time prints them (local time), "-" for never. */
    private String time(long epochSeconds) {
        return epochSeconds == 0 ? "-" : time.format(Instant.ofEpochSecond(epochSeconds));
    }

    /** The lines of one policy (iproute2's xfrm_policy_info_print). */
    List<String> policy(XfrmPolicyInfo info) {
        return policy(info, "", "");
    }

    /** With a title before the selector and a prefix before the other lines, as the acquire event nests a policy. */
    private List<String> policy(XfrmPolicyInfo info, String title, String prefix) {
        XfrmPolicy p = info.policy();
        String t = prefix + "\t";
        List<String> lines = new ArrayList<>();
        lines.add(title + selector(p.selector()));
        StringBuilder dir = new StringBuilder(t).append("dir ").append(p.direction().word());
        if (p.action() == XfrmPolicy.Action.BLOCK || stats()) {
            dir.append(" action ").append(p.action().word());
        }
        if (stats()) {
            dir.append(" index ").append(XfrmWords.u32Text(p.index()));
        }
        dir.append(" priority ").append(XfrmWords.u32Text(p.priority())).append(" ptype main");
        if (stats()) {
            dir.append(" share any flag  (0x00000000)");
        }
        lines.add(dir.toString());
        if (stats()) {
            lifetime(lines, t, p.lifetime(), info.bytes(), info.packets(), info.addTime(), info.useTime());
        }
        if (!p.mark().equals(Mark.NONE)) {
            lines.add(t + mark(p.mark()));
        }
        IpAddress zero = Selector.any(p.selector().family()).src().address();
        for (Template tmpl : p.templates()) {
            lines.add(t + "tmpl src " + (tmpl.src() == null ? zero : tmpl.src()) + " dst " + (tmpl.dst() == null ? zero : tmpl.dst()));
            lines.add(t + "\t" + id(tmpl.spi(), false, tmpl.reqid(), tmpl.mode()));
            if (stats() || tmpl.optional()) {
                lines.add(t + "\tlevel " + (tmpl.optional() ? "use" : "required") + (stats() ? " share any" : ""));
            }
            if (stats()) {
                lines.add(t + "\t" + MASKS);
            }
        }
        if (p.offload() != null) {
            lines.add(t + "crypto offload parameters: dev " + p.offload().device() + " mode " + p.offload().type().word());
        }
        if (p.ifId() != 0) {
            lines.add(t + "if_id " + hex(p.ifId()));
        }
        return lines;
    }

    /** {@code \t SAD count N}. */
    static String stateCount(int count) {
        return "\t SAD count " + count;
    }

    /** {@code \t SPD IN  1 OUT 1 FWD 0}; {@code -s} adds the socket policies, which Netfence has none of. */
    String policyCount(int in, int out, int fwd) {
        return "\t SPD IN  " + in + " OUT " + out + " FWD " + fwd + (stats() ? " (Sock: IN 0 OUT 0 FWD 0)" : "");
    }

    /** An event as {@code ip xfrm monitor} prints it (iproute2's xfrm_monitor.c). */
    List<String> event(XfrmEvent e) {
        List<String> lines = switch (e.kind()) {
            case STATE_ADD -> state(info(e.state()));
            case STATE_UPDATE -> titled("Updated ", state(info(e.state())));
            case STATE_DELETE -> titled("Deleted ", state(info(e.state())));
            case EXPIRE_SOFT, EXPIRE_HARD -> expired(state(info(e.state())), e.kind() == XfrmEvent.Kind.EXPIRE_HARD);
            // the flush deletes SAs of every protocol: iproute2 shows the protocol number 0
            case STATE_FLUSH -> new ArrayList<>(List.of("Flushed state proto 0"));
            case POLICY_ADD -> policy(info(e.policy()));
            case POLICY_UPDATE -> titled("Updated ", policy(info(e.policy())));
            case POLICY_DELETE -> titled("Deleted ", policy(info(e.policy())));
            case POLICY_EXPIRE_SOFT, POLICY_EXPIRE_HARD ->
                    expired(policy(info(e.policy())), e.kind() == XfrmEvent.Kind.POLICY_EXPIRE_HARD);
            case POLICY_FLUSH -> new ArrayList<>(List.of("Flushed policy ptype main"));
            case ACQUIRE -> acquire(e);
        };
        return lines;
    }

    private static List<String> titled(String title, List<String> lines) {
        lines.set(0, title + lines.getFirst());
        return lines;
    }

    private static List<String> expired(List<String> lines, boolean hard) {
        titled("Expired ", lines);
        lines.add("\thard " + (hard ? 1 : 0));
        return lines;
    }

    /** {@code acquire proto esp}, the packet's selector, the policy that matched; a blank line ends it. */
    private List<String> acquire(XfrmEvent e) {
        List<String> lines = new ArrayList<>();
        lines.add("acquire proto esp" + (stats() ? " spi 0x00000000(0)" : ""));
        if (e.acquire() != null) {
            lines.add("  sel " + selector(e.acquire()));
        }
        if (e.policy() != null) {
            lines.addAll(policy(info(e.policy()), "  policy ", "    "));
        }
        lines.add(stats() ? "  seq 0x00000000 " + MASKS : "");
        return lines;
    }

    /** An SA from an event, with no counters yet. */
    static XfrmStateInfo info(XfrmState s) {
        return new XfrmStateInfo(s, SaCounters.ZERO, 0, 0, 0, 0, 0, false, null);
    }

    static XfrmPolicyInfo info(XfrmPolicy p) {
        return new XfrmPolicyInfo(p, 0, 0, 0, 0);
    }

    // ---------------------------------------------------------------------------------- JSON

    /** {@code {"src":"0.0.0.0/0","dst":"0.0.0.0/0","proto":"tcp","sport":80,"dport":443,"dev":"eth0"}}. */
    void selector(JsonWriter json, Selector s) {
        json.beginObject().member("src", s.src().toString()).member("dst", s.dst().toString());
        if (s.proto() != 0) {
            json.member("proto", XfrmWords.protocolName(s.proto()));
        }
        if (XfrmWords.isGre(s.proto())) {
            if (s.sportMask() != 0 || s.dportMask() != 0) {
                json.member("key", ((long) s.sport() << 16) + s.dport());
            }
        } else {
            boolean icmp = XfrmWords.isIcmp(s.proto());
            if (s.sportMask() != 0) {
                json.member(icmp ? "type" : "sport", s.sport());
            }
            if (s.dportMask() != 0) {
                json.member(icmp ? "code" : "dport", s.dport());
            }
        }
        if (s.device() != null) {
            json.member("dev", s.device());
        }
        json.endObject();
    }

    private static void mark(JsonWriter json, Mark m) {
        if (!m.equals(Mark.NONE)) {
            json.name("mark").beginObject().member("value", m.value() & XfrmWords.U32).member("mask", m.mask() & XfrmWords.U32)
                    .endObject();
        }
    }

    private void algorithm(JsonWriter json, String type, String name, KeyMaterial key, String lengthName, int length) {
        json.name(type).beginObject().member("name", name);
        if (key != null) {
            if (!nokeys) {
                json.member("key", key.hex());
            }
            json.member("key_len", key.bits());
        }
        if (lengthName != null) {
            json.member(lengthName, length);
        }
        json.endObject();
    }

    /**
     * The ESN replay bitmap as Linux keeps it (xfrm_replay_advance_esn), so it reads as on Linux:
     * (replay-window + 31) / 32 words, sequence number n at bit (n - 1) mod replay-window.
     */
    static int[] esnBitmap(XfrmStateInfo info) {
        int size = info.state().replayWindow();
        int[] words = new int[(size + 31) / 32];
        long[] window = info.window();
        long top = info.inboundSeq();
        for (int i = 0; i < size && i < window.length * 64 && Long.compareUnsigned(top, i) > 0; i++) {
            if ((window[i >>> 6] & (1L << (i & 63))) != 0) {
                int pos = (int) Long.remainderUnsigned(top - i - 1, size);
                words[pos >>> 5] |= 1 << (pos & 31);
            }
        }
        return words;
    }

    /** One SA (see docs/COMMANDS.md for the members). */
    void state(JsonWriter json, XfrmStateInfo info) {
        XfrmState s = info.state();
        json.beginObject()
                .member("src", s.src().toString())
                .member("dst", s.dst().toString())
                .member("proto", "esp")
                .member("spi", s.spi() & XfrmWords.U32)
                .member("reqid", s.reqid() & XfrmWords.U32)
                .member("mode", s.mode().word())
                .member("replay_window", s.replayWindow())
                .member("flags", s.esn() ? List.of("esn") : List.of());
        mark(json, s.mark());
        EspSuite suite = s.suite();
        if (suite != null) {
            if (suite.cipher().aead()) {
                algorithm(json, "aead", suite.cipher().linuxName(), s.encryptionKey(), "icv_len", suite.icvBits());
            } else {
                algorithm(json, "enc", suite.cipher().linuxName(), s.encryptionKey(), null, 0);
                algorithm(json, "auth_trunc", suite.auth().linuxName(), s.authenticationKey(), "trunc_len", suite.icvBits());
            }
        }
        Encap e = s.encap();
        if (e != null) {
            json.name("encap").beginObject().member("type", Encap.TYPE).member("sport", e.sourcePort())
                    .member("dport", e.destinationPort()).member("addr", e.originalAddress().toString()).endObject();
        }
        json.name("anti_replay").beginObject().member("seq", info.inboundSeq()).member("oseq", info.outboundSeq())
                .member("bitmap", info.bitmap() & XfrmWords.U32).endObject();
        OffloadSpec o = s.offload();
        if (o != null) {
            json.name("offload").beginObject().member("dev", o.device()).member("dir", o.direction().word())
                    .member("mode", o.type().word()).endObject();
        }
        if (s.ifId() != 0) {
            json.member("if_id", s.ifId() & XfrmWords.U32);
        }
        if (s.selector() != null) {
            json.name("sel");
            selector(json, s.selector());
        }
        if (info.placement() != null) {
            json.member("placement", info.placement());
        }
        if (stats()) {
            SaCounters c = info.counters();
            lifetime(json, s.lifetime(), c.bytes(), c.packets(), info.addTime(), info.useTime());
            json.name("stats").beginObject().member("replay_window", c.replayWindow()).member("replay", c.replay())
                    .member("failed", c.integrityFailed());
            if (options.stats() >= 2) {
                json.member("bad_trailer", c.badTrailer()).member("bad_length", c.badLength())
                        .member("seq_exhausted", c.sequenceExhausted()).member("not_durable", c.notDurable());
            }
            json.endObject();
        }
        json.endObject();
    }

    /** {@code "lifetime":{"config":{"byte_soft":null,...,"time_use_hard":0},"current":{...}}}; null is no limit. */
    private static void lifetime(JsonWriter json, Lifetime l, long bytes, long packets, long addTime, long useTime) {
        json.name("lifetime").beginObject().name("config").beginObject();
        long[] values = {l.softBytes(), l.hardBytes(), l.softPackets(), l.hardPackets(), l.softAddSeconds(),
                l.hardAddSeconds(), l.softUseSeconds(), l.hardUseSeconds()};
        for (int i = 0; i < values.length; i++) {
            json.name(XfrmWords.LIMIT_WORDS.get(i).replace('-', '_'));
            long v = values[i];
            if (i < 4 && v == Lifetime.INF) {
                json.nullValue();
            } else if (v < 0) {
                json.value(Double.parseDouble(Long.toUnsignedString(v)));
            } else {
                json.value(v);
            }
        }
        json.endObject().name("current").beginObject().member("bytes", bytes).member("packets", packets)
                .member("add_time", addTime).member("use_time", useTime).endObject().endObject();
    }

    /** One policy (see docs/COMMANDS.md for the members). */
    void policy(JsonWriter json, XfrmPolicyInfo info) {
        XfrmPolicy p = info.policy();
        json.beginObject().name("sel");
        selector(json, p.selector());
        json.member("dir", p.direction().word())
                .member("action", p.action().word())
                .member("index", p.index() & XfrmWords.U32)
                .member("priority", p.priority() & XfrmWords.U32)
                .member("ptype", "main");
        mark(json, p.mark());
        if (p.ifId() != 0) {
            json.member("if_id", p.ifId() & XfrmWords.U32);
        }
        json.name("tmpl").beginArray();
        for (Template t : p.templates()) {
            json.beginObject();
            if (t.src() != null) {
                json.member("src", t.src().toString());
            }
            if (t.dst() != null) {
                json.member("dst", t.dst().toString());
            }
            json.member("proto", "esp").member("spi", t.spi() & XfrmWords.U32).member("reqid", t.reqid() & XfrmWords.U32)
                    .member("mode", t.mode().word()).member("level", t.optional() ? "use" : "required").endObject();
        }
        json.endArray();
        if (p.offload() != null) {
            json.name("offload").beginObject().member("dev", p.offload().device()).member("mode", p.offload().type().word())
                    .endObject();
        }
        if (stats()) {
            lifetime(json, p.lifetime(), info.bytes(), info.packets(), info.addTime(), info.useTime());
        }
        json.endObject();
    }

    /** {@code {"event":"state_add","time":MILLIS,"state":{...}}}; flushes carry no object, acquire its "sel" and "policy". */
    void event(JsonWriter json, XfrmEvent e) {
        json.beginObject().member("event", e.kind().name().toLowerCase(Locale.ROOT)).member("time", e.time());
        if (e.state() != null) {
            json.name("state");
            state(json, info(e.state()));
        }
        if (e.acquire() != null) {
            json.name("sel");
            selector(json, e.acquire());
        }
        if (e.policy() != null) {
            json.name("policy");
            policy(json, info(e.policy()));
        }
        json.endObject();
    }
}
