package io.netfence.features.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesEveryValueKind() {
        Object v = Json.parse(" {\"a\": [1, -2.5, true, false, null, \"x\\n\\u0041\\\"\"], \"b\": {}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        List<?> a = (List<?>) m.get("a");
        assertEquals(1L, a.get(0));
        assertEquals(-2.5, a.get(1));
        assertEquals(true, a.get(2));
        assertEquals(false, a.get(3));
        assertNull(a.get(4));
        assertEquals("x\nA\"", a.get(5));
        assertEquals(Map.of(), m.get("b"));
    }

    @Test
    void errorsGiveLineAndColumn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\n  \"a\": 1,\n  \"a\": 2}"));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("duplicate key"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\" 1}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] x"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("\"\\q\""));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("tru"));
    }
}
