package io.netfence.shell.ip;

import io.netfence.shell.text.CommandException;

/**
 * A batch that failed: the message gives "line N: ..." for each failed line; {@link #output()} is what
 * the lines before (or, with -force, around) the failures printed, so the caller can still show it.
 */
public final class BatchException extends CommandException {
    private static final long serialVersionUID = 1L;
    private final String output;

    public BatchException(String message, String output) {
        super(message);
        this.output = output;
    }

    /** Output of the lines that succeeded; empty if none printed anything. */
    public String output() {
        return output;
    }
}
