package io.netfence.shell.log;

import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.shell.text.Table;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * {@code log level [LOGGER] LEVEL}, {@code log handler [HANDLER] LEVEL}, {@code log show}: logging is
 * java.util.logging (SLF4J is bound to it by slf4j-jdk14), so levels are set on JUL loggers,
 * named with SLF4J's level names.
 */
public final class LogCommand {
    private static final List<String> COMMANDS = List.of("level", "handler", "show", "list", "help");
    /** SLF4J level names and the JUL levels slf4j-jdk14 maps them to; "default" clears a logger's level. */
    private static final Map<String, Level> LEVELS = Map.of(
            "TRACE", Level.FINEST, "DEBUG", Level.FINE, "INFO", Level.INFO, "WARN", Level.WARNING,
            "ERROR", Level.SEVERE, "OFF", Level.OFF, "ALL", Level.ALL);
    private static final String LEVEL_FORMS = "TRACE, DEBUG, INFO, WARN, ERROR, OFF, ALL";

    static final String HELP = """
            Usage: log level [ LOGGER ] LEVEL
                   log handler [ HANDLER ] LEVEL
                   log show
                   log help
            where  LOGGER := a logger name such as io.netfence.net, or root (the default)
                   LEVEL := { TRACE | DEBUG | INFO | WARN | ERROR | OFF | ALL | default }
                   HANDLER := { console | file | the handler's class name } (default: file)

            Logging is java.util.logging; SLF4J's levels map to it as TRACE=FINEST, DEBUG=FINE,
            INFO=INFO, WARN=WARNING, ERROR=SEVERE. A message is written when its logger's level lets
            it through and then only by the handlers whose own level lets it through: the launcher
            sets the console handler to WARN and the file handler to INFO.

            Commands:
              level     set the level of a logger and the loggers below it ("default": inherit again)
              handler   set the level of a root handler (to see DEBUG messages, lower the file handler too)
              show      the loggers whose level was set, and the handlers with their levels

            Examples:
              log level io.netfence.net DEBUG
              log handler file DEBUG
              log level io.netfence.net default
              log show""";

    /** JUL holds loggers weakly: a logger whose level we set must not be collected and forget it. */
    private final Map<String, Logger> configured = new ConcurrentHashMap<>();

    public String execute(String... words) {
        Args args = new Args(List.of(words));
        if (!args.hasNext()) {
            return show();
        }
        String word = args.next();
        String command = word.equals("-h") || word.equals("-help") || word.equals("--help") ? "help" : Args.match(word, COMMANDS);
        if (command == null) {
            throw new CommandException("Error: command \"" + word + "\" is unknown: expected one of level, handler, show, help");
        }
        List<String> rest = args.rest();
        return switch (command) {
            case "level" -> level(rest);
            case "handler" -> handler(rest);
            case "help" -> HELP;
            default -> {
                if (!rest.isEmpty()) {
                    throw CommandException.badArgument(rest.getFirst(), "expected log show");
                }
                yield show();
            }
        };
    }

    private String level(List<String> words) {
        if (words.isEmpty() || words.size() > 2) {
            throw words.isEmpty() ? CommandException.required("LEVEL", "log level [LOGGER] LEVEL")
                    : CommandException.badArgument(words.get(2), "expected log level [LOGGER] LEVEL");
        }
        String name = words.size() == 2 ? loggerName(words.get(0)) : "";
        String levelWord = words.getLast();
        boolean reset = levelWord.equalsIgnoreCase("default");
        Level level = reset ? null : level(levelWord);
        Logger logger = Logger.getLogger(name);
        logger.setLevel(level);
        if (reset && !name.isEmpty()) {
            configured.remove(name);
        } else {
            configured.put(name, logger);
        }
        return handlersNote(level == null ? effectiveLevel(logger) : level);
    }

    /** A level given by its SLF4J name (any case). */
    private static Level level(String word) {
        Level level = LEVELS.get(word.toUpperCase(Locale.ROOT));
        if (level == null) {
            throw CommandException.badArgument(word, "expected one of " + LEVEL_FORMS + ", default");
        }
        return level;
    }

    /** "root" (or "") names the root logger; other names are dotted Java identifiers. */
    private static String loggerName(String word) {
        if (word.equals("root") || word.equals("ROOT")) {
            return "";
        }
        boolean valid = !word.isEmpty() && !word.startsWith(".") && !word.endsWith(".") && !word.contains("..");
        for (int i = 0; valid && i < word.length(); i++) {
            char c = word.charAt(i);
            valid = Character.isJavaIdentifierPart(c) || c == '.' || c == '-';
        }
        if (!valid) {
            throw CommandException.badArgument(word, "expected a logger name like io.netfence.net, or root");
        }
        return word;
    }

    private static Level effectiveLevel(Logger logger) {
        for (Logger l = logger; l != null; l = l.getParent()) {
            if (l.getLevel() != null) {
                return l.getLevel();
            }
        }
        return Level.INFO;
    }

    /** Says so when no handler will print messages at the level just set. */
    private static String handlersNote(Level level) {
        Handler[] handlers = Logger.getLogger("").getHandlers();
        if (handlers.length == 0 || level.intValue() == Level.OFF.intValue()) {
            return null;
        }
        List<String> levels = new ArrayList<>();
        String suggested = handlerName(handlers[0]);
        for (Handler h : handlers) {
            if (h.getLevel().intValue() <= level.intValue()) {
                return null;
            }
            levels.add(handlerName(h) + " " + levelName(h.getLevel()));
            if (h instanceof FileHandler) {
                suggested = handlerName(h);
            }
        }
        return "Note: no handler writes " + levelName(level) + " messages (" + String.join(", ", levels)
                + " and above); lower one with: log handler " + suggested + " " + levelName(level);
    }

    private String handler(List<String> words) {
        if (words.isEmpty() || words.size() > 2) {
            throw words.isEmpty() ? CommandException.required("LEVEL", "log handler [HANDLER] LEVEL")
                    : CommandException.badArgument(words.get(2), "expected log handler [HANDLER] LEVEL");
        }
        String handlerWord = words.size() == 2 ? words.getFirst() : "file";
        Level level = level(words.getLast());
        Handler[] handlers = Logger.getLogger("").getHandlers();
        List<String> names = new ArrayList<>();
        for (Handler h : handlers) {
            if (handlerName(h).equals(handlerWord) || h.getClass().getName().equals(handlerWord)) {
                h.setLevel(level);
                return null;
            }
            names.add(handlerName(h));
        }
        throw CommandException.badArgument(handlerWord, names.isEmpty() ? "the root logger has no handlers"
                : "expected one of " + String.join(", ", names));
    }

    /** console and file for the JDK's handlers, else the class's simple name in lower case. */
    static String handlerName(Handler h) {
        if (h instanceof ConsoleHandler) {
            return "console";
        }
        if (h instanceof FileHandler) {
            return "file";
        }
        return h.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    /** The SLF4J name of a JUL level where there is one (FINE is DEBUG), else the JUL name. */
    static String levelName(Level level) {
        for (Map.Entry<String, Level> e : LEVELS.entrySet()) {
            if (e.getValue().equals(level)) {
                return e.getKey();
            }
        }
        return level.getName();
    }

    private String show() {
        Table loggers = Table.withHeader("LOGGER", "LEVEL");
        LogManager manager = LogManager.getLogManager();
        List<String> names = Collections.list(manager.getLoggerNames());
        Collections.sort(names);
        Logger root = Logger.getLogger("");
        loggers.row("root", levelName(effectiveLevel(root)));
        for (String name : names) {
            Logger logger = name.isEmpty() ? null : manager.getLogger(name);
            if (logger != null && logger.getLevel() != null) {
                loggers.row(name, levelName(logger.getLevel()));
            }
        }
        Table handlers = Table.withHeader("HANDLER", "LEVEL", "CLASS");
        for (Handler h : root.getHandlers()) {
            handlers.row(handlerName(h), levelName(h.getLevel()), h.getClass().getName());
        }
        return loggers.render() + "\n\n" + (root.getHandlers().length == 0 ? "No handlers on the root logger." : handlers.render());
    }
}
