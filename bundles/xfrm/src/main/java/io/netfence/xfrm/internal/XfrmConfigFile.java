package io.netfence.xfrm.internal;

import io.netfence.crypto.EspSuite;
import io.netfence.net.spi.DurableFile;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.xfrm.api.Encap;
import io.netfence.xfrm.api.KeyMaterial;
import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.Template;
import io.netfence.xfrm.api.XfrmDirection;
import io.netfence.xfrm.api.XfrmMode;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmPolicyInfo;
import io.netfence.xfrm.api.XfrmService;
import io.netfence.xfrm.api.XfrmState;
import io.netfence.xfrm.api.XfrmStateInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The SAD and SPD on disk ({@code xfrm.conf} in the data folder), one object per line as
 * {@code state key=value ...} or {@code policy key=value ...}. It holds keys, so it is created
 * readable by root only (0600), written whole (write, fsync, rename) by the component's coalescing writer.
 */
final class XfrmConfigFile {
    private final Path file;
    private final Logger log;

    XfrmConfigFile(Path file, Logger log) {
        this.file = file;
        this.log = log;
    }

    /** Writes the current SAD and SPD atomically, readable by its owner only. */
    synchronized void save(XfrmService xfrm) throws IOException {
        List<String> lines = new ArrayList<>();
        for (XfrmStateInfo i : xfrm.states()) {
            lines.add(stateLine(i.state()) + usage(i));
        }
        for (XfrmPolicyInfo i : xfrm.policies()) {
            lines.add(policyLine(i.policy()) + " added=" + i.addTime() + " used=" + i.useTime());
        }
        DurableFile.replace(file, "# Netfence xfrm state and policies: written by the appliance, holds keys (mode 0600)", lines, true);
    }

    /**
     * Replays the file into {@code xfrm}: all SAs in one call, then all policies in one (one
     * publication each). If the SAD or SPD refuses the lot, they are added one by one so that only
     * the lines that no longer apply are skipped, each with a warning. Returns the objects read.
     */
    int load(XfrmCore xfrm) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        List<XfrmState> states = new ArrayList<>();
        List<XfrmCore.SaUsage> stateUsage = new ArrayList<>();
        List<Integer> stateLines = new ArrayList<>();
        List<XfrmPolicy> policies = new ArrayList<>();
        List<XfrmCore.PolicyUsage> policyUsage = new ArrayList<>();
        List<Integer> policyLines = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            try {
                Map<String, String> kv = fields(line);
                if (line.startsWith("state ")) {
                    XfrmState state = state(kv);
                    stateUsage.add(stateUsage(kv));
                    states.add(state);
                    stateLines.add(n);
                } else if (line.startsWith("policy ")) {
                    XfrmPolicy policy = policy(kv);
                    // A file written before usage was saved: the policy starts its lifetime again.
                    policyUsage.add(kv.containsKey("added")
                            ? new XfrmCore.PolicyUsage(Long.parseLong(kv.get("added")), Long.parseLong(kv.getOrDefault("used", "0"))) : null);
                    policies.add(policy);
                    policyLines.add(n);
                } else {
                    throw new IllegalArgumentException("unknown object");
                }
            } catch (RuntimeException e) {
                log.warn("{} line {} skipped: {}", file, n, e.getMessage());
            }
        }
        try {
            xfrm.addStates(states, stateUsage);
        } catch (RuntimeException refused) {
            for (int i = 0; i < states.size(); i++) {
                try {
                    xfrm.addStates(List.of(states.get(i)), java.util.Collections.singletonList(stateUsage.get(i)));
                } catch (RuntimeException e) {
                    log.warn("{} line {} skipped: {}", file, stateLines.get(i), e.getMessage());
                }
            }
        }
        try {
            xfrm.addPolicies(policies, policyUsage);
        } catch (RuntimeException refused) {
            for (int i = 0; i < policies.size(); i++) {
                try {
                    xfrm.addPolicies(List.of(policies.get(i)), java.util.Collections.singletonList(policyUsage.get(i)));
                } catch (RuntimeException e) {
                    log.warn("{} line {} skipped: {}", file, policyLines.get(i), e.getMessage());
                }
            }
        }
        return states.size() + policies.size();
    }

    // --- writing -------------------------------------------------------------------------------

    static String stateLine(XfrmState s) {
        StringBuilder b = new StringBuilder("state");
        put(b, "src", s.src());
        put(b, "dst", s.dst());
        put(b, "spi", Integer.toUnsignedString(s.spi()));
        put(b, "mode", s.mode().word());
        put(b, "reqid", Integer.toUnsignedString(s.reqid()));
        EspSuite suite = s.suite();
        put(b, "cipher", suite.cipher().linuxName());
        put(b, "keybits", suite.keyBits());
        put(b, "auth", suite.auth() == EspSuite.Auth.NONE ? "-" : suite.auth().linuxName());
        put(b, "icv", suite.icvBits());
        put(b, "enckey", s.encryptionKey().hex());
        put(b, "authkey", s.authenticationKey() == null ? "-" : s.authenticationKey().hex());
        put(b, "window", s.replayWindow());
        put(b, "esn", s.esn());
        put(b, "sel", s.selector() == null ? "-" : selector(s.selector()));
        put(b, "life", lifetime(s.lifetime()));
        put(b, "encap", s.encap() == null ? "-" : s.encap().sourcePort() + "," + s.encap().destinationPort() + ","
                + (s.encap().originalAddress() == null ? "-" : s.encap().originalAddress()));
        put(b, "mark", mark(s.mark()));
        put(b, "if_id", Integer.toUnsignedString(s.ifId()));
        put(b, "replay_seq", Long.toUnsignedString(s.replaySeq()));
        put(b, "replay_oseq", Long.toUnsignedString(s.replayOseq()));
        return b.toString();
    }

    /** What the SA has used, so its lifetime goes on after a restart: add and first-use times, counters, soft expiry. */
    private static String usage(XfrmStateInfo i) {
        return " added=" + i.addTime() + " used=" + i.useTime() + " bytes=" + Long.toUnsignedString(i.counters().bytes())
                + " packets=" + Long.toUnsignedString(i.counters().packets()) + " soft=" + i.softExpired();
    }

    static String policyLine(XfrmPolicy p) {
        StringBuilder b = new StringBuilder("policy");
        put(b, "sel", selector(p.selector()));
        put(b, "dir", p.direction().word());
        put(b, "priority", Integer.toUnsignedString(p.priority()));
        put(b, "action", p.action().word());
        put(b, "index", Integer.toUnsignedString(p.index()));
        put(b, "if_id", Integer.toUnsignedString(p.ifId()));
        put(b, "mark", mark(p.mark()));
        put(b, "life", lifetime(p.lifetime()));
        for (int i = 0; i < p.templates().size(); i++) {
            Template t = p.templates().get(i);
            put(b, "tmpl" + i, (t.src() == null ? "-" : t.src().toString()) + "," + (t.dst() == null ? "-" : t.dst().toString()) + ","
                    + Integer.toUnsignedString(t.spi()) + "," + t.mode().word() + "," + Integer.toUnsignedString(t.reqid()) + ","
                    + (t.optional() ? "use" : "required"));
        }
        return b.toString();
    }

    private static void put(StringBuilder b, String key, Object value) {
        b.append(' ').append(key).append('=').append(value);
    }

    private static String selector(Selector s) {
        return s.src() + "," + s.dst() + "," + s.proto() + "," + s.sport() + "," + s.sportMask() + "," + s.dport() + "," + s.dportMask();
    }

    private static String lifetime(Lifetime l) {
        return l.softBytes() + "," + l.hardBytes() + "," + l.softPackets() + "," + l.hardPackets() + "," + l.softAddSeconds() + ","
                + l.hardAddSeconds() + "," + l.softUseSeconds() + "," + l.hardUseSeconds();
    }

    private static String mark(Mark m) {
        return Integer.toUnsignedString(m.value()) + "/" + Integer.toUnsignedString(m.mask());
    }

    // --- reading -------------------------------------------------------------------------------

    private static Map<String, String> fields(String line) {
        Map<String, String> kv = new LinkedHashMap<>();
        String[] words = line.trim().split(" +");
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("\"" + words[i] + "\" is not KEY=VALUE");
            }
            kv.put(words[i].substring(0, eq), words[i].substring(eq + 1));
        }
        return kv;
    }

    private static String get(Map<String, String> kv, String key) {
        String v = kv.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v;
    }

    private static XfrmState state(Map<String, String> kv) {
        EspSuite.Cipher cipher = EspSuite.Cipher.ofLinuxName(get(kv, "cipher"));
        String authName = get(kv, "auth");
        EspSuite.Auth auth = authName.equals("-") ? EspSuite.Auth.NONE : EspSuite.Auth.ofLinuxName(authName);
        if (cipher == null || auth == null) {
            throw new IllegalArgumentException("unknown algorithm");
        }
        EspSuite suite = new EspSuite(cipher, Integer.parseInt(get(kv, "keybits")), auth, Integer.parseInt(get(kv, "icv")));
        String authKey = get(kv, "authkey");
        String sel = get(kv, "sel");
        String encap = get(kv, "encap");
        Encap e = null;
        if (!encap.equals("-")) {
            String[] p = encap.split(",");
            e = new Encap(Integer.parseInt(p[0]), Integer.parseInt(p[1]), p[2].equals("-") ? null : IpAddress.parse(p[2]));
        }
        return new XfrmState(IpAddress.parse(get(kv, "src")), IpAddress.parse(get(kv, "dst")), Integer.parseUnsignedInt(get(kv, "spi")),
                XfrmMode.valueOf(get(kv, "mode").toUpperCase(java.util.Locale.ROOT)), Integer.parseUnsignedInt(get(kv, "reqid")), suite,
                KeyMaterial.parseHex(get(kv, "enckey")), authKey.equals("-") ? null : KeyMaterial.parseHex(authKey),
                Integer.parseInt(get(kv, "window")), Boolean.parseBoolean(get(kv, "esn")), sel.equals("-") ? null : selector(sel),
                lifetime(get(kv, "life")), e, mark(get(kv, "mark")), Integer.parseUnsignedInt(get(kv, "if_id")), null,
                Long.parseUnsignedLong(kv.getOrDefault("replay_seq", "0")), Long.parseUnsignedLong(kv.getOrDefault("replay_oseq", "0")));
    }

    /** The saved usage of an SA, or null in a file written before it was saved (the SA starts its lifetime again). */
    private static XfrmCore.SaUsage stateUsage(Map<String, String> kv) {
        if (!kv.containsKey("added")) {
            return null;
        }
        return new XfrmCore.SaUsage(Long.parseLong(kv.get("added")), Long.parseLong(kv.getOrDefault("used", "0")),
                Long.parseUnsignedLong(kv.getOrDefault("bytes", "0")), Long.parseUnsignedLong(kv.getOrDefault("packets", "0")),
                Boolean.parseBoolean(kv.getOrDefault("soft", "false")));
    }

    private static XfrmPolicy policy(Map<String, String> kv) {
        List<Template> templates = new ArrayList<>();
        for (int i = 0; kv.containsKey("tmpl" + i); i++) {
            String[] t = kv.get("tmpl" + i).split(",");
            templates.add(new Template(t[0].equals("-") ? null : IpAddress.parse(t[0]), t[1].equals("-") ? null : IpAddress.parse(t[1]),
                    Integer.parseUnsignedInt(t[2]), XfrmMode.valueOf(t[3].toUpperCase(java.util.Locale.ROOT)), Integer.parseUnsignedInt(t[4]),
                    t[5].equals("use")));
        }
        return new XfrmPolicy(selector(get(kv, "sel")), XfrmDirection.valueOf(get(kv, "dir").toUpperCase(java.util.Locale.ROOT)),
                Integer.parseUnsignedInt(get(kv, "priority")), XfrmPolicy.Action.valueOf(get(kv, "action").toUpperCase(java.util.Locale.ROOT)),
                Integer.parseUnsignedInt(get(kv, "index")), templates, Integer.parseUnsignedInt(get(kv, "if_id")), mark(get(kv, "mark")),
                lifetime(get(kv, "life")), null);
    }

    private static Selector selector(String text) {
        String[] p = text.split(",");
        return new Selector(IpPrefix.parse(p[0]), IpPrefix.parse(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]), Integer.parseInt(p[4]),
                Integer.parseInt(p[5]), Integer.parseInt(p[6]), null);
    }

    private static Lifetime lifetime(String text) {
        String[] p = text.split(",");
        long[] v = new long[8];
        for (int i = 0; i < 8; i++) {
            v[i] = Long.parseLong(p[i]);
        }
        return new Lifetime(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    }

    private static Mark mark(String text) {
        int slash = text.indexOf('/');
        return new Mark(Integer.parseUnsignedInt(text.substring(0, slash)), Integer.parseUnsignedInt(text.substring(slash + 1)));
    }
}
