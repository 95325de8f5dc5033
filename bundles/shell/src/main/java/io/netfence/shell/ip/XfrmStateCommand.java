package io.netfence.shell.ip;

import io.netfence.crypto.CryptoException;
import io.netfence.crypto.EspSuite;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.shell.text.JsonWriter;
import io.netfence.xfrm.api.Encap;
import io.netfence.xfrm.api.KeyMaterial;
import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.OffloadSpec;
import io.netfence.xfrm.api.ReplayWindow;
import io.netfence.xfrm.api.SaCounters;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.XfrmDirection;
import io.netfence.xfrm.api.XfrmException;
import io.netfence.xfrm.api.XfrmMode;
import io.netfence.xfrm.api.XfrmState;
import io.netfence.xfrm.api.XfrmStateInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code ip xfrm state add | update | allocspi | delete | get | deleteall | list | flush | count | help},
 * with iproute2's grammar (xfrm_state.c). Every word is checked, and the line turned into the
 * model, before the one call into the service that changes something ({@code deleteall} makes one
 * call per SA it deletes).
 */
final class XfrmStateCommand extends XfrmObject {
    /** In iproute2's order of trial: "a" is add, "u" update, "d" delete, "l"/"s" list, "g" get, "f" flush, "c" count. */
    private static final List<String> COMMANDS = List.of("add", "update", "allocspi", "delete", "deleteall", "delall",
            "list", "show", "lst", "get", "flush", "count", "help");
    private static final List<String> ADD_WORDS = List.of("src", "dst", "proto", "spi", "aead", "enc", "auth", "auth-trunc",
            "mode", "mark", "reqid", "replay-window", "replay-seq", "replay-oseq", "replay-seq-hi", "replay-oseq-hi", "flag", "sel",
            "limit", "encap", "if_id", "offload");
    private static final String ADD_USAGE = "ip xfrm state { add | update } " + XfrmWords.ID_FORM
            + " { aead NAME KEY ICV-LEN | enc NAME KEY auth-trunc NAME KEY TRUNC-LEN } [mode MODE] ...";
    /** iproute2 keywords Netfence has no counterpart for, with what they are. */
    private static final Map<String, String> UNSUPPORTED = Map.ofEntries(
            Map.entry("seq", "setting the key manager's sequence number"),
            Map.entry("extra-flag", "an extra flag (dont-encap-dscp, oseq-may-wrap)"),
            Map.entry("coa", "a care-of address (Mobile IPv6)"),
            Map.entry("ctx", "a security context"),
            Map.entry("output-mark", "an output mark"),
            Map.entry("tfcpad", "TFC padding"),
            Map.entry("cpu", "a per-CPU SA"),
            Map.entry("comp", "IP payload compression (IPComp)"));
    /** The state flags iproute2 knows, by bit (XFRM_STATE_*). */
    private static final List<String> FLAGS = List.of("noecn", "decap-dscp", "nopmtudisc", "wildrecv", "icmp", "af-unspec",
            "align4", "esn");
    /** Linux's names for the algorithms besides their crypto API names (the kernel's "compat" names). */
    private static final Map<String, String> ALIASES = Map.of("aes", "cbc(aes)", "sha256", "hmac(sha256)",
            "sha384", "hmac(sha384)", "sha512", "hmac(sha512)");
    /** Linux's truncation for "auth NAME KEY" (icv_truncbits in the kernel's xfrm_algo.c). */
    private static final Map<String, Integer> DEFAULT_TRUNCATION = Map.of("hmac(sha256)", 96, "hmac(sha384)", 192,
            "hmac(sha512)", 256);
    private static final int MIN_SPI = 0x100;

    XfrmStateCommand(XfrmCommand context) {
        super(context, COMMANDS, "add, update, allocspi, delete, get, deleteall, list, flush, count, help");
    }

    @Override
    String run(String command, IpOptions options, Args args) {
        return switch (command) {
            case "add", "update" -> modify(options, args, command.equals("add"));
            case "allocspi" -> allocspi(options, args);
            case "delete", "get" -> getOrDelete(options, args, command.equals("delete"));
            case "deleteall", "delall" -> listOrDeleteAll(options, args, true);
            case "list", "show", "lst" -> listOrDeleteAll(options, args, false);
            case "flush" -> flush(args);
            case "count" -> count(options, args);
            default -> IpHelp.XFRM_STATE;
        };
    }

    static CommandException unsupported(String word, String what) {
        return CommandException.badArgument(word, what + " is not supported by Netfence: leave \"" + word + "\" out");
    }

    // ------------------------------------------------------------------------------ add, update

    /** An algorithm as given: {@code aead NAME KEY ICV-LEN}, {@code enc NAME KEY}, {@code auth[-trunc] NAME KEY [LEN]}. */
    private record Algorithm(String type, String name, KeyMaterial key, String lengthWord, int length) {
        /** How errors name it: {@code "aead rfc4106(gcm(aes))"}, never with the key. */
        String label() {
            return type + " " + name;
        }
    }

    private String modify(IpOptions options, Args args, boolean add) {
        List<KeyMaterial> keys = new ArrayList<>();
        try {
            XfrmState state = parse(options, args, keys);
            XfrmCommand.run(add ? () -> xfrm.addState(state) : () -> xfrm.updateState(state));
            return null;
        } catch (RuntimeException e) {
            // nothing kept them: wipe the keys of a refused line
            keys.forEach(KeyMaterial::wipe);
            throw e;
        }
    }

    private XfrmState parse(IpOptions options, Args args, List<KeyMaterial> keys) {
        XfrmWords.Id id = new XfrmWords.Id();
        XfrmMode mode = null;
        Mark mark = null;
        Integer reqid = null;
        Integer window = null;
        /** replay-seq, replay-oseq and their -hi halves, as iproute2 takes them (u32 each). */
        Long[] replay = new Long[4];
        List<String> replayWords = List.of("replay-seq", "replay-oseq", "replay-seq-hi", "replay-oseq-hi");
        boolean esn = false;
        XfrmWords.SelectorWords sel = null;
        long[] limits = XfrmWords.noLimits();
        boolean[] limitsGiven = new boolean[limits.length];
        Encap encap = null;
        Integer ifId = null;
        OffloadSpec offload = null;
        Algorithm aead = null;
        Algorithm enc = null;
        Algorithm auth = null;
        while (args.hasNext()) {
            if (id.parse(args, options.family())) {
                continue;
            }
            String word = args.next();
            switch (word) {
                case "mode" -> mode = XfrmWords.mode(args, mode);
                case "mark" -> mark = XfrmWords.mark(args, mark);
                case "reqid" -> reqid = XfrmWords.u32(args, word, "REQID", reqid);
                case "replay-window" -> {
                    XfrmWords.once(window, word);
                    window = (int) XfrmWords.unsigned(args.value(word, "SIZE"), word, 0, ReplayWindow.MAX_SIZE);
                }
                case "replay-seq", "replay-oseq", "replay-seq-hi", "replay-oseq-hi" -> {
                    int i = replayWords.indexOf(word);
                    XfrmWords.once(replay[i], word);
                    replay[i] = XfrmWords.unsigned(args.value(word, "SEQ"), word, 0, 0xFFFF_FFFFL);
                }
                case "flag" -> esn |= flags(args);
                case "sel" -> {
                    XfrmWords.once(sel, word);
                    // as in iproute2, -4/-6 do not apply to the selector (it may be of the other family)
                    sel = XfrmWords.selector(args, 0, context.net);
                    if (sel.srcWord == null && sel.dstWord == null && !sel.devGiven && !sel.protoGiven
                            && !sel.sportGiven && !sel.dportGiven) {
                        throw CommandException.missingValue(word, XfrmWords.SELECTOR_FORM);
                    }
                }
                case "limit" -> XfrmWords.limit(args, limits, limitsGiven);
                case "encap" -> {
                    XfrmWords.once(encap, word);
                    encap = encap(args);
                }
                case "if_id" -> ifId = XfrmWords.u32(args, word, "IF_ID", ifId);
                case "offload" -> {
                    XfrmWords.once(offload, word);
                    offload = offload(args);
                }
                case "aead" -> {
                    if (aead != null) {
                        throw CommandException.duplicate(word);
                    }
                    refuseWithAead(word, enc != null ? enc : auth);
                    aead = algorithm(word, args, keys);
                }
                case "enc" -> {
                    if (enc != null) {
                        throw CommandException.duplicate(word);
                    }
                    refuseWithAead(word, aead);
                    enc = algorithm(word, args, keys);
                }
                case "auth", "auth-trunc" -> {
                    if (auth != null) {
                        throw CommandException.duplicate("auth");
                    }
                    refuseWithAead(word, aead);
                    auth = algorithm(word, args, keys);
                }
                default -> {
                    if (UNSUPPORTED.containsKey(word)) {
                        throw unsupported(word, UNSUPPORTED.get(word));
                    }
                    throw CommandException.notOneOf(word, ADD_WORDS);
                }
            }
        }
        if (!id.given()) {
            throw CommandException.required("ID", ADD_USAGE);
        }
        IpAddress src = required(id.srcWord, "src", options.family());
        IpAddress dst = required(id.dstWord, "dst", options.family());
        if (id.protoWord == null) {
            throw CommandException.required("proto", ADD_USAGE);
        }
        if (!id.hasSpi()) {
            throw CommandException.required("spi", ADD_USAGE);
        }
        if (Integer.compareUnsigned(id.spi, MIN_SPI) < 0) {
            throw CommandException.badArgument(id.spiWord, "SPIs 0-255 are reserved (RFC 4303): expected 0x100-0xffffffff");
        }
        if (esn && (window == null || window == 0)) {
            throw CommandException.badArgument("esn", "extended sequence numbers need a replay window: expected"
                    + " replay-window SIZE (1-" + ReplayWindow.MAX_SIZE + ") with flag esn");
        }
        if (!esn && (replay[2] != null || replay[3] != null)) {
            throw CommandException.badArgument(replay[2] != null ? "replay-seq-hi" : "replay-oseq-hi",
                    "the high halves of sequence numbers need flag esn");
        }
        long replaySeq = (replay[2] == null ? 0 : replay[2] << 32) | (replay[0] == null ? 0 : replay[0]);
        long replayOseq = (replay[3] == null ? 0 : replay[3] << 32) | (replay[1] == null ? 0 : replay[1]);
        EspSuite suite = suite(aead, enc, auth);
        KeyMaterial authKey = auth == null ? null : auth.key();
        if (authKey != null && authKey.length() != suite.authKeyBytes()) {
            throw new CommandException("Error: the key of \"" + auth.label() + "\" is wrong: key of " + authKey.bits()
                    + " bits for " + suite.auth().linuxName() + ": expected " + suite.authKeyBytes() * 8
                    + " bits (RFC 4868: as long as the digest)");
        }
        Selector selector = sel == null ? Selector.any(dst.version()) : sel.build(dst.version());
        Lifetime lifetime = XfrmWords.lifetime(limits);
        XfrmMode m = mode == null ? XfrmMode.TRANSPORT : mode;
        int r = reqid == null ? 0 : reqid;
        int w = window == null ? 0 : window;
        boolean e = esn;
        Encap en = encap;
        Mark mk = mark == null ? Mark.NONE : mark;
        int ifid = ifId == null ? 0 : ifId;
        OffloadSpec off = offload;
        KeyMaterial encKey = (aead != null ? aead : enc).key();
        int spi = id.spi;
        return XfrmCommand.call(() -> new XfrmState(src, dst, spi, m, r, suite, encKey, authKey, w, e, selector, lifetime,
                en, mk, ifid, off, replaySeq, replayOseq));
    }

    private static IpAddress required(String word, String keyword, int family) {
        if (word == null) {
            throw CommandException.required(keyword, ADD_USAGE);
        }
        return XfrmWords.address(word, family);
    }

    /** An AEAD both encrypts and authenticates: iproute2 refuses enc or auth beside it. */
    private static void refuseWithAead(String word, Algorithm other) {
        if (other != null) {
            throw CommandException.badArgument(word, "aead both encrypts and authenticates: give either aead NAME KEY ICV-LEN,"
                    + " or enc NAME KEY with auth-trunc NAME KEY TRUNC-LEN");
        }
    }

    private static Algorithm algorithm(String type, Args args, List<KeyMaterial> keys) {
        String form = switch (type) {
            case "aead" -> "aead NAME KEY ICV-LEN";
            case "auth-trunc" -> "auth-trunc NAME KEY TRUNC-LEN";
            default -> type + " NAME KEY";
        };
        String name = args.value(type, form.substring(type.length() + 1));
        name = ALIASES.getOrDefault(name, name);
        if (!args.hasNext()) {
            throw CommandException.missingValue(type + " " + name, form.substring(form.indexOf("KEY")));
        }
        KeyMaterial key = key(args.next(), type + " " + name);
        keys.add(key);
        String lengthWord = null;
        int length = 0;
        if (type.equals("aead") || type.equals("auth-trunc")) {
            String what = type.equals("aead") ? "ICV-LEN" : "TRUNC-LEN";
            lengthWord = args.value(type + " " + name + " KEY", what);
            length = (int) XfrmWords.unsigned(lengthWord, what, 0, XfrmWords.U32);
        } else if (type.equals("auth")) {
            Integer bits = DEFAULT_TRUNCATION.get(name);
            if (bits != null && bits * 2 != EspSuite.Auth.ofLinuxName(name).digestBits()) {
                throw CommandException.badArgument(type, "\"auth " + name + " KEY\" truncates the ICV to " + bits
                        + " bits (Linux's default), which RFC 4868 does not allow: expected auth-trunc '" + name + "' KEY "
                        + EspSuite.Auth.ofLinuxName(name).truncatedBits());
            }
            length = bits == null ? 0 : bits;
        }
        return new Algorithm(type, name, key, lengthWord, length);
    }

    /** ALGO-KEYMAT: 0x followed by hex digits, or (as in iproute2) the bytes of the word itself. Never echoed in errors. */
    private static KeyMaterial key(String word, String label) {
        if (word.startsWith("0x") && word.length() > 2) {
            try {
                return KeyMaterial.parseHex(word);
            } catch (IllegalArgumentException e) {
                throw new CommandException("Error: the key of \"" + label + "\" is wrong: expected 0x followed by an even"
                        + " number of hex digits");
            }
        }
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        try {
            return new KeyMaterial(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The suite, EspSuite's refusal attributed to the word at fault (the name, the key or the length). */
    private static EspSuite suite(Algorithm aead, Algorithm enc, Algorithm auth) {
        if (aead == null && enc == null) {
            throw CommandException.required("aead", "aead NAME KEY ICV-LEN, or enc NAME KEY with auth-trunc NAME KEY"
                    + " TRUNC-LEN (ESP needs an algorithm)");
        }
        try {
            if (aead != null) {
                if (aead.key().length() <= EspSuite.SALT_BYTES && EspSuite.Cipher.ofLinuxName(aead.name()) != null) {
                    throw new CommandException("Error: the key of \"" + aead.label() + "\" is wrong: " + aead.key().bits()
                            + " bits of key material: expected the key followed by a 32-bit salt");
                }
                return EspSuite.aead(aead.name(), aead.key().bits(), aead.length());
            }
            EspSuite.Cipher cipher = EspSuite.Cipher.ofLinuxName(enc.name());
            if (auth != null || cipher == null || cipher.aead()) {
                return EspSuite.encAuth(enc.name(), enc.key().bits(), auth == null ? "" : auth.name(),
                        auth == null ? 0 : auth.length());
            }
            return new EspSuite(cipher, enc.key().bits(), EspSuite.Auth.NONE, 0);
        } catch (CryptoException e) {
            String message = e.getMessage();
            Algorithm cipherAlgorithm = aead != null ? aead : enc;
            if (message.startsWith("key of ")) {
                throw new CommandException("Error: the key of \"" + cipherAlgorithm.label() + "\" is wrong: " + message, e);
            }
            if (message.startsWith("ICV length ")) {
                Algorithm icv = aead != null ? aead : auth;
                throw CommandException.badArgument(icv.lengthWord() != null ? icv.lengthWord() : icv.type(), message);
            }
            if (message.startsWith("auth-trunc \"") && auth != null) {
                throw CommandException.badArgument(auth.name(), message);
            }
            if (message.startsWith("aead \"") || message.startsWith("enc \"")) {
                throw CommandException.badArgument(cipherAlgorithm.name(), message);
            }
            throw CommandException.badArgument(cipherAlgorithm.type(), message);
        }
    }

    /** FLAG-LIST: esn and af-unspec; the other Linux flags are refused by name. Returns whether esn was given. */
    private static boolean flags(Args args) {
        if (!args.hasNext()) {
            throw CommandException.missingValue("flag", "FLAG-LIST (esn, af-unspec)");
        }
        String first = args.peek();
        if (first.length() > 2 && first.startsWith("0x")) {
            args.next();
            int bits = (int) XfrmWords.unsigned(first, "flag", 0, XfrmWords.U8);
            for (int i = 0; i < FLAGS.size(); i++) {
                if ((bits & (1 << i)) != 0) {
                    checkFlag(first, FLAGS.get(i));
                }
            }
            return (bits & 0x80) != 0;
        }
        boolean esn = false;
        int count = 0;
        while (args.hasNext() && FLAGS.contains(args.peek())) {
            String flag = args.next();
            checkFlag(flag, flag);
            esn |= flag.equals("esn");
            count++;
        }
        if (count == 0) {
            throw CommandException.badArgument(first, "expected a FLAG after \"flag\": esn or af-unspec");
        }
        return esn;
    }

    /**
     * esn is Netfence's; af-unspec (strongSwan sets it on every SA) is accepted: a selector of any
     * family is what Netfence does anyway.
     */
    private static void checkFlag(String word, String flag) {
        if (!flag.equals("esn") && !flag.equals("af-unspec")) {
            throw CommandException.badArgument(word, "flag " + flag + " is not supported by Netfence: expected esn or af-unspec");
        }
    }

    /** {@code encap espinudp SPORT DPORT OADDR}: ESP in UDP (RFC 3948); the other types are refused. */
    private static Encap encap(Args args) {
        String type = args.value("encap", "espinudp SPORT DPORT OADDR");
        if (!type.equals(Encap.TYPE)) {
            String why = switch (type) {
                case "espinudp-nonike" -> "espinudp-nonike (the pre-RFC draft with a non-IKE marker) is not supported by Netfence";
                case "espintcp" -> "ESP in TCP (RFC 8229) is not supported by Netfence";
                default -> "unknown ENCAP type";
            };
            throw CommandException.badArgument(type, why + ": expected encap espinudp SPORT DPORT OADDR");
        }
        int sport = (int) XfrmWords.unsigned(args.value("encap espinudp", "SPORT DPORT OADDR"), "SPORT", 1, XfrmWords.U16);
        int dport = (int) XfrmWords.unsigned(args.value("encap espinudp " + sport, "DPORT OADDR"), "DPORT", 1, XfrmWords.U16);
        IpAddress oa = IpWords.address(args.value("encap espinudp " + sport + " " + dport, "OADDR"), 0);
        return new Encap(sport, dport, oa);
    }

    /** {@code offload [crypto | packet] dev DEV dir { in | out }}. */
    private OffloadSpec offload(Args args) {
        String form = "[crypto | packet] dev DEV dir { in | out }";
        String word = args.value("offload", form);
        OffloadSpec.Type type = OffloadSpec.Type.CRYPTO;
        if (word.equals("crypto") || word.equals("packet")) {
            type = word.equals("packet") ? OffloadSpec.Type.PACKET : OffloadSpec.Type.CRYPTO;
            word = args.value("offload " + word, "dev DEV dir { in | out }");
        }
        if (!word.equals("dev")) {
            throw CommandException.badArgument(word, "expected offload " + form);
        }
        String dev = XfrmWords.device(context.net, args.value("dev", "DEV"), false);
        String dirWord = args.value("offload dev " + dev, "dir { in | out }");
        if (!dirWord.equals("dir")) {
            throw CommandException.badArgument(dirWord, "expected offload " + form);
        }
        String value = args.value("dir", "in | out");
        if (!value.equals("in") && !value.equals("out")) {
            throw CommandException.badArgument(value, "expected offload dir in or out");
        }
        return new OffloadSpec(type, dev, value.equals("in") ? XfrmDirection.IN : XfrmDirection.OUT);
    }

    // ------------------------------------------------------------------------------ allocspi

    private String allocspi(IpOptions options, Args args) {
        XfrmWords.Id id = new XfrmWords.Id();
        XfrmMode mode = null;
        Integer reqid = null;
        String minWord = null;
        String maxWord = null;
        while (args.hasNext()) {
            if (id.parse(args, options.family())) {
                if (id.hasSpi()) {
                    throw CommandException.badArgument("spi", "allocspi chooses the SPI: expected min SPI max SPI instead");
                }
                continue;
            }
            String word = args.next();
            switch (word) {
                case "mode" -> mode = XfrmWords.mode(args, mode);
                case "reqid" -> reqid = XfrmWords.u32(args, word, "REQID", reqid);
                case "min" -> {
                    XfrmWords.once(minWord, word);
                    minWord = args.value(word, "SPI");
                }
                case "max" -> {
                    XfrmWords.once(maxWord, word);
                    maxWord = args.value(word, "SPI");
                }
                case "mark" -> throw CommandException.badArgument(word, "allocspi takes no mark in Netfence: give it to the"
                        + " ip xfrm state update that completes the SA");
                case "seq" -> throw unsupported(word, UNSUPPORTED.get(word));
                default -> throw CommandException.notOneOf(word, List.of("src", "dst", "proto", "mode", "reqid", "min", "max"));
            }
        }
        String usage = "ip xfrm state allocspi src ADDR dst ADDR proto esp [mode MODE] [reqid REQID] [min SPI max SPI]";
        if (!id.given()) {
            throw CommandException.required("ID", usage);
        }
        IpAddress src = id.srcWord == null ? null : XfrmWords.address(id.srcWord, options.family());
        IpAddress dst = id.dstWord == null ? null : XfrmWords.address(id.dstWord, options.family());
        if (src == null || dst == null || id.protoWord == null) {
            throw CommandException.required(src == null ? "src" : dst == null ? "dst" : "proto", usage);
        }
        if ((minWord == null) != (maxWord == null)) {
            throw CommandException.required(minWord == null ? "min" : "max", "min SPI max SPI together");
        }
        int min = minWord == null ? MIN_SPI : (int) XfrmWords.unsigned(minWord, "min", 0, XfrmWords.U32);
        int max = maxWord == null ? 0x0FFF_FFFF : (int) XfrmWords.unsigned(maxWord, "max", 0, XfrmWords.U32);
        if (Integer.compareUnsigned(min, MIN_SPI) < 0) {
            throw CommandException.badArgument(minWord, "SPIs 0-255 are reserved (RFC 4303): expected min 0x100 or more");
        }
        if (Integer.compareUnsigned(min, max) > 0) {
            throw CommandException.badArgument(minWord, "the value after \"min\" is larger than the value after \"max\"");
        }
        XfrmMode m = mode == null ? XfrmMode.TRANSPORT : mode;
        int r = reqid == null ? 0 : reqid;
        int spi = XfrmCommand.call(() -> xfrm.allocateSpi(src, dst, m, r, min, max));
        XfrmStateInfo info;
        try {
            info = xfrm.state(dst, spi);
        } catch (XfrmException e) {
            // the reservation is not listed as an SA: show what it holds, as Linux shows a larval SA
            Selector sel = new Selector(new IpPrefix(src, src.bitLength()), new IpPrefix(dst, dst.bitLength()), 0, 0, 0, 0, 0, null);
            info = new XfrmStateInfo(new XfrmState(src, dst, spi, m, r, null, null, null, 0, false, sel, Lifetime.NONE, null,
                    Mark.NONE, 0, null), SaCounters.ZERO, 0, 0, 0, 0, 0, false, null);
        }
        return show(options, List.of(info), false);
    }

    // ------------------------------------------------------------------------------ get, delete

    private String getOrDelete(IpOptions options, Args args, boolean delete) {
        XfrmWords.Id id = new XfrmWords.Id();
        Mark mark = null;
        String verb = delete ? "delete" : "get";
        String usage = "ip xfrm state " + verb + " src ADDR dst ADDR proto esp spi SPI [mark MARK [mask MASK]]";
        while (args.hasNext()) {
            if (id.parse(args, options.family())) {
                continue;
            }
            String word = args.next();
            if (word.equals("mark")) {
                mark = XfrmWords.mark(args, mark);
            } else {
                throw CommandException.badArgument(word, "expected " + usage);
            }
        }
        if (id.dstWord == null) {
            throw CommandException.required("dst", usage);
        }
        if (id.protoWord == null || !id.hasSpi()) {
            throw CommandException.required(id.protoWord == null ? "proto" : "spi", usage);
        }
        // src is not part of an ESP SA's identity: Linux ignores it here, so does Netfence (but checks it)
        if (id.srcWord != null) {
            XfrmWords.address(id.srcWord, options.family());
        }
        IpAddress dst = XfrmWords.address(id.dstWord, options.family());
        int spi = id.spi;
        XfrmStateInfo info = XfrmCommand.call(() -> xfrm.state(dst, spi));
        Mark want = XfrmWords.lookupMark(mark);
        if (!want.equals(Mark.NONE) && !info.state().mark().matches(want.value())) {
            throw new CommandException("Error: no SA dst " + dst + " spi " + info.state().spiText() + " with mark "
                    + XfrmWords.u32Text(want.value()) + ": expected the mark the SA has (ip xfrm state get without mark shows it)");
        }
        if (delete) {
            XfrmCommand.run(() -> xfrm.deleteState(dst, spi));
            return null;
        }
        return show(options, List.of(info), false);
    }

    // ------------------------------------------------------------------------------ list, deleteall

    private String listOrDeleteAll(IpOptions options, Args args, boolean deleteAll) {
        XfrmWords.Id id = new XfrmWords.Id();
        XfrmMode mode = null;
        Integer reqid = null;
        boolean esn = false;
        boolean nokeys = false;
        while (args.hasNext()) {
            if (id.parse(args, options.family())) {
                continue;
            }
            String word = args.next();
            switch (word) {
                case "nokeys" -> nokeys = true;
                case "mode" -> mode = XfrmWords.mode(args, mode);
                case "reqid" -> reqid = XfrmWords.u32(args, word, "REQID", reqid);
                case "flag" -> {
                    String flag = args.value(word, "esn");
                    if (!flag.equals("esn")) {
                        throw CommandException.badArgument(flag, FLAGS.contains(flag)
                                ? "Netfence keeps only the esn flag, so no SA is listed by " + flag + ": expected flag esn"
                                : "expected flag esn");
                    }
                    esn = true;
                }
                default -> throw CommandException.notOneOf(word, List.of("src", "dst", "proto", "spi", "mode", "reqid", "flag",
                        "nokeys"));
            }
        }
        IpPrefix src = id.srcWord == null ? null : XfrmWords.prefix(id.srcWord, options.family());
        IpPrefix dst = id.dstWord == null ? null : XfrmWords.prefix(id.dstWord, options.family());
        int family = options.family() != 0 ? options.family() : src != null ? src.version() : dst != null ? dst.version() : 0;
        List<XfrmStateInfo> shown = new ArrayList<>();
        for (XfrmStateInfo info : XfrmCommand.call(xfrm::states)) {
            XfrmState s = info.state();
            if ((family == 0 || s.family() == family)
                    && (src == null || src.contains(s.src()))
                    && (dst == null || dst.contains(s.dst()))
                    && (!id.hasSpi() || s.spi() == id.spi)
                    && (mode == null || s.mode() == mode)
                    && (reqid == null || s.reqid() == reqid)
                    && (!esn || s.esn())) {
                shown.add(info);
            }
        }
        if (deleteAll) {
            for (XfrmStateInfo info : shown) {
                XfrmCommand.run(() -> xfrm.deleteState(info.state().dst(), info.state().spi()));
            }
            return null;
        }
        return show(options, shown, nokeys);
    }

    /** SAs as text, or as a JSON array. */
    private String show(IpOptions options, List<XfrmStateInfo> states, boolean nokeys) {
        XfrmFormat format = new XfrmFormat(options, nokeys, context.zone);
        return format.listing(states, format::state, format::state);
    }

    // ------------------------------------------------------------------------------ flush, count

    private String flush(Args args) {
        String proto = XfrmWords.onlyOption(args, "proto", "ip xfrm state flush [proto esp]");
        if (proto != null) {
            XfrmWords.esp(proto);
        }
        XfrmCommand.call(xfrm::flushStates);
        return null;
    }

    private String count(IpOptions options, Args args) {
        if (args.hasNext()) {
            throw CommandException.badArgument(args.next(), "expected ip xfrm state count");
        }
        int count = XfrmCommand.call(xfrm::stateCount);
        if (options.json()) {
            return new JsonWriter(options.pretty()).beginObject().member("count", count).endObject().toString();
        }
        return XfrmFormat.stateCount(count);
    }
}
