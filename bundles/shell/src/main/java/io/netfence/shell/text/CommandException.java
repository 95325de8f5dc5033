package io.netfence.shell.text;

import java.util.Collection;

/**
 * A command the operator got wrong, or a request the service refused. The message is what the
 * operator sees: it starts with "Error: ", names the word at fault and the accepted form.
 * Thrown before any mutating service call, so a failed command has changed nothing.
 */
public class CommandException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public CommandException(String message) {
        super(message);
    }

    public CommandException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code Error: argument "WORD" is wrong: DETAIL}. */
    public static CommandException badArgument(String word, String detail) {
        return new CommandException("Error: argument \"" + word + "\" is wrong: " + detail);
    }

    /** {@code Error: argument "WORD" is wrong: expected one of A, B, C}. */
    public static CommandException notOneOf(String word, Collection<String> accepted) {
        return badArgument(word, "expected one of " + String.join(", ", accepted));
    }

    /** A keyword given without the value it needs. */
    public static CommandException missingValue(String keyword, String expected) {
        return new CommandException("Error: argument \"" + keyword + "\" needs a value: expected " + keyword + " " + expected);
    }

    /** A keyword given twice. */
    public static CommandException duplicate(String keyword) {
        return new CommandException("Error: argument \"" + keyword + "\" is duplicate: give it at most once");
    }

    /** A required argument that is absent. */
    public static CommandException required(String what, String usage) {
        return new CommandException("Error: \"" + what + "\" argument is required: expected " + usage);
    }

    /** Wraps a refusal from a service (its message already names the field and the accepted form). */
    public static CommandException refused(RuntimeException cause) {
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new CommandException(message.startsWith("Error: ") ? message : "Error: " + message, cause);
    }

    /** Gogo prints {@code toString()} of a failed command: show the operator's message, not a class name. */
    @Override
    public String toString() {
        return getMessage();
    }
}
