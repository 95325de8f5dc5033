package io.netfence.shell.crypto;

import io.netfence.backend.software.xfrm.SoftwareXfrmProvider;
import io.netfence.crypto.CryptoEngine;
import io.netfence.crypto.EspSuite;
import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.shell.text.JsonWriter;
import io.netfence.shell.text.OutputOptions;
import io.netfence.shell.text.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code crypto [-j] { show | engine CIPHER ENGINE|auto | help }}: which ESP crypto engine the
 * software backend gives new SAs of each cipher, and the operator's choice. The provider is held
 * loosely typed (the software backend is an optional import of the shell).
 */
public final class CryptoCommand {
    static final String HELP = """
            Usage: crypto [ -j | -json ] [ -p | -pretty ] [ show ]
                   crypto engine CIPHER { ENGINE | auto }
                   crypto help
            where  CIPHER := rfc4106(gcm(aes)) | rfc7539esp(chacha20,poly1305) | cbc(aes)
                             (or aes-gcm | chacha20-poly1305 | aes-cbc)
                   ENGINE := one of the engines installed: openssl (the system OpenSSL through FFM),
                             jce (the JDK's provider), bc (Bouncy Castle)

            The software backend seals and opens ESP with a crypto engine chosen per cipher: by
            default the first of openssl, jce, bc that can run the SA's suite (all give the same
            bytes; they differ in speed, see docs/PERFORMANCE.md). "crypto engine" pins a cipher to
            an engine for SAs added from now on (ip xfrm state shows each SA's engine); "auto" goes
            back to the default. The choice is kept across restarts (crypto-engines.conf).

            Examples:
              crypto show
              crypto engine aes-gcm jce
              crypto engine 'rfc4106(gcm(aes))' auto""";

    private final Supplier<?> provider;

    public CryptoCommand(Supplier<?> provider) {
        this.provider = provider;
    }

    public String execute(String... words) {
        Args args = new Args(List.of(words));
        OutputOptions out = OutputOptions.parse(args);
        if (out.help()) {
            return HELP;
        }
        String command = args.hasNext() ? args.next() : "show";
        return switch (command) {
            case "show", "list" -> {
                noMore(args);
                yield show(software(), out);
            }
            case "engine" -> engine(software(), args);
            case "help" -> HELP;
            default -> throw CommandException.notOneOf(command, List.of("show", "engine", "help"));
        };
    }

    private SoftwareXfrmProvider software() {
        Object p = provider.get();
        if (p == null) {
            throw new CommandException("Error: the software backend is not running: expected the xfrm feature installed (feature list)");
        }
        return (SoftwareXfrmProvider) p;
    }

    private static void noMore(Args args) {
        if (args.hasNext()) {
            throw CommandException.badArgument(args.next(), "expected nothing more");
        }
    }

    static EspSuite.Cipher cipher(String word) {
        EspSuite.Cipher c = EspSuite.Cipher.ofLinuxName(word);
        if (c != null) {
            return c;
        }
        return switch (word) {
            case "aes-gcm", "gcm" -> EspSuite.Cipher.AES_GCM;
            case "chacha20-poly1305", "chacha20poly1305" -> EspSuite.Cipher.CHACHA20_POLY1305;
            case "aes-cbc", "cbc" -> EspSuite.Cipher.AES_CBC;
            default -> throw CommandException.notOneOf(word, List.of("rfc4106(gcm(aes))", "rfc7539esp(chacha20,poly1305)", "cbc(aes)",
                    "aes-gcm", "chacha20-poly1305", "aes-cbc"));
        };
    }

    /** A suite of the cipher to ask engines about: the common key size and a 16-byte ICV. */
    static EspSuite typical(EspSuite.Cipher c) {
        return EspSuite.named(switch (c) {
            case AES_GCM -> "aes-128-gcm";
            case CHACHA20_POLY1305 -> "chacha20-poly1305";
            case AES_CBC -> "aes-128-cbc-hmac-sha256";
        });
    }

    private static String engine(SoftwareXfrmProvider sw, Args args) {
        if (!args.hasNext()) {
            throw new CommandException("Error: \"engine\" needs a cipher and an engine: expected crypto engine CIPHER { ENGINE | auto }");
        }
        EspSuite.Cipher c = cipher(args.next());
        String name = args.value("engine " + c.linuxName(), String.join(" | ", sw.engineNames()) + " | auto");
        noMore(args);
        if (name.equals("auto")) {
            sw.pin(c, null);
            return null;
        }
        if (!sw.engineNames().contains(name)) {
            throw CommandException.notOneOf(name, concat(sw.engineNames(), "auto"));
        }
        String why = sw.unsupportedReason(name, typical(c));
        if (why != null) {
            throw CommandException.badArgument(name, "it cannot run " + c.linuxName() + " here: " + why);
        }
        sw.pin(c, name);
        return null;
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> l = new ArrayList<>(a);
        l.add(b);
        return l;
    }

    private static String show(SoftwareXfrmProvider sw, OutputOptions out) {
        if (out.json()) {
            JsonWriter json = new JsonWriter(out.pretty()).beginObject();
            json.member("engines", sw.engineNames());
            json.name("ciphers").beginArray();
            for (EspSuite.Cipher c : EspSuite.Cipher.values()) {
                CryptoEngine e = sw.engineFor(typical(c));
                json.beginObject().member("cipher", c.linuxName()).member("engine", e == null ? "none" : e.name())
                        .member("pinned", sw.pinned(c) != null).endObject();
            }
            return json.endArray().endObject().toString();
        }
        Table t = Table.withHeader("CIPHER", "ENGINE", "CHOSEN");
        for (EspSuite.Cipher c : EspSuite.Cipher.values()) {
            CryptoEngine e = sw.engineFor(typical(c));
            t.row(c.linuxName(), e == null ? "none" : e.name(), sw.pinned(c) != null ? "pinned" : "auto");
        }
        return "engines: " + String.join(" ", sw.engineNames()) + "\n" + t.render();
    }
}
