package io.netfence.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Logging for the whole appliance is java.util.logging (bundles log through SLF4J, bound to JUL by
 * the slf4j-jdk14 fragment): WARN and above on the console, INFO and above to a rotating file.
 * Levels are changed at runtime with the shell's {@code log level} command.
 */
final class Logging {
    private Logging() {
    }

    static Path configure(Path logDir, PrintStream console) throws IOException {
        LogManager.getLogManager().reset();
        Files.createDirectories(logDir);
        Formatter fmt = new LineFormatter();

        Handler file = new FileHandler(logDir.resolve("netfence%g.log").toString(), 10 * 1024 * 1024, 5, true);
        file.setLevel(Level.INFO);
        file.setFormatter(fmt);

        // The console handler writes to the real stderr captured before Gogo replaces System.err.
        Handler cons = new Console(console, fmt);
        cons.setLevel(Level.WARNING);

        Logger root = Logger.getLogger("");
        root.setLevel(Level.INFO);
        root.addHandler(file);
        root.addHandler(cons);
        return logDir.resolve("netfence0.log");
    }

    /**
     * The console handler, on the real stderr, flushed per record. Its class name is what the
     * shell's {@code log handler console LEVEL} calls it.
     */
    static final class Console extends StreamHandler {
        Console(PrintStream out, Formatter fmt) {
            super(out, fmt);
        }

        @Override
        public synchronized void publish(LogRecord r) {
            super.publish(r);
            flush();
        }
    }

    /** One line per record: time, level, logger, message, then any stack trace. */
    static final class LineFormatter extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(128);
            sb.append(String.format("%1$tF %1$tT.%1$tL", r.getMillis())).append(' ')
                    .append(levelName(r.getLevel())).append(' ')
                    .append('[').append(r.getLoggerName()).append("] ")
                    .append(formatMessage(r)).append('\n');
            if (r.getThrown() != null) {
                java.io.StringWriter sw = new java.io.StringWriter();
                r.getThrown().printStackTrace(new java.io.PrintWriter(sw));
                sb.append(sw);
            }
            return sb.toString();
        }

        /** SLF4J names, which is what operators type in {@code log level}. */
        static String levelName(Level l) {
            int v = l.intValue();
            if (v >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (v >= Level.WARNING.intValue()) {
                return "WARN ";
            }
            if (v >= Level.INFO.intValue()) {
                return "INFO ";
            }
            if (v >= Level.FINE.intValue()) {
                return "DEBUG";
            }
            return "TRACE";
        }
    }
}
