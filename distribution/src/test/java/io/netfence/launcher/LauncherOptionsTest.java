package io.netfence.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LauncherOptionsTest {
    @Test
    void noOptionsIsInteractive() {
        assertTrue(LauncherOptions.parse().interactive());
    }

    @Test
    void commandAndBatchForms() {
        LauncherOptions c = LauncherOptions.parse("-c", "ip -j link show");
        assertEquals("ip -j link show", c.command());
        assertFalse(c.interactive());
        LauncherOptions b = LauncherOptions.parse("-b", "cmds.txt", "-force", "--data", "/tmp/x");
        assertEquals(Path.of("cmds.txt"), b.batch());
        assertTrue(b.force());
        assertEquals(Path.of("/tmp/x"), b.dataDir());
    }

    @Test
    void serveRunsHeadlessWithAnOptionalBatch() {
        LauncherOptions s = LauncherOptions.parse("--serve", "-b", "site.batch", "--data", "/tmp/site");
        assertTrue(s.serve());
        assertFalse(s.interactive());
        assertEquals(Path.of("site.batch"), s.batch());
        assertTrue(LauncherOptions.parse("--serve").serve());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("--serve", "-c", "ip link")).getMessage()
                .contains("--serve"));
    }

    @Test
    void errorsNameTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("-x")).getMessage().contains("\"-x\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("-c")).getMessage().contains("-c"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("-force")).getMessage().contains("-force"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("-c", "x", "-b", "f")).getMessage()
                .contains("together"));
    }
}
