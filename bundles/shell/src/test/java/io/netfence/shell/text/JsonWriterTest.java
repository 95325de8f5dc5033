package io.netfence.shell.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netfence.shell.testing.TestJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonWriterTest {

    private static JsonWriter sample(boolean pretty) {
        return new JsonWriter(pretty).beginArray()
                .beginObject()
                .member("ifindex", 1)
                .member("ifname", "eth0")
                .member("flags", List.of("UP", "LOWER_UP"))
                .member("rate", 3.25)
                .member("up", true)
                .name("master").nullValue()
                .name("empty").beginObject().endObject()
                .name("none").beginArray().endArray()
                .endObject()
                .endArray();
    }

    @Test
    void compactFormHasNoBlanks() {
        assertEquals("[{\"ifindex\":1,\"ifname\":\"eth0\",\"flags\":[\"UP\",\"LOWER_UP\"],\"rate\":3.25,\"up\":true,"
                + "\"master\":null,\"empty\":{},\"none\":[]}]", sample(false).toString());
    }

    @Test
    void prettyFormIndentsFourSpaces() {
        assertEquals("""
                [
                    {
                        "ifindex": 1,
                        "ifname": "eth0",
                        "flags": [
                            "UP",
                            "LOWER_UP"
                        ],
                        "rate": 3.25,
                        "up": true,
                        "master": null,
                        "empty": {},
                        "none": []
                    }
                ]""", sample(true).toString());
    }

    @Test
    void bothFormsParseToTheSameValue() {
        Object compact = TestJson.parse(sample(false).toString());
        assertEquals(compact, TestJson.parse(sample(true).toString()));
        Map<String, Object> link = TestJson.object(((List<?>) compact).getFirst());
        assertEquals(1L, link.get("ifindex"));
        assertEquals(List.of("UP", "LOWER_UP"), link.get("flags"));
        assertEquals(3.25, link.get("rate"));
    }

    @Test
    void stringsAreEscaped() {
        String nasty = "quote\" backslash\\ newline\n tab\t cr\r bell\u0007 nul\u0000 sep\u2028 é ü 日本";
        String json = new JsonWriter(false).beginObject().member("k\"ey", nasty).endObject().toString();
        assertEquals("{\"k\\\"ey\":\"quote\\\" backslash\\\\ newline\\n tab\\t cr\\r bell\\u0007 nul\\u0000 sep\\u2028 é ü 日本\"}",
                json);
        assertEquals(Map.of("k\"ey", nasty), TestJson.parse(json));
    }

    @Test
    void numbers() {
        String json = new JsonWriter(false).beginArray().value(-5).value(Long.MAX_VALUE).value(2.0).value(0.001)
                .value(Double.NaN).value(Double.POSITIVE_INFINITY).endArray().toString();
        assertEquals("[-5,9223372036854775807,2,0.001,null,null]", json);
        TestJson.parse(json);
    }

    @Test
    void topLevelScalar() {
        assertEquals("\"x\"", new JsonWriter(true).value("x").toString());
    }

    @Test
    void misuseIsRefused() {
        assertThrows(IllegalStateException.class, () -> new JsonWriter(false).beginObject().value(1));
        assertThrows(IllegalStateException.class, () -> new JsonWriter(false).beginArray().name("a"));
        assertThrows(IllegalStateException.class, () -> new JsonWriter(false).beginArray().endObject());
        assertThrows(IllegalStateException.class, () -> new JsonWriter(false).beginObject().name("a").endObject());
        assertThrows(IllegalStateException.class, () -> new JsonWriter(false).beginObject().toString());
        assertThrows(IllegalStateException.class, () -> new JsonWriter(false).toString());
        assertThrows(IllegalStateException.class, () -> new JsonWriter(false).value(1).value(2));
        assertThrows(IllegalStateException.class, () -> new JsonWriter(false).beginArray().endArray().beginArray());
    }
}
