package io.netfence.shell.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.shell.text.CommandException;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LogCommandTest {
    private final LogCommand log = new LogCommand();
    private final Logger root = Logger.getLogger("");
    private Level rootLevel;
    private Handler[] rootHandlers;
    private final ConsoleHandler console = new ConsoleHandler();
    private final StreamHandler other = new StreamHandler();

    @BeforeEach
    void launcherLikeHandlers() {
        rootLevel = root.getLevel();
        rootHandlers = root.getHandlers();
        for (Handler h : rootHandlers) {
            root.removeHandler(h);
        }
        console.setLevel(Level.WARNING);
        other.setLevel(Level.INFO);
        root.addHandler(console);
        root.addHandler(other);
    }

    @AfterEach
    void restore() {
        root.removeHandler(console);
        root.removeHandler(other);
        for (Handler h : rootHandlers) {
            root.addHandler(h);
        }
        root.setLevel(rootLevel);
    }

    @Test
    void levelsMapToJul() {
        String name = "io.netfence.test.levels";
        String[][] cases = {{"TRACE", "FINEST"}, {"debug", "FINE"}, {"Info", "INFO"}, {"WARN", "WARNING"},
                {"ERROR", "SEVERE"}, {"OFF", "OFF"}, {"ALL", "ALL"}};
        for (String[] c : cases) {
            log.execute("level", name, c[0]);
            assertEquals(Level.parse(c[1]), Logger.getLogger(name).getLevel(), c[0]);
        }
        log.execute("level", name, "default");
        assertNull(Logger.getLogger(name).getLevel());
    }

    @Test
    void rootIsTheDefaultLogger() {
        log.execute("level", "ERROR");
        assertEquals(Level.SEVERE, root.getLevel());
        log.execute("level", "root", "WARN");
        assertEquals(Level.WARNING, root.getLevel());
    }

    @Test
    void configuredLoggersSurviveGarbageCollection() throws InterruptedException {
        String name = "io.netfence.test.weak." + System.nanoTime();
        log.execute("level", name, "DEBUG");
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(10);
        }
        // JUL would have dropped an unreferenced logger with its level; the command keeps it
        assertEquals(Level.FINE, Logger.getLogger(name).getLevel());
    }

    @Test
    void noteWhenNoHandlerWouldPrint() {
        assertEquals("Note: no handler writes DEBUG messages (console WARN, streamhandler INFO and above);"
                + " lower one with: log handler console DEBUG", log.execute("level", "io.netfence.test.note", "DEBUG"));
        assertNull(log.execute("level", "io.netfence.test.note", "ERROR"));
    }

    @Test
    void handlerLevels() {
        assertNull(log.execute("handler", "console", "DEBUG"));
        assertEquals(Level.FINE, console.getLevel());
        assertNull(log.execute("handler", "java.util.logging.StreamHandler", "TRACE"));
        assertEquals(Level.FINEST, other.getLevel());
        CommandException e = assertThrows(CommandException.class, () -> log.execute("handler", "syslog", "INFO"));
        assertEquals("Error: argument \"syslog\" is wrong: expected one of console, streamhandler", e.getMessage());
    }

    @Test
    void showListsSetLevelsAndHandlers() {
        root.setLevel(Level.INFO);
        log.execute("level", "io.netfence.test.show", "DEBUG");
        String out = log.execute("show");
        assertTrue(out.startsWith("LOGGER"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("root +INFO")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("io\\.netfence\\.test\\.show +DEBUG")), out);
        assertTrue(out.contains("HANDLER        LEVEL  CLASS\n"
                + "console        WARN   java.util.logging.ConsoleHandler\n"
                + "streamhandler  INFO   java.util.logging.StreamHandler"), out);
        assertEquals(out, log.execute());
    }

    @Test
    void errorsNameTheWord() {
        assertError("Error: argument \"LOUD\" is wrong: expected one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, ALL, default",
                "level", "io.netfence", "LOUD");
        assertError("Error: argument \"a..b\" is wrong: expected a logger name like io.netfence.net, or root", "level", "a..b", "INFO");
        assertError("Error: \"LEVEL\" argument is required: expected log level [LOGGER] LEVEL", "level");
        assertError("Error: argument \"x\" is wrong: expected log level [LOGGER] LEVEL", "level", "a", "INFO", "x");
        assertError("Error: command \"frob\" is unknown: expected one of level, handler, show, help", "frob");
    }

    private void assertError(String message, String... words) {
        CommandException e = assertThrows(CommandException.class, () -> log.execute(words));
        assertEquals(message, e.getMessage());
    }

    @Test
    void help() {
        assertEquals(LogCommand.HELP, log.execute("help"));
        assertEquals(LogCommand.HELP, log.execute("-h"));
        assertTrue(LogCommand.HELP.contains("Examples:"));
    }
}
