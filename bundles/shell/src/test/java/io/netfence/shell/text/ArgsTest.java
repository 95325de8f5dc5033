package io.netfence.shell.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArgsTest {

    @Test
    void splitHandlesBlanksQuotesEscapesAndComments() {
        assertEquals(List.of("link", "add", "a b", "type", "pcap", "rx", "it's"),
                Args.split("  link add \"a b\"\ttype pcap rx 'it'\\''s'  # comment \"x\""));
        assertEquals(List.of(), Args.split("   # only a comment"));
        assertEquals(List.of("a#b"), Args.split("a\\#b"));
        assertEquals(List.of(""), Args.split("\"\""));
    }

    @Test
    void unterminatedQuoteIsAnError() {
        CommandException e = assertThrows(CommandException.class, () -> Args.split("link add \"eth0"));
        assertEquals("Error: unterminated quoted string: expected a closing \"", e.getMessage());
    }

    @Test
    void matchTakesTheFirstCandidateThatTheWordPrefixes() {
        List<String> objects = List.of("address", "route", "neighbor", "link");
        assertEquals("address", Args.match("a", objects));
        assertEquals("link", Args.match("l", objects));
        assertEquals("route", Args.match("ro", objects));
        assertNull(Args.match("links", objects));
        assertNull(Args.match("", objects));
    }

    @Test
    void valuesAreCheckedWithTheKeywordInTheMessage() {
        Args args = Args.of("mtu", "abc");
        args.next();
        CommandException e = assertThrows(CommandException.class, () -> args.intValue("mtu", 68, 65535));
        assertEquals("Error: argument \"abc\" is wrong: \"mtu\" expects an integer 68-65535", e.getMessage());
        Args missing = Args.of("mtu");
        missing.next();
        e = assertThrows(CommandException.class, () -> missing.intValue("mtu", 68, 65535));
        assertEquals("Error: argument \"mtu\" needs a value: expected mtu 68-65535", e.getMessage());
        Args big = Args.of("70000");
        e = assertThrows(CommandException.class, () -> big.intValue("mtu", 68, 65535));
        assertEquals("Error: argument \"70000\" is wrong: \"mtu\" expects an integer 68-65535", e.getMessage());
    }

    @Test
    void restTakesTheRemainingWords() {
        Args args = Args.of("type", "pcap", "rx", "a");
        assertEquals("type", args.next());
        assertEquals("pcap", args.peek());
        assertEquals(List.of("pcap", "rx", "a"), args.rest());
        assertEquals(false, args.hasNext());
    }
}
