package io.netfence.net.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The receive burst: 16 by default; the netfence.burst property takes 1-256 and names a bad value. */
class WorkerBurstTest {
    @Test
    void defaultAndOverride() {
        assertEquals(16, Worker.burst(null));
        assertEquals(64, Worker.burst("64"));
        assertEquals(1, Worker.burst(" 1 "));
        assertEquals(256, Worker.burst("256"));
    }

    @Test
    void badValuesAreNamed() {
        for (String bad : new String[] {"0", "257", "-3", "sixteen", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Worker.burst(bad));
            assertTrue(e.getMessage().contains("\"" + bad + "\"") && e.getMessage().contains("1-256"), e.getMessage());
        }
    }
}
