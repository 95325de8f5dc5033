package io.netfence.shell.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.backend.software.xfrm.SoftwareXfrmProvider;
import io.netfence.crypto.EspSuite;
import io.netfence.crypto.internal.BcEngine;
import io.netfence.crypto.internal.JceEngine;
import io.netfence.shell.text.CommandException;
import org.junit.jupiter.api.Test;

/** {@code crypto}: the engine each cipher gets, pinning and its errors, on a real provider with real engines. */
class CryptoCommandTest {
    final SoftwareXfrmProvider sw = new SoftwareXfrmProvider();
    final CryptoCommand crypto = new CryptoCommand(() -> sw);

    CryptoCommandTest() {
        sw.addEngine(new JceEngine());
        sw.addEngine(new BcEngine());
    }

    @Test
    void showsTheEngineEachCipherGets() {
        String out = crypto.execute("show");
        assertTrue(out.startsWith("engines: bc jce\n"), out);
        assertTrue(out.contains("rfc4106(gcm(aes))"), out);
        assertTrue(out.lines().filter(l -> l.startsWith("rfc4106")).findFirst().orElseThrow().matches("rfc4106\\(gcm\\(aes\\)\\)\\s+jce\\s+auto"), out);
        assertEquals(crypto.execute(), out, "show is the default");
        String json = crypto.execute("-j");
        assertTrue(json.contains("{\"cipher\":\"cbc(aes)\",\"engine\":\"jce\",\"pinned\":false}"), json);
    }

    @Test
    void pinsAndUnpins() {
        assertNull(crypto.execute("engine", "aes-gcm", "bc"));
        assertEquals("bc", sw.pinned(EspSuite.Cipher.AES_GCM));
        assertEquals("bc", sw.engineFor(EspSuite.aead("rfc4106(gcm(aes))", 160, 128)).name());
        assertTrue(crypto.execute().lines().anyMatch(l -> l.matches("rfc4106\\(gcm\\(aes\\)\\)\\s+bc\\s+pinned")));
        crypto.execute("engine", "rfc4106(gcm(aes))", "auto");
        assertNull(sw.pinned(EspSuite.Cipher.AES_GCM));
    }

    @Test
    void badWordsAreNamedAndChangeNothing() {
        CommandException e = assertThrows(CommandException.class, () -> crypto.execute("engine", "aes-gcm", "openssl"));
        assertEquals("Error: argument \"openssl\" is wrong: expected one of bc, jce, auto", e.getMessage());
        e = assertThrows(CommandException.class, () -> crypto.execute("engine", "des", "jce"));
        assertTrue(e.getMessage().startsWith("Error: argument \"des\" is wrong: expected one of rfc4106(gcm(aes))"), e.getMessage());
        e = assertThrows(CommandException.class, () -> crypto.execute("engine", "aes-gcm"));
        assertTrue(e.getMessage().contains("engine rfc4106(gcm(aes))"), e.getMessage());
        assertThrows(CommandException.class, () -> crypto.execute("engine", "aes-gcm", "jce", "now"));
        assertThrows(CommandException.class, () -> crypto.execute("rotate"));
        for (EspSuite.Cipher c : EspSuite.Cipher.values()) {
            assertNull(sw.pinned(c));
        }
        CryptoCommand none = new CryptoCommand(() -> null);
        assertTrue(assertThrows(CommandException.class, none::execute).getMessage().contains("software backend is not running"));
    }
}
