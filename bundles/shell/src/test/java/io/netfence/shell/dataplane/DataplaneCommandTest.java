package io.netfence.shell.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.shell.testing.FakeNetService;
import io.netfence.shell.testing.TestJson;
import io.netfence.shell.text.CommandException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataplaneCommandTest {
    private final FakeNetService net = new FakeNetService();
    private final DataplaneCommand cmd = new DataplaneCommand(net);

    @Test
    void showsWorkersAsATableAndAsJson() {
        String out = cmd.execute();
        assertTrue(out.startsWith("2 workers\n"), out);
        assertTrue(out.contains("WORKER"), out);
        assertEquals(out, cmd.execute("show"));
        Object json = TestJson.parse(cmd.execute("-j"));
        assertEquals(2L, ((Map<?, ?>) json).get("workers"));
        assertEquals(2, ((List<?>) ((Map<?, ?>) json).get("worker")).size());
    }

    @Test
    void setsWorkersAndClearsCounters() {
        assertEquals("", cmd.execute("set", "workers", "3"));
        assertEquals(3, net.workerCount());
        assertEquals("", cmd.execute("clear", "counters"));
        assertTrue(net.callNames().contains("clearCounters"));
    }

    @Test
    void badInputNamesTheWordAndChangesNothing() {
        String before = net.snapshot();
        CommandException e = assertThrows(CommandException.class, () -> cmd.execute("set", "workers", "0"));
        assertTrue(e.getMessage().contains("workers"), e.getMessage());
        e = assertThrows(CommandException.class, () -> cmd.execute("set", "threads", "2"));
        assertTrue(e.getMessage().contains("threads"), e.getMessage());
        e = assertThrows(CommandException.class, () -> cmd.execute("frob"));
        assertTrue(e.getMessage().contains("frob"), e.getMessage());
        e = assertThrows(CommandException.class, () -> cmd.execute("clear", "counters", "now"));
        assertTrue(e.getMessage().contains("now"), e.getMessage());
        assertEquals(before, net.snapshot());
    }

    @Test
    void helpExplainsEveryCommand() {
        String help = cmd.execute("help");
        for (String word : List.of("show", "set workers", "clear counters")) {
            assertTrue(help.contains(word), word);
        }
        assertEquals(help, cmd.execute("-h"));
    }
}
