package io.netfence.net.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.NetException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The helpers drivers share: argument walking with iproute2-style refusals, and pacing. */
class DriverToolsTest {
    private static final String USAGE = "rate PPS [count N]";

    @Test
    void walksKeywordValuePairsAndNamesWhatIsWrong() {
        DriverArgs a = new DriverArgs(USAGE, List.of("rate", "10k", "count", "5"));
        assertEquals("rate", a.keyword(Set.of("rate", "count")));
        assertEquals(10_000, DriverArgs.number("rate", a.value("rate", "PPS"), 0, 1_000_000, true, "0-1000000"));
        assertEquals("count", a.keyword(Set.of("rate", "count")));
        assertEquals("5", a.value("count", "N"));
        assertFalse(a.hasNext());

        NetException e = assertThrows(NetException.class, () -> new DriverArgs(USAGE, List.of("speed")).keyword(Set.of("rate")));
        assertTrue(e.getMessage().contains("\"speed\"") && e.getMessage().contains(USAGE), e.getMessage());
        DriverArgs twice = new DriverArgs(USAGE, List.of("rate", "1", "rate", "2"));
        twice.keyword(Set.of("rate"));
        twice.value("rate", "PPS");
        e = assertThrows(NetException.class, () -> twice.keyword(Set.of("rate")));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
        DriverArgs missing = new DriverArgs(USAGE, List.of("rate"));
        missing.keyword(Set.of("rate"));
        e = assertThrows(NetException.class, () -> missing.value("rate", "PPS"));
        assertTrue(e.getMessage().contains("rate PPS"), e.getMessage());
    }

    @Test
    void numbersAreStrictDecimalsWithOptionalSuffixes() {
        assertEquals(2_000_000_000L, DriverArgs.number("n", "2G", 0, Long.MAX_VALUE / 2, true, "x"));
        for (String bad : List.of("", "-1", "+5", "1.5", "12x", "k", "99999999999999999999", "1e3")) {
            assertThrows(NetException.class, () -> DriverArgs.number("n", bad, 0, Long.MAX_VALUE / 2, true, "x"), bad);
        }
        assertThrows(NetException.class, () -> DriverArgs.number("n", "10k", 0, 1000, false, "x"), "no suffix allowed");
        assertThrows(NetException.class, () -> DriverArgs.number("n", "2k", 0, 1000, true, "x"), "above max");
    }

    @Test
    void theTokenBucketGivesTheRateAndABoundedBurst() {
        long t = 0;
        TokenBucket b = new TokenBucket(1_000, t);
        assertEquals(1, b.take(64, t), "one packet to start");
        t += 1_000_000_000L; // a second later: capped at 10 ms worth
        assertEquals(10, b.take(64, t));
        int total = 0;
        for (int ms = 0; ms < 1000; ms++) {
            t += 1_000_000;
            total += b.take(64, t);
        }
        assertEquals(1000, total, "1000 packets per second, exactly");
        b.refund(3);
        assertEquals(3, b.take(64, t));
        assertEquals(0, new TokenBucket(0, 0).take(64, Long.MAX_VALUE / 2), "rate 0 gives nothing");
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(-1, 0));
    }
}
